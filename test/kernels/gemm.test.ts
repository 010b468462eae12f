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
function bound(
  a: Float32Array, b: Float32Array, m: number, n: number, k: number,
  aAt: (i: number, p: number) => number, bAt: (p: number, j: number) => number,
): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 1;
      for (let p = 0; p < k; p++) s += Math.abs(a[aAt(i, p)]! * b[bAt(p, j)]!);
      out[i * n + j] = 2 * (k + 1) * EPS32 * s;
    }
  }
  return out;
}

/** Where op(A) and op(B) keep element (i, p) and (p, j): [m, k] / [k, m] and [k, n] / [n, k] row-major. */
function layout(m: number, n: number, k: number, transposedA: boolean, transposedB: boolean) {
  const [ars, acs] = transposedA ? [1, m] : [k, 1];
  const [brs, bcs] = transposedB ? [1, k] : [n, 1];
  return { ars, acs, brs, bcs, aAt: (i: number, p: number) => i * ars + p * acs, bAt: (p: number, j: number) => p * brs + j * bcs };
}

type Mode = 'plain' | 'bias' | 'accumulate';

/** Runs gemmStrided (WASM, packing when it would) and the float64 reference; checks the bound. */
function checkProduct(m: number, n: number, k: number, transposedA: boolean, transposedB: boolean, modes: readonly Mode[]): void {
  const { wasm, reference } = kernelSets();
  const a = randomArray(m * k, m * 7 + k), b = randomArray(k * n, n * 13 + k), bias = randomArray(n, n);
  const c0 = randomArray(m * n, m + n);
  const { ars, acs, brs, bcs, aAt, bAt } = layout(m, n, k, transposedA, transposedB);
  const tol = bound(a, b, m, n, k, aAt, bAt);
  for (const mode of modes) {
    const pa = heap.f32(a), pb = heap.f32(b), pbias = heap.f32(bias);
    const packFloats = wasm.gemmPackSize(m, n, k);
    const scratch = packFloats ? heap.f32(new Float32Array(packFloats).fill(NaN)) : 0; // NaN: stale scratch must not leak
    const outW = heap.f32(c0), outR = heap.f32(c0);
    const biasPtr = mode === 'bias' ? pbias : 0, acc = mode === 'accumulate' ? 1 : 0;
    if (!transposedB) wasm.gemm(m, n, k, pa, ars, acs, pb, outW, biasPtr, acc, scratch);
    else wasm.gemmStrided(m, n, k, pa, ars, acs, pb, brs, bcs, outW, biasPtr, acc, scratch);
    reference.gemmStrided(m, n, k, pa, ars, acs, pb, brs, bcs, outR, biasPtr, acc, 0);
    const got = heap.read(outW, m * n), want = heap.read(outR, m * n);
    for (let i = 0; i < m * n; i++) {
      const scale = mode === 'accumulate' ? Math.abs(c0[i]!) : mode === 'bias' ? Math.abs(bias[i % n]!) : 0;
      if (!(Math.abs(got[i]! - want[i]!) <= tol[i]! * (1 + scale))) {
        throw new Error(`${mode} element ${i}: got ${got[i]}, want ${want[i]}, bound ${tol[i]}`);
      }
    }
    heap.free();
  }
}

// Sizes 1, 3, 4, 5, 7, 17, 63 and 1023 in every role, small (direct path) and packed (B over
// 4 KiB with m ≥ 32 and k ≥ 32, or over 64 KiB with m ≥ 8): k over one 256-step block, n not a
// multiple of 8, m not a multiple of 4, and the shapes of the benchmark networks.
const SHAPES: Array<[number, number, number]> = [
  [1, 1, 1], [3, 5, 4], [4, 4, 4], [5, 3, 17], [7, 7, 7], [17, 17, 17], [63, 63, 63], [64, 64, 64], [8, 16, 2],
  [100, 25, 2], [100, 2, 25], [1023, 5, 3], [3, 1023, 5], [5, 3, 1023], [13, 40, 9], [1023, 7, 63], [63, 17, 1023],
  [17, 1023, 17], [33, 130, 300], [9, 67, 600], [8, 129, 257], [35, 33, 32], [63, 1023, 7], [7, 63, 1023],
];

