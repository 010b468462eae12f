// assembly/class-index.ts against the float64 reference (src/backend/reference-class-index.ts):
// cross-entropy and NLL on class indices with and without weights, ignored rows and label
// smoothing, both reductions, value, gradient and the reported D = Σ w[target], rows and classes
// at odd sizes (1, 3, 4, 5, 17, 1023).
import { afterEach, describe, expect, it } from 'vitest';
import { runtime } from '../../src/backend/runtime.js';
import { Heap, expectClose, kernelSets, randomArray } from '../helpers/heap.js';

const heap = new Heap();
afterEach(() => heap.free());

/** Writes one float at ptr. */
const poke = (ptr: number, v: number): void => {
  runtime().allocator.f32()[ptr >>> 2] = v;
};

const SHAPES: Array<[number, number]> = [[1, 1], [1, 3], [3, 4], [4, 5], [5, 3], [17, 17], [3, 1023], [1023, 3], [5, 1023]];

/** Seeded targets in [0, cols), every third one set to `ignore` (when rows > 1). */
function targets(rows: number, cols: number, ignore: number): Float32Array {
  const u = randomArray(rows, rows * 7 + cols, 0, cols);
  return Float32Array.from(u, (v, r) => (rows > 1 && r % 3 === 1 ? ignore : Math.min(cols - 1, Math.floor(v))));
}

