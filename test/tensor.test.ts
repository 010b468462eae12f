import { describe, expect, it } from 'vitest';
import { Tensor, ShapeError, StateError, ValueError, memoryStats } from '../src/index.js';

describe('Tensor', () => {
  it('from nested arrays infers the shape; toArray gives them back', () => {
    const t = Tensor.from([[1, 2, 3], [4, 5, 6]]);
    expect(t.shape).toEqual([2, 3]);
    expect(t.size).toBe(6);
    expect(t.ndim).toBe(2);
    expect(t.toArray()).toEqual([[1, 2, 3], [4, 5, 6]]);
    expect(Tensor.from([1, 2]).toArray()).toEqual([1, 2]);
    expect(Tensor.from([[[1], [2]], [[3], [4]]]).shape).toEqual([2, 2, 1]);
    expect(Tensor.from(new Float32Array([1, 2, 3, 4]), [2, 2]).toArray()).toEqual([[1, 2], [3, 4]]);
    expect(Tensor.from([7], []).item()).toBe(7);
  });

  it('stores float32', () => {
    expect(Tensor.from([0.1]).toFloat32Array()[0]).toBe(Math.fround(0.1));
  });

  it('rejects ragged, non-numeric and mis-shaped data with clear messages', () => {
    expect(() => Tensor.from([[1, 2], [3]])).toThrow(ShapeError);
    expect(() => Tensor.from([[1, 2], [3]])).toThrow(/\[1\] should be an array of length 2, got length 1/);
    expect(() => Tensor.from([[1, 'a']] as never)).toThrow(/element \[0\]\[1\] is not a number/);
    expect(() => Tensor.from([1, null] as never)).toThrow(ValueError);
    expect(() => Tensor.from([1, 2, 3], [2, 2])).toThrow(/shape \[2, 2\] needs 4 elements, the data has 3/);
    expect(() => Tensor.from([1, 2], [-2, -1])).toThrow(/invalid dimension -2/);
    expect(() => Tensor.from('abc' as never)).toThrow(ValueError);
    expect(() => Tensor.zeros([2, 1.5])).toThrow(ShapeError);
    expect(() => Tensor.from([1, 2]).item()).toThrow(/exactly one element/);
  });

  it('clone copies; dispose frees memory and blocks further use', () => {
    const a = Tensor.from([1, 2, 3]);
    const b = a.clone();
    b.set([9]);
    expect(a.toFloat32Array()[0]).toBe(1);
    const before = memoryStats().bytesInUse;
    a.dispose();
    expect(memoryStats().bytesInUse).toBeLessThan(before);
    expect(a.isDisposed).toBe(true);
    expect(() => a.toFloat32Array()).toThrow(StateError);
    expect(() => a.toArray()).toThrow(/has been disposed/);
    a.dispose(); // idempotent
    b.dispose();
  });

  it('stays readable and writable after WASM memory grows; a copy taken before is unaffected', () => {
    const a = Tensor.from([[1, 2], [3, 4]]);
    const copy = a.toFloat32Array();
    const grows = memoryStats().growCount;
    const big = Tensor.zeros([4096, 1024]); // 16 MiB: forces memory.grow
    expect(memoryStats().growCount).toBeGreaterThan(grows);
    expect(Array.from(copy)).toEqual([1, 2, 3, 4]); // the copy belongs to the caller
    expect(a.toArray()).toEqual([[1, 2], [3, 4]]);
    a.set([40], 3);
    expect(a.toArray()).toEqual([[1, 2], [3, 40]]);
    expect(Array.from(copy)).toEqual([1, 2, 3, 4]);
    big.dispose();
  });

  it('set and fill write with checks; toFloat32Array is a copy', () => {
    const t = Tensor.zeros([2, 3]);
    t.set([1, 2, 3]).set(new Float64Array([4, 5]), 4);
    expect(t.toArray()).toEqual([[1, 2, 3], [0, 4, 5]]);
    const copy = t.toFloat32Array();
    copy[0] = 99;
    expect(t.toFloat32Array()[0]).toBe(1);
    t.fill(-2);
    expect(t.toFloat32Array().every((v) => v === -2)).toBe(true);
    t.set([NaN, Infinity], 1);
    expect(t.toArray()).toEqual([[-2, NaN, Infinity], [-2, -2, -2]]);
    expect(() => t.set([1, 2], 5)).toThrow(ShapeError);
    expect(() => t.set([1], -1)).toThrow(/offset must be an integer/);
    expect(() => t.set([1], 1.5)).toThrow(/offset must be an integer/);
    expect(() => t.set([1, 'x'] as never)).toThrow(/values\[1\] is not a number/);
    expect(() => t.set([1e39])).toThrow(/beyond the float32 range/);
    expect(() => t.set(null as never)).toThrow(/values must be an array/);
    expect(() => t.fill('1' as never)).toThrow(ValueError);
    expect(() => t.fill(-1e39)).toThrow(/beyond the float32 range/);
    expect(t.toArray()).toEqual([[-2, NaN, Infinity], [-2, -2, -2]]); // every rejected call wrote nothing
  });

  it('.data is gone: reading it explains the replacement', () => {
    const t = Tensor.from([1, 2]);
    expect(() => (t as unknown as { data: unknown }).data).toThrow(StateError);
    expect(() => (t as unknown as { data: unknown }).data).toThrow(/toFloat32Array\(\).*set\(values, offset\)/);
  });

  it('reshape / view share memory, infer -1 and check counts', () => {
    const t = Tensor.from([1, 2, 3, 4, 5, 6]);
    const v = t.view([2, -1]);
    expect(v.shape).toEqual([2, 3]);
    expect(t.reshape([3, 2, 1]).toArray()).toEqual([[[1], [2]], [[3], [4]], [[5], [6]]]);
    v.set([60], 5);
    expect(t.toFloat32Array()[5]).toBe(60); // writes through a view show in the source
    expect(() => t.reshape([])).toThrow(ShapeError);
    expect(() => t.reshape([4, -1])).toThrow(/cannot view \[6\] \(6 elements\) as \[4, -1\]/);
    expect(() => t.view([-1, -1])).toThrow(/more than one -1/);
    expect(() => t.view([2, 4])).toThrow(ShapeError);
    expect(() => t.view([2, 1.5] as never)).toThrow(ShapeError);
    expect(Tensor.zeros([0, 3]).reshape([-1, 3]).shape).toEqual([0, 3]);
    const before = memoryStats().bytesInUse;
    t.view([6]).dispose(); // disposing a view does not free the source
    expect(memoryStats().bytesInUse).toBe(before);
    expect(t.toFloat32Array()[0]).toBe(1);
    t.dispose();
    expect(() => v.toFloat32Array()).toThrow(/disposed/);
    expect(() => t.view([6])).toThrow(/disposed/);
  });

  it('Tensor.from(copy or view of a tensor) never detaches its source, even when memory grows', () => {
    // As large as all of memory now: every free run is smaller, so each copy below must grow it.
    const n = memoryStats().memoryBytes / 4;
    const big = Tensor.zeros([n]);
    big.set([1, 2, 3]);
    let grows = memoryStats().growCount;
    const copy = Tensor.from(big.toFloat32Array(), [n]);
    expect(memoryStats().growCount).toBeGreaterThan(grows);
    grows = memoryStats().growCount;
    const viaView = Tensor.from(big._view(), [n]); // internal live view: copied before allocating
    expect(memoryStats().growCount).toBeGreaterThan(grows);
    expect(Array.from(copy.toFloat32Array().subarray(0, 4))).toEqual([1, 2, 3, 0]);
    expect(Array.from(viaView.toFloat32Array().subarray(0, 4))).toEqual([1, 2, 3, 0]);
    for (const t of [big, copy, viaView]) t.dispose();
  });

  it('full / zeros', () => {
    expect(Tensor.full([2], 3).toArray()).toEqual([3, 3]);
    expect(Tensor.zeros([0]).size).toBe(0);
    expect(Tensor.zeros([2, 2]).toString()).toBe('Tensor(shape=[2, 2])');
  });
});
