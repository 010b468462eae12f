// assembly/class-weights.ts against the float64 reference: weighted / ignored / smoothed
// cross-entropy and NLL, value and gradient, rows and classes at odd sizes (1, 3, 4, 5, 17, 1023).
import { afterEach, describe, expect, it } from 'vitest';
import { Heap, expectClose, kernelSets, randomArray } from '../helpers/heap.js';

const heap = new Heap();
afterEach(() => heap.free());

const SHAPES: Array<[number, number]> = [[1, 1], [3, 4], [4, 5], [5, 3], [17, 17], [3, 1023], [1023, 3]];

/** Seeded targets in [0, cols), every third one set to `ignore` (when rows > 1). */
function targets(rows: number, cols: number, ignore: number): Float32Array {
  const u = randomArray(rows, rows * 7 + cols, 0, cols);
  return Float32Array.from(u, (v, r) => (rows > 1 && r % 3 === 1 ? ignore : Math.min(cols - 1, Math.floor(v))));
}

describe('class-weight loss kernels', () => {
  it.each(SHAPES)('match the reference: %i rows × %i classes, with and without weights', (rows, cols) => {
    const { wasm, reference } = kernelSets();
    const x = heap.f32(randomArray(rows * cols, rows + cols, -4, 4));
    const probs = heap.f32(randomArray(rows * cols, rows + 2 * cols, 0, 1));
    const w = heap.f32(randomArray(cols, cols, 0, 2));
    for (const [ignore, hasWeight] of [[-100, 0], [-100, 1], [cols > 2 ? 2 : -1, 1]] as const) {
      const t = heap.f32(targets(rows, cols, ignore));
      const sums = [wasm, reference].map((k) => k.classWeightSum(rows, cols, t, w, hasWeight, ignore));
      expectClose([sums[0]!], [sums[1]!], { rtol: 1e-6, atol: 0 }, 'weight sum');
      const d = sums[0]! > 0 ? sums[0]! : 1;
      for (const eps of [0, 0.3]) {
        const a = (1 - eps) / d, b = eps / (cols * d);
        const gw = heap.zeros(rows * cols), gr = heap.f32(new Float32Array(rows * cols).fill(NaN));
        const vw = wasm.crossEntropyWeighted(rows, cols, x, t, w, hasWeight, ignore, a, b, gw);
        const vr = reference.crossEntropyWeighted(rows, cols, x, t, w, hasWeight, ignore, a, b, gr);
        expectClose([vw], [vr], { rtol: 5e-6, atol: 1e-7 }, `cross-entropy value ε=${eps}`);
        expectClose(heap.read(gw, rows * cols), heap.read(gr, rows * cols), { rtol: 5e-6, atol: 3e-7 * a + 3e-7 }, `cross-entropy gradient ε=${eps}`);
        const sw = heap.zeros(rows * cols), sr = heap.zeros(rows * cols);
        const pw = wasm.crossEntropySoftWeighted(rows, cols, x, probs, w, hasWeight, eps, 1 / rows, sw);
        const pr = reference.crossEntropySoftWeighted(rows, cols, x, probs, w, hasWeight, eps, 1 / rows, sr);
        expectClose([pw], [pr], { rtol: 5e-6, atol: 1e-7 }, `soft value ε=${eps}`);
        expectClose(heap.read(sw, rows * cols), heap.read(sr, rows * cols), { rtol: 5e-6, atol: 1e-6 }, `soft gradient ε=${eps}`);
      }
      const nw = heap.f32(new Float32Array(rows * cols).fill(NaN)), nr = heap.zeros(rows * cols);
      const lw = wasm.nllWeighted(rows, cols, x, t, w, hasWeight, ignore, 1 / d, nw);
      const lr = reference.nllWeighted(rows, cols, x, t, w, hasWeight, ignore, 1 / d, nr);
      expectClose([lw], [lr], { rtol: 2e-6, atol: 1e-7 }, 'nll value');
      expectClose(heap.read(nw, rows * cols), heap.read(nr, rows * cols), { rtol: 1e-6, atol: 0 }, 'nll gradient');
    }
  });

  it('classWeightSum returns NaN for a target that is neither a class nor the ignored value', () => {
    const { wasm, reference } = kernelSets();
    const w = heap.f32([1, 2, 3]);
    for (const k of [wasm, reference]) {
      for (const bad of [3, -1, 0.5, NaN, Infinity]) expect(k.classWeightSum(2, 3, heap.f32([0, bad]), w, 1, -100)).toBeNaN();
      expect(k.classWeightSum(3, 3, heap.f32([2, -100, 1]), w, 1, -100)).toBe(5);
      expect(k.classWeightSum(3, 3, heap.f32([2, -100, 1]), w, 0, -100)).toBe(2);
      expect(k.classWeightSum(2, 3, heap.f32([1, 1]), w, 1, 1)).toBe(0); // an ignored class inside [0, classes)
    }
  });

  it('ignored rows get a zero gradient row and add nothing', () => {
    const { wasm } = kernelSets();
    const x = heap.f32([1, 2, 3, 4, 5, 6]), g = heap.f32(new Float32Array(6).fill(NaN));
    const v = wasm.crossEntropyWeighted(2, 3, x, heap.f32([-100, 2]), 0, 0, -100, 1, 0, g);
    const only = wasm.crossEntropyWeighted(1, 3, x + 12, heap.f32([2]), 0, 0, -100, 1, 0, heap.zeros(3));
    expect(v).toBe(only);
    expect(Array.from(heap.read(g, 3))).toEqual([0, 0, 0]);
  });
});
