// The dense-layer GEMM (assembly/gemm.ts) against the float64 reference, for the three products
// a Linear layer uses, with and without bias / accumulation, at sizes that hit every edge block.
import { afterEach, describe, expect, it } from 'vitest';
import { Heap, kernelSets, randomArray } from '../helpers/heap.js';

const heap = new Heap();
afterEach(() => heap.free());

const EPS32 = 2 ** -24;

/**
 * Float32 summation error bound: |Ĉ - C| ≤ k·eps·Σ_p |A_ip||B_pj| (+ |init|). The test allows
 * twice that bound per element.
 */
function bound(a: Float32Array, b: Float32Array, m: number, n: number, k: number, aAt: (i: number, p: number) => number): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 1;
      for (let p = 0; p < k; p++) s += Math.abs(a[aAt(i, p)]! * b[p * n + j]!);
      out[i * n + j] = 2 * (k + 1) * EPS32 * s;
    }
  }
  return out;
}

// The last shapes are large enough for the packed path (B over 64 KiB, m ≥ 8): k over one
// 256-row block, n not a multiple of 8, m not a multiple of 4.
const SHAPES: Array<[number, number, number]> = [
  [1, 1, 1], [3, 5, 4], [4, 4, 4], [5, 3, 17], [17, 17, 17], [64, 64, 64], [8, 16, 2],
  [100, 25, 2], [100, 2, 25], [1023, 5, 3], [3, 1023, 5], [5, 3, 1023], [13, 40, 9],
  [17, 1023, 17], [33, 130, 300], [9, 67, 600], [8, 129, 257],
];

describe.each([
  { name: 'NN (forward X·Wᵀ with Wᵀ materialised, and dX = dY·W)', transposedA: false },
  { name: 'TN (dW += dYᵀ·X)', transposedA: true },
])('gemm $name', ({ transposedA }) => {
  it.each(SHAPES)('m=%i n=%i k=%i, with bias / accumulate / plain', (m, n, k) => {
    const { wasm, reference } = kernelSets();
    const a = randomArray(m * k, m * 7 + k), b = randomArray(k * n, n * 13 + k), bias = randomArray(n, n);
    const c0 = randomArray(m * n, m + n);
    // A stored [m, k] (row stride k) or, transposed, [k, m] (row stride 1, column stride m).
    const [ars, acs] = transposedA ? [1, m] : [k, 1];
    const aAt = (i: number, p: number): number => i * ars + p * acs;
    const tol = bound(a, b, m, n, k, aAt);
    for (const mode of ['plain', 'bias', 'accumulate'] as const) {
      const pa = heap.f32(a), pb = heap.f32(b), pbias = heap.f32(bias);
      const packFloats = wasm.gemmPackSize(m, n, k);
      const scratch = packFloats ? heap.f32(new Float32Array(packFloats).fill(NaN)) : 0; // NaN: stale scratch must not leak
      const outW = heap.f32(c0), outR = heap.f32(c0);
      const biasPtr = mode === 'bias' ? pbias : 0, acc = mode === 'accumulate' ? 1 : 0;
      wasm.gemm(m, n, k, pa, ars, acs, pb, outW, biasPtr, acc, scratch);
      reference.gemm(m, n, k, pa, ars, acs, pb, outR, biasPtr, acc, 0);
      const got = heap.read(outW, m * n), want = heap.read(outR, m * n);
      for (let i = 0; i < m * n; i++) {
        const scale = mode === 'accumulate' ? Math.abs(c0[i]!) : mode === 'bias' ? Math.abs(bias[i % n]!) : 0;
        if (!(Math.abs(got[i]! - want[i]!) <= tol[i]! * (1 + scale))) {
          throw new Error(`${mode} element ${i}: got ${got[i]}, want ${want[i]}, bound ${tol[i]}`);
        }
      }
    }
  });
});

describe('gemm', () => {
  it('writes nothing outside C', () => {
    const { wasm } = kernelSets();
    const m = 5, n = 7, k = 3;
    const pa = heap.f32(randomArray(m * k, 1)), pb = heap.f32(randomArray(k * n, 2));
    const guarded = heap.f32(new Float32Array(m * n + 8).fill(42));
    const c = guarded + 16; // 4 guard floats before and after
    wasm.gemm(m, n, k, pa, k, 1, pb, c, 0, 0, 0);
    const all = heap.read(guarded, m * n + 8);
    expect(Array.from(all.slice(0, 4))).toEqual([42, 42, 42, 42]);
    expect(Array.from(all.slice(4 + m * n))).toEqual([42, 42, 42, 42]);
  });

  it('packs exactly when B is large and the packed and direct paths agree bit for bit', () => {
    const { wasm } = kernelSets();
    expect(wasm.gemmPackSize(64, 64, 64)).toBe(0);
    expect(wasm.gemmPackSize(4, 1024, 1024)).toBe(0);
    expect(wasm.gemmPackSize(33, 130, 300)).toBe(256 * (136 + 36));
    const [m, n, k] = [21, 77, 530];
    const pa = heap.f32(randomArray(m * k, 1)), pb = heap.f32(randomArray(k * n, 2));
    const direct = heap.zeros(m * n), packed = heap.zeros(m * n);
    wasm.gemm(m, n, k, pa, k, 1, pb, direct, 0, 0, 0);
    wasm.gemm(m, n, k, pa, k, 1, pb, packed, 0, 0, heap.zeros(wasm.gemmPackSize(m, n, k)));
    expect(heap.read(packed, m * n)).toEqual(heap.read(direct, m * n));
    // Transposed A (the weight-gradient layout) packs A's bands too.
    const pt = heap.f32(randomArray(k * m, 3));
    const directT = heap.zeros(m * n), packedT = heap.zeros(m * n);
    wasm.gemm(m, n, k, pt, 1, m, pb, directT, 0, 0, 0);
    wasm.gemm(m, n, k, pt, 1, m, pb, packedT, 0, 0, heap.f32(new Float32Array(wasm.gemmPackSize(m, n, k)).fill(NaN)));
    expect(heap.read(packedT, m * n)).toEqual(heap.read(directT, m * n));
  });

  it('transpose matches the reference for every tile remainder', () => {
    const { wasm, reference } = kernelSets();
    for (const [r, c] of [[1, 1], [3, 5], [8, 8], [9, 17], [64, 3], [25, 25]] as const) {
      const src = heap.f32(randomArray(r * c, r * c));
      const dw = heap.zeros(r * c), dr = heap.zeros(r * c);
      wasm.transpose(r, c, src, dw);
      reference.transpose(r, c, src, dr);
      expect(heap.read(dw, r * c)).toEqual(heap.read(dr, r * c));
    }
  });
});
