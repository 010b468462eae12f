import { describe, expect, it } from 'vitest';
import { DISK_RADIUS, Generator, Tensor, disk, linear, moons, oneHot, spiral, trainTestSplit, xorEasy, xorQuadrants, ValueError } from '../../src/index.js';

const rows = (t: Tensor): number[][] => t.toArray() as number[][];

describe('data sets', () => {
  it('disk: n points in [0,1]², label 1 exactly inside the disk, classes about balanced', () => {
    const { x, y } = disk(4000, new Generator(1));
    expect(x.shape).toEqual([4000, 2]);
    expect(y.shape).toEqual([4000]);
    const labels = y.toFloat32Array();
    rows(x).forEach(([a, b], i) => {
      expect(a).toBeGreaterThanOrEqual(0);
      expect(b).toBeLessThan(1);
      expect(labels[i]).toBe((a! - 0.5) ** 2 + (b! - 0.5) ** 2 < DISK_RADIUS ** 2 ? 1 : 0);
    });
    const ones = labels.reduce((s, v) => s + v, 0);
    expect(Math.abs(ones / 4000 - 0.5)).toBeLessThan(0.03);
  });

  it('is deterministic per seed', () => {
    expect(disk(10, new Generator(5)).x.toArray()).toEqual(disk(10, new Generator(5)).x.toArray());
    expect(disk(10, new Generator(5)).x.toArray()).not.toEqual(disk(10, new Generator(6)).x.toArray());
  });

  it('linear: label 0 iff x1 > x2', () => {
    const { x, y } = linear(500, new Generator(2));
    rows(x).forEach(([a, b], i) => expect(y.toFloat32Array()[i]).toBe(a! > b! ? 0 : 1));
  });

  it('xorQuadrants: label 1 where exactly one coordinate exceeds 0.5', () => {
    const { x, y } = xorQuadrants(300, new Generator(9));
    rows(x).forEach(([a, b], i) => expect(y.toFloat32Array()[i]).toBe((a! > 0.5) !== (b! > 0.5) ? 1 : 0));
  });

  it('xorEasy: the 21 points of the report', () => {
    const { x, y } = xorEasy();
    expect(x.shape).toEqual([21, 2]);
    const pts = rows(x);
    expect(pts[0]).toEqual([0, 0]);
    expect(y.toFloat32Array().slice(0, 11).every((v) => v === 0)).toBe(true);
    expect(y.toFloat32Array().slice(11).every((v) => v === 1)).toBe(true);
    expect(pts.some(([a, b], i) => i >= 11 && Math.abs(a! - 0.5) < 1e-6 && Math.abs(b! - 0.5) < 1e-6)).toBe(false);
    expect(pts[11]![0]).toBeCloseTo(0, 6);
    expect(pts[11]![1]).toBeCloseTo(1, 6);
  });

  it('spiral and moons have balanced labels and stay near the unit square', () => {
    for (const d of [spiral(400, 0.01, new Generator(3)), moons(400, 0.01, new Generator(4))]) {
      expect(d.y.toFloat32Array().reduce((s, v) => s + v, 0)).toBe(200);
      for (const v of d.x.toFloat32Array()) expect(Math.abs(v - 0.5)).toBeLessThan(0.7);
    }
  });

  it('oneHot and trainTestSplit', () => {
    expect(oneHot(Tensor.from([1, 0, 2]), 3).toArray()).toEqual([[0, 1, 0], [1, 0, 0], [0, 0, 1]]);
    expect(() => oneHot(Tensor.from([3]), 3)).toThrow(ValueError);
    const { x, y } = disk(100, new Generator(7));
    const { train, test } = trainTestSplit(x, y, { testSize: 0.25, generator: new Generator(8) });
    expect(train.x.shape).toEqual([75, 2]);
    expect(test.y.shape).toEqual([25]);
    const all = [...rows(train.x), ...rows(test.x)].map((r) => r.join()).sort();
    expect(all).toEqual(rows(x).map((r) => r.join()).sort());
    expect(() => trainTestSplit(x, Tensor.zeros([3]))).toThrow(/x has 100 rows but y has 3/);
  });
});
