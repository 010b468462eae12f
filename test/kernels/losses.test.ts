// Loss kernels (assembly/losses.ts) against the float64 reference: the reduced value and the
// gradient, for both reductions' scale factors.
import { afterEach, describe, expect, it } from 'vitest';
import type { ElementwiseLossKernel } from '../../src/backend/kernels.js';
import { Heap, SIZES, expectClose, kernelSets, randomArray } from '../helpers/heap.js';

const heap = new Heap();
afterEach(() => heap.free());

type Name = 'mseLoss' | 'l1Loss' | 'huberLoss' | 'bceLoss' | 'bceWithLogitsLoss';
const CASES: Array<{ name: Name; pred: [number, number]; target: [number, number]; p0: number }> = [
  { name: 'mseLoss', pred: [-3, 3], target: [-3, 3], p0: 0 },
  { name: 'l1Loss', pred: [-3, 3], target: [-3, 3], p0: 0 },
  { name: 'huberLoss', pred: [-3, 3], target: [-3, 3], p0: 0.7 },
  { name: 'bceLoss', pred: [0.001, 0.999], target: [0, 1], p0: 0 },
  { name: 'bceWithLogitsLoss', pred: [-30, 30], target: [0, 1], p0: 0 },
];

// Values: each term is float32 (a few ulp), summed in float64: rtol 2e-6. Gradients: rtol 2e-6,
// plus, where the gradient is a difference of O(1) numbers (σ(x) - t, softmax - onehot), an
// absolute 1.5e-7·scale (about one float32 ulp of 1).
describe.each(CASES)('$name', ({ name, pred, target, p0 }) => {
  it.each(SIZES)('value and gradient match the reference, n = %i', (n) => {
    const { wasm, reference } = kernelSets();
    const pp = heap.f32(randomArray(n, n, ...pred)), pt = heap.f32(randomArray(n, n + 9, ...target));
    for (const scale of [1, 1 / n]) {
      const gw = heap.zeros(n), gr = heap.zeros(n);
      const vw = (wasm[name] as ElementwiseLossKernel)(n, pp, pt, gw, scale, p0);
      const vr = (reference[name] as ElementwiseLossKernel)(n, pp, pt, gr, scale, p0);
      expectClose([vw], [vr], { rtol: 2e-6, atol: 1e-7 }, `${name} value`);
      expectClose(heap.read(gw, n), heap.read(gr, n), { rtol: 2e-6, atol: 1.5e-7 * scale }, `${name} gradient`);
    }
  });
});

describe('bceLoss', () => {
  it('clamps log at -100 like PyTorch for p = 0 and p = 1', () => {
    const { wasm } = kernelSets();
    const g = heap.zeros(2);
    const v = wasm.bceLoss(2, heap.f32([0, 1]), heap.f32([1, 0]), g, 1, 0);
    expect(v).toBe(200);
  });
});

describe('cross-entropy with probability targets (class indices: class-index.test.ts)', () => {
  it.each([[1, 2], [3, 3], [4, 5], [17, 10], [64, 2], [5, 1023]])('probabilities, plain and with weights / smoothing, rows=%i cols=%i', (rows, cols) => {
    const { wasm, reference } = kernelSets();
    const n = rows * cols;
    const logits = heap.f32(randomArray(n, n, -10, 10));
    const w = heap.f32(randomArray(cols, cols, 0, 2));
    const probsRaw = randomArray(n, n + 3, 0, 1);
    for (let r = 0; r < rows; r++) {
      let s = 0;
      for (let j = 0; j < cols; j++) s += probsRaw[r * cols + j]!;
      for (let j = 0; j < cols; j++) probsRaw[r * cols + j]! /= s;
    }
    const probs = heap.f32(probsRaw);
    for (const scale of [1, 1 / rows]) {
      const sw = heap.zeros(n), sr = heap.zeros(n);
      const pw = wasm.crossEntropySoftLoss(rows, cols, logits, probs, sw, scale);
      const pr = reference.crossEntropySoftLoss(rows, cols, logits, probs, sr, scale);
      expectClose([pw], [pr], { rtol: 2e-6, atol: 1e-6 }, 'soft CE value');
      expectClose(heap.read(sw, n), heap.read(sr, n), { rtol: 2e-6, atol: 1.5e-7 * scale }, 'soft CE gradient');
      for (const [hasWeight, eps] of [[0, 0.3], [1, 0], [1, 0.3]]) {
        const ww = heap.zeros(n), wr = heap.zeros(n);
        const qw = wasm.crossEntropySoftWeighted(rows, cols, logits, probs, w, hasWeight!, eps!, scale, ww);
        const qr = reference.crossEntropySoftWeighted(rows, cols, logits, probs, w, hasWeight!, eps!, scale, wr);
        expectClose([qw], [qr], { rtol: 5e-6, atol: 1e-7 }, `weighted soft value ε=${eps}`);
        expectClose(heap.read(ww, n), heap.read(wr, n), { rtol: 5e-6, atol: 1e-6 * scale }, `weighted soft gradient ε=${eps}`);
      }
    }
  });
});
