// MaxPool2d / AvgPool2d: forward against the definition, backward against finite differences,
// torch's padding rule, validation, repr and config.
import { describe, expect, it } from 'vitest';
import { AvgPool2d, MaxPool2d, ShapeError, StateError, Tensor, ValueError, gradcheck } from '../../src/index.js';
import { Generator } from '../../src/random.js';

/** Distinct values 0.05 apart in random order: no ties within gradcheck's step. */
function distinct(shape: number[], seed: number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const order = new Generator(seed).permutation(n);
  return Tensor.from(Array.from(order, (k) => (k - n / 2) * 0.05), shape);
}

describe('MaxPool2d and AvgPool2d', () => {
  it('compute the window max / mean (count_include_pad) of a hand-checked example', () => {
    const x = Tensor.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], [1, 1, 3, 4]);
    expect(new MaxPool2d(2).forward(x).toArray()).toEqual([[[[6, 8]]]]);
    expect(new MaxPool2d(2, { stride: 1 }).forward(x).toArray()).toEqual([[[[6, 7, 8], [10, 11, 12]]]]);
    expect(new MaxPool2d(2, { padding: 1 }).forward(x).toArray()).toEqual([[[[1, 3, 4], [9, 11, 12]]]]);
    expect(new AvgPool2d(2).forward(x).toArray()).toEqual([[[[3.5, 5.5]]]]);
    // Corner window with padding 1: only x[0, 0] = 1 inside, divided by 4 (padding counts).
    expect((new AvgPool2d(2, { padding: 1 }).forward(x).toArray() as number[][][][])[0]![0]![0]![0]).toBe(0.25);
  });

  it.each([
    [2, {}, [2, 3, 5, 4]],
    [[3, 2], { stride: 1, padding: 1 }, [1, 2, 5, 4]],
    [2, { stride: 3 }, [2, 1, 7, 8]], // stride larger than the window
    [2, { padding: 1 }, [1, 2, 1, 1]], // 1×1 image
    [[4, 3], { stride: [1, 2], padding: [2, 1] }, [1, 1, 2, 3]], // window larger than the image
    [3, { stride: 2, padding: 1, ceilMode: true }, [2, 1, 6, 5]], // ceil mode: a last window cut by the image
    [[2, 3], { stride: [2, 3], ceilMode: true }, [1, 2, 5, 7]],
    [3, { ceilMode: true }, [1, 1, 1, 2]], // window larger than the image, no padding: torch gives 1×1
  ] as const)('backward matches finite differences: kernel %j %j on %j', (k, options, shape) => {
    for (const Pool of [MaxPool2d, AvgPool2d]) {
      const pool = new Pool(k as number, options as object);
      const r = gradcheck(pool, distinct([...shape], 4));
      expect(r.ok, `${pool.typeName} ${JSON.stringify(r.worst)}`).toBe(true);
    }
  });

  it.each([
    [MaxPool2d, 3, { dilation: 2, padding: 1 }, [1, 2, 7, 6]],
    [MaxPool2d, [2, 3], { dilation: [3, 1], stride: 1, ceilMode: true }, [1, 1, 5, 4]],
    [AvgPool2d, 3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }, [2, 1, 6, 5]],
    [AvgPool2d, [3, 2], { padding: [1, 1], divisorOverride: 5 }, [1, 2, 4, 5]],
  ] as const)('%o %j %j: backward matches finite differences', (Pool, k, options, shape) => {
    const pool = new (Pool as typeof MaxPool2d)(k as number, options as object);
    const r = gradcheck(pool, distinct([...shape], 9));
    expect(r.ok, `${pool.typeName} ${JSON.stringify(r.worst)}`).toBe(true);
  });

  it('ceil mode keeps a last window cut by the image and drops one starting in the right padding (torch)', () => {
    const x = Tensor.from([1, 2, 3, 4, 5], [1, 1, 1, 5]);
    expect(new MaxPool2d([1, 2], { ceilMode: true }).forward(x).toArray()).toEqual([[[[2, 4, 5]]]]);
    // (5 + 2 − 2)/2 rounded up is 3, but the 4th window would start at 5 − 1 + 2 = 6 ≥ 5 + 1: dropped.
    expect(new MaxPool2d([1, 2], { stride: 2, padding: [0, 1], ceilMode: true }).forward(x).shape).toEqual([1, 1, 1, 3]);
    const avg = (o: object): number[] => Array.from(new AvgPool2d([1, 3], { stride: 2, padding: [0, 1], ceilMode: true, ...o }).forward(x).toFloat32Array());
    expect(avg({})).toEqual([1, 3, 3]);
    expect(avg({ countIncludePad: false })).toEqual([1.5, 3, 4.5]);
    expect(avg({ divisorOverride: 4 })).toEqual([0.75, 2.25, 2.25]);
    expect(new MaxPool2d(2, { dilation: 2 }).forward(Tensor.from([1, 9, 3, 4, 5, 6, 7, 8, 2], [1, 1, 3, 3])).toArray()).toEqual([[[[7]]]]);
  });

  it('refuse a dilation that steps a window over the whole image (torch returns -inf there)', () => {
    const pool = new MaxPool2d(2, { stride: 1, padding: 1, dilation: 3 });
    expect(() => pool.forward(Tensor.zeros([1, 1, 2, 2]))).toThrow(/a window holds no pixel of the image/);
    expect(pool.forward(Tensor.zeros([1, 1, 4, 4])).shape).toEqual([1, 1, 3, 3]);
  });

  it('validate the new options', () => {
    expect(() => new AvgPool2d(2, { dilation: 2 } as object)).toThrow(/unknown option 'dilation'/);
    expect(() => new MaxPool2d(2, { divisorOverride: 2 } as object)).toThrow(/unknown option 'divisorOverride'/);
    for (const bad of [0, -2, 1.5, NaN, 1e39, '2']) expect(() => new AvgPool2d(2, { divisorOverride: bad as number })).toThrow(ValueError);
    expect(() => new AvgPool2d(2, { countIncludePad: 1 as unknown as boolean })).toThrow(/countIncludePad/);
    for (const bad of [0, -1, 0.5, [1, 0]]) expect(() => new MaxPool2d(2, { dilation: bad as number })).toThrow(ValueError);
    expect(new AvgPool2d(2).divisorOverride).toBe(null);
  });

  it('max pooling sends each gradient to the first maximum only', () => {
    const pool = new MaxPool2d(2);
    pool.forward(Tensor.from([1, 5, 5, 0], [1, 1, 2, 2]));
    expect(Array.from(pool.backward(Tensor.from([3], [1, 1, 1, 1])).toFloat32Array())).toEqual([0, 3, 0, 0]);
  });

  it('have torch reprs and configs that rebuild them', () => {
    expect(new MaxPool2d(2).toString()).toBe('MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)');
    expect(new AvgPool2d([3, 2], { stride: 1, padding: [1, 0] }).toString()).toBe('AvgPool2d(kernel_size=(3, 2), stride=1, padding=(1, 0))');
    const p = new MaxPool2d([3, 2], { padding: 1 });
    expect(p.toConfig().args).toEqual([[3, 2], { stride: [3, 2], padding: 1 }]);
    expect(new MaxPool2d(...p.toConfig().args).toString()).toBe(p.toString());
    const q = new MaxPool2d(3, { stride: 2, padding: 1, dilation: [2, 1], ceilMode: true });
    expect(q.toString()).toBe('MaxPool2d(kernel_size=3, stride=2, padding=1, dilation=(2, 1), ceil_mode=True)');
    expect(q.toConfig().args).toEqual([3, { stride: 2, padding: 1, dilation: [2, 1], ceilMode: true }]);
    expect(new MaxPool2d(...q.toConfig().args).toString()).toBe(q.toString());
    const a = new AvgPool2d(3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false, divisorOverride: 5 });
    expect(a.toString()).toBe('AvgPool2d(kernel_size=3, stride=2, padding=1)'); // torch prints no more
    expect(a.toConfig().args).toEqual([3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false, divisorOverride: 5 }]);
    const b = new AvgPool2d(...a.toConfig().args);
    expect([b.ceilMode, b.countIncludePad, b.divisorOverride]).toEqual([true, false, 5]);
  });

  it('validate arguments (torch padding rule) and inputs', () => {
    for (const Pool of [MaxPool2d, AvgPool2d]) {
      const P = Pool as unknown as new (...a: unknown[]) => MaxPool2d;
      expect(() => new P(2, { padding: 2 })).toThrow(/padding \(2, 2\) must be at most half the kernel size \(2, 2\)/);
      expect(() => new P(null)).toThrow(ValueError);
      expect(() => new P(NaN)).toThrow(ValueError);
      expect(() => new P(1.5)).toThrow(ValueError);
      expect(() => new P(-1)).toThrow(ValueError);
      expect(() => new P(1e39)).toThrow(ValueError);
      expect(() => new P([2, 2, 2])).toThrow(/pair/);
      expect(() => new P(2, { stride: 0 })).toThrow(ValueError);
      // MaxPool2d: torch's return_indices, not offered (said so); AvgPool2d has no such option in torch either.
      expect(() => new P(2, { returnIndices: true })).toThrow(P === MaxPool2d ? /option 'returnIndices' \(torch's return_indices\) is not offered beyond torch's default false, got true/ : /unknown option 'returnIndices'/);
      expect(() => new P(2, { ceilMode: 'yes' })).toThrow(/ceilMode/);
      const pool = new P(3);
      expect(() => pool.forward(Tensor.zeros([1, 2, 2, 5]))).toThrow(new RegExp(`${pool.typeName}.forward: input \\[1, 2, 2, 5\\] is too small`));
      expect(() => pool.forward(Tensor.zeros([2, 5]))).toThrow(ShapeError);
      expect(() => pool.backward(Tensor.zeros([1, 1, 1, 1]))).toThrow(StateError);
      pool.forward(Tensor.zeros([1, 2, 6, 6]));
      expect(() => pool.backward(Tensor.zeros([1, 2, 3, 2]))).toThrow(/gradOutput must have the shape of the last output \[1, 2, 2, 2\]/);
    }
  });
});