describe.each([
  { name: 'NN (dX = dY·W, and the forward with Wᵀ materialised)', transposedA: false, transposedB: false },
  { name: 'TN (dW += dYᵀ·X)', transposedA: true, transposedB: false },
  { name: 'NT (the forward X·Wᵀ reading W)', transposedA: false, transposedB: true },
  { name: 'TT (any strides)', transposedA: true, transposedB: true },
])('gemm $name', ({ transposedA, transposedB }) => {
  it.each(SHAPES)('m=%i n=%i k=%i, with bias / accumulate / plain', (m, n, k) => {
    checkProduct(m, n, k, transposedA, transposedB, ['plain', 'bias', 'accumulate']);
  });
});

describe('gemm on the mnist network\'s products (784-512-512-10, batch 128)', () => {
  it.each([
    ['forward L1: X·Wᵀ', 128, 512, 784, false, true, 'bias'],
    ['forward L3: X·Wᵀ (10 outputs)', 128, 10, 512, false, true, 'bias'],
    ['input gradient L1: dY·W', 128, 784, 512, false, false, 'plain'],
    ['input gradient L3: dY·W', 128, 512, 10, false, false, 'plain'],
    ['weight gradient L1: dW += dYᵀ·X', 512, 784, 128, true, false, 'accumulate'],
    ['weight gradient L3: dW += dYᵀ·X', 10, 512, 128, true, false, 'accumulate'],
  ] as const)('%s (m=%i n=%i k=%i)', (_name, m, n, k, tA, tB, mode) => {
    checkProduct(m, n, k, tA, tB, [mode]);
  });
});

describe('gemm', () => {
  it('writes nothing outside C', () => {
    const { wasm } = kernelSets();
    for (const [m, n, k] of [[5, 7, 3], [37, 13, 40]] as const) {
      const pa = heap.f32(randomArray(m * k, 1)), pb = heap.f32(randomArray(k * n, 2));
      const guarded = heap.f32(new Float32Array(m * n + 8).fill(42));
      const c = guarded + 16; // 4 guard floats before and after
      const floats = wasm.gemmPackSize(m, n, k);
      wasm.gemm(m, n, k, pa, k, 1, pb, c, 0, 0, floats ? heap.zeros(floats) : 0);
      const all = heap.read(guarded, m * n + 8);
      expect(Array.from(all.slice(0, 4))).toEqual([42, 42, 42, 42]);
      expect(Array.from(all.slice(4 + m * n))).toEqual([42, 42, 42, 42]);
    }
  });

  it('packs by the documented rule and the packed and direct paths agree bit for bit', () => {
    const { wasm } = kernelSets();
    expect(wasm.gemmPackSize(4, 1024, 1024)).toBe(0); // fewer than 8 rows
    expect(wasm.gemmPackSize(16, 100, 150)).toBe(0); // B 60 KiB, 16 rows
    expect(wasm.gemmPackSize(150, 100, 16)).toBe(0); // k < 32
    expect(wasm.gemmPackSize(32, 32, 32)).toBe(0); // B 4 KiB
    expect(wasm.gemmPackSize(8, 129, 128)).toBe(128 * (136 + 4) + 32); // B over 64 KiB
    expect(wasm.gemmPackSize(64, 64, 64)).toBe(64 * (64 + 4) + 32);
    expect(wasm.gemmPackSize(33, 130, 300)).toBe(256 * (136 + 4) + 32); // k in blocks of ≤ 256
    for (const [m, n, k] of [[21, 77, 530], [64, 64, 64], [33, 130, 300]] as const) {
      for (const [tA, tB] of [[false, false], [true, false], [false, true], [true, true]] as const) {
        const { ars, acs, brs, bcs } = layout(m, n, k, tA, tB);
        const pa = heap.f32(randomArray(m * k, 1)), pb = heap.f32(randomArray(k * n, 2)), pbias = heap.f32(randomArray(n, 3));
        const direct = heap.zeros(m * n), packed = heap.zeros(m * n);
        wasm.gemmStrided(m, n, k, pa, ars, acs, pb, brs, bcs, direct, pbias, 0, 0);
        const scratch = heap.f32(new Float32Array(wasm.gemmPackSize(m, n, k)).fill(NaN));
        wasm.gemmStrided(m, n, k, pa, ars, acs, pb, brs, bcs, packed, pbias, 0, scratch);
        expect(heap.read(packed, m * n), `m=${m} n=${n} k=${k} ${tA ? 'T' : 'N'}${tB ? 'T' : 'N'}`).toEqual(heap.read(direct, m * n));
        heap.free();
      }
    }
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
