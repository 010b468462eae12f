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
    expect(Tensor.from([0.1]).data[0]).toBe(Math.fround(0.1));
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
    b.data[0] = 9;
    expect(a.data[0]).toBe(1);
    const before = memoryStats().bytesInUse;
    a.dispose();
    expect(memoryStats().bytesInUse).toBeLessThan(before);
    expect(a.isDisposed).toBe(true);
    expect(() => a.data).toThrow(StateError);
    expect(() => a.toArray()).toThrow(/has been disposed/);
    a.dispose(); // idempotent
    b.dispose();
  });

  it('stays readable and writable after WASM memory grows', () => {
    const a = Tensor.from([[1, 2], [3, 4]]);
    const oldView = a.data;
    const grows = memoryStats().growCount;
    const big = Tensor.zeros([4096, 1024]); // 16 MiB: forces memory.grow
    expect(memoryStats().growCount).toBeGreaterThan(grows);
    expect(oldView.length).toBe(0); // the old view is detached by the growth...
    expect(a.toArray()).toEqual([[1, 2], [3, 4]]); // ...but .data is re-made
    a.data[3] = 40;
    expect(a.toArray()).toEqual([[1, 2], [3, 40]]);
    big.dispose();
  });

  it('full / zeros', () => {
    expect(Tensor.full([2], 3).toArray()).toEqual([3, 3]);
    expect(Tensor.zeros([0]).size).toBe(0);
    expect(Tensor.zeros([2, 2]).toString()).toBe('Tensor(shape=[2, 2])');
  });
});
