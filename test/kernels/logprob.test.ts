// Log-softmax rows (assembly/activations.ts) against the float64 TypeScript reference at every
// tail length (the NLL loss: class-index.test.ts).
import { afterEach, describe, expect, it } from 'vitest';
import { Heap, SIZES, expectClose, kernelSets, randomArray } from '../helpers/heap.js';

const heap = new Heap();
afterEach(() => heap.free());

describe('logSoftmax kernels', () => {
  it.each(SIZES)('forward and backward match the reference, cols = %i', (cols) => {
    const { wasm, reference } = kernelSets();
    for (const rows of [1, 3]) {
      const n = rows * cols;
      const px = heap.f32(randomArray(n, cols, -20, 20)), yw = heap.zeros(n), yr = heap.zeros(n);
      wasm.logSoftmaxForward(rows, cols, px, yw);
      reference.logSoftmaxForward(rows, cols, px, yr);
      // |y| up to ~40 + log(cols): a few ulp of the log-sum-exp.
      expectClose(heap.read(yw, n), heap.read(yr, n), { rtol: 1e-6, atol: 4e-6 }, 'logSoftmaxForward');
      const pdy = heap.f32(randomArray(n, cols + 1)), dw = heap.zeros(n), dr = heap.zeros(n);
      wasm.logSoftmaxBackward(rows, cols, yw, pdy, dw);
      reference.logSoftmaxBackward(rows, cols, yw, pdy, dr);
      expectClose(heap.read(dw, n), heap.read(dr, n), { rtol: 1e-5, atol: 2e-6 * Math.max(1, Math.sqrt(cols)) }, 'logSoftmaxBackward');
    }
  });

  it('stays finite for huge logits and keeps NaN rows NaN', () => {
    const { wasm, reference } = kernelSets();
    const x = [1e30, -1e30, 0, 3e38, NaN, 1, 2, 3];
    const px = heap.f32(x), yw = heap.zeros(8), yr = heap.zeros(8);
    wasm.logSoftmaxForward(2, 4, px, yw);
    reference.logSoftmaxForward(2, 4, px, yr);
    const w = heap.read(yw, 8);
    expect(Array.from(w.slice(0, 4)).every(Number.isFinite)).toBe(true);
    expect(Array.from(w.slice(4)).every(Number.isNaN)).toBe(true);
    expectClose(w, heap.read(yr, 8), { rtol: 1e-6, atol: 1e-6 }, 'specials');
  });
});
