// Log-softmax rows (assembly/activations.ts) and the NLL loss (assembly/losses.ts) against the
// float64 TypeScript reference at every tail length.
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

describe('nllLoss kernel', () => {
  it.each(SIZES)('value and gradient match the reference, cols = %i', (cols) => {
    const { wasm, reference } = kernelSets();
    const rows = 5, n = rows * cols;
    const pin = heap.f32(randomArray(n, cols, -5, 0));
    const targets = Array.from({ length: rows }, (_, r) => (r * 7) % cols);
    const pt = heap.f32(targets), gw = heap.f32(new Float32Array(n).fill(9)), gr = heap.zeros(n);
    const vw = wasm.nllLoss(rows, cols, pin, pt, gw, 1 / rows);
    const vr = reference.nllLoss(rows, cols, pin, pt, gr, 1 / rows);
    expect(Math.abs(vw - vr)).toBeLessThan(1e-6 * Math.max(1, Math.abs(vr)));
    expect(Array.from(heap.read(gw, n))).toEqual(Array.from(heap.read(gr, n)));
  });

  it('returns NaN without writing for an index that is negative, fractional, too large or NaN', () => {
    const { wasm, reference } = kernelSets();
    for (const bad of [-1, 0.5, 3, NaN, Infinity]) {
      const pin = heap.f32([-1, -2, -3, -4, -5, -6]), pt = heap.f32([0, bad]), g = heap.f32([7, 7, 7, 7, 7, 7]);
      expect(wasm.nllLoss(2, 3, pin, pt, g, 1)).toBeNaN();
      expect(reference.nllLoss(2, 3, pin, pt, g, 1)).toBeNaN();
      expect(Array.from(heap.read(g, 6))).toEqual([7, 7, 7, 7, 7, 7]);
    }
  });
});