describe('class-index loss kernels', () => {
  it.each(SHAPES)('match the reference: %i rows × %i classes, every option', (rows, cols) => {
    const { wasm, reference } = kernelSets();
    const n = rows * cols;
    const x = heap.f32(randomArray(n, rows + cols, -4, 4));
    const w = heap.f32(randomArray(cols, cols, 0, 2));
    const ow = heap.f32([NaN]), or = heap.f32([NaN]);
    for (const [ignore, hasWeight] of [[-100, 0], [-100, 1], [cols > 2 ? 2 : -1, 1], [0, 0]] as const) {
      const t = heap.f32(targets(rows, cols, ignore));
      const sums = [wasm, reference].map((k) => k.classIndexWeightSum(rows, cols, t, w, hasWeight, ignore));
      expectClose([sums[0]!], [sums[1]!], { rtol: 1e-6, atol: 0 }, 'weight sum');
      for (const mean of [1, 0]) {
        if (mean && !(sums[1]! > 0)) continue; // 0/0: its own test below
        const scale = mean ? 1 : 0.5, s = mean ? Math.fround(1 / sums[1]!) : scale;
        for (const eps of [0, 0.3, 1]) {
          const gw = heap.f32(new Float32Array(n).fill(NaN)), gr = heap.f32(new Float32Array(n).fill(NaN));
          const vw = wasm.crossEntropyIndices(rows, cols, x, t, w, hasWeight, ignore, eps, mean, scale, gw, ow);
          const vr = reference.crossEntropyIndices(rows, cols, x, t, w, hasWeight, ignore, eps, mean, scale, gr, or);
          const label = `CE ignore=${ignore} weight=${hasWeight} mean=${mean} ε=${eps}`;
          expectClose([vw], [vr], { rtol: 5e-6, atol: 1e-7 }, `${label} value`);
          // a gradient element is a difference of O(s·w) numbers: a few float32 ulp of s·(1 + W·ε)
          expectClose(heap.read(gw, n), heap.read(gr, n), { rtol: 5e-6, atol: 3e-7 * s * (1 + eps * cols) + 1e-9 }, `${label} gradient`);
          expect(heap.read(ow, 1)[0]).toBe(Math.fround(sums[1]!));
          expect(heap.read(or, 1)[0]).toBe(Math.fround(sums[1]!));
        }
        const nw = heap.f32(new Float32Array(n).fill(NaN)), nr = heap.f32(new Float32Array(n).fill(7));
        poke(ow, NaN);
        const lw = wasm.nllIndices(rows, cols, x, t, w, hasWeight, ignore, mean, scale, nw, ow);
        const lr = reference.nllIndices(rows, cols, x, t, w, hasWeight, ignore, mean, scale, nr, 0);
        expectClose([lw], [lr], { rtol: 2e-6, atol: 1e-7 }, `NLL ignore=${ignore} weight=${hasWeight} mean=${mean} value`);
        expectClose(heap.read(nw, n), heap.read(nr, n), { rtol: 1e-6, atol: 0 }, 'NLL gradient');
        expect(heap.read(ow, 1)[0]).toBe(Math.fround(sums[1]!));
      }
    }
  });

  it('a chunk of rows with the batch-wide factor (mean 0, scale 1/D) gives that chunk of the one-call result', () => {
    const { wasm } = kernelSets();
    const rows = 9, cols = 5, n = rows * cols;
    const x = heap.f32(randomArray(n, 3, -3, 3)), t = heap.f32(targets(rows, cols, -100)), w = heap.f32([1, 2, 0.5, 3, 1]);
    const whole = heap.zeros(n), parts = heap.zeros(n);
    const v = wasm.crossEntropyIndices(rows, cols, x, t, w, 1, -100, 0.2, 1, 1, whole, 0);
    const s = Math.fround(1 / wasm.classIndexWeightSum(rows, cols, t, w, 1, -100));
    const first = wasm.crossEntropyIndices(4, cols, x, t, w, 1, -100, 0.2, 0, s, parts, 0);
    const rest = wasm.crossEntropyIndices(rows - 4, cols, x + 16 * cols, t + 16, w, 1, -100, 0.2, 0, s, parts + 16 * cols, 0);
    expect(Array.from(heap.read(parts, n))).toEqual(Array.from(heap.read(whole, n)));
    expect(Math.abs(first + rest - v)).toBeLessThan(1e-6 * Math.abs(v));
  });

  it('return NaN, write nothing and report NaN for a target that is neither a class nor the ignored value', () => {
    const { wasm, reference } = kernelSets();
    const w = heap.f32([1, 2, 3]), x = heap.f32([-1, -2, -3, -4, -5, -6]), out = heap.f32([5]);
    for (const k of [wasm, reference]) {
      for (const bad of [3, -1, 0.5, NaN, Infinity, -100.5]) {
        const t = heap.f32([0, bad]), g = heap.f32([7, 7, 7, 7, 7, 7]);
        expect(k.classIndexWeightSum(2, 3, t, w, 1, -100)).toBeNaN();
        for (const mean of [0, 1]) {
          expect(k.crossEntropyIndices(2, 3, x, t, w, 1, -100, 0.1, mean, 1, g, out)).toBeNaN();
          expect(heap.read(out, 1)[0]).toBeNaN();
          poke(out, 5);
          expect(k.nllIndices(2, 3, x, t, w, 0, -100, mean, 1, g, out)).toBeNaN();
          expect(heap.read(out, 1)[0]).toBeNaN();
          expect(Array.from(heap.read(g, 6))).toEqual([7, 7, 7, 7, 7, 7]);
        }
      }
      expect(k.classIndexWeightSum(3, 3, heap.f32([2, -100, 1]), w, 1, -100)).toBe(5);
      expect(k.classIndexWeightSum(3, 3, heap.f32([2, -100, 1]), w, 0, -100)).toBe(2);
      expect(k.classIndexWeightSum(2, 3, heap.f32([1, 1]), w, 1, 1)).toBe(0); // an ignored class inside [0, classes)
    }
  });

  it('every row ignored: mean is 0/0 = NaN (torch) with D = 0 reported; sum is 0 with a zero gradient', () => {
    const { wasm, reference } = kernelSets();
    const x = heap.f32([1, 2, 3, 4, 5, 6]), t = heap.f32([-100, -100]), out = heap.f32([5]);
    for (const k of [wasm, reference]) {
      const g = heap.f32(new Float32Array(6).fill(9));
      expect(k.crossEntropyIndices(2, 3, x, t, 0, 0, -100, 0, 1, 1, g, out)).toBeNaN();
      expect(heap.read(out, 1)[0]).toBe(0);
      expect(k.nllIndices(2, 3, x, t, 0, 0, -100, 1, 1, g, out)).toBeNaN();
      expect(k.crossEntropyIndices(2, 3, x, t, 0, 0, -100, 0.2, 0, 1, g, out)).toBe(0);
      expect(Array.from(heap.read(g, 6))).toEqual([0, 0, 0, 0, 0, 0]);
      for (let i = 0; i < 6; i++) poke(g + 4 * i, 9);
      expect(k.nllIndices(2, 3, x, t, 0, 0, -100, 0, 1, g, out)).toBe(0);
      expect(Array.from(heap.read(g, 6))).toEqual([0, 0, 0, 0, 0, 0]);
      // kept rows whose classes weigh 0: D = 0 too
      expect(k.crossEntropyIndices(2, 3, x, heap.f32([1, -100]), heap.f32([1, 0, 1]), 1, -100, 0, 1, 1, g, out)).toBeNaN();
      expect(heap.read(out, 1)[0]).toBe(0);
    }
  });

  it('ignored rows get a zero gradient row and add nothing', () => {
    const { wasm } = kernelSets();
    const x = heap.f32([1, 2, 3, 4, 5, 6]), g = heap.f32(new Float32Array(6).fill(NaN));
    const v = wasm.crossEntropyIndices(2, 3, x, heap.f32([-100, 2]), 0, 0, -100, 0, 1, 1, g, 0);
    const only = wasm.crossEntropyIndices(1, 3, x + 12, heap.f32([2]), 0, 0, -100, 0, 1, 1, heap.zeros(3), 0);
    expect(v).toBe(only);
    expect(Array.from(heap.read(g, 3))).toEqual([0, 0, 0]);
  });
});
