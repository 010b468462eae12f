// assembly/conv.ts against the TypeScript reference (src/backend/reference-conv.ts), at shapes
// that reach every edge: 1×1 images, kernels larger than the input with padding, stride larger
// than the kernel, dilation, non-square everything, output widths that leave SIMD tails.
import { afterEach, describe, expect, it } from 'vitest';
import { Heap, expectClose, kernelSets, randomArray } from '../helpers/heap.js';
import { GEOMETRIES, outSize } from '../helpers/conv.js';

const heap = new Heap();
afterEach(() => heap.free());

describe('conv kernels', () => {
  it.each(GEOMETRIES)('im2col (both layouts) and col2im: C=%i H=%i W=%i k=%i×%i s=%i×%i p=%i×%i d=%i×%i', (...g) => {
    const { wasm, reference } = kernelSets();
    const [C, H, W, KH, KW, SH, SW, PH, PW, DH, DW] = g;
    const [OH, OW] = outSize(g);
    expect(OH).toBeGreaterThan(0);
    const K = C * KH * KW, P = OH * OW;
    const x = heap.f32(randomArray(C * H * W, C + H * 7 + W));
    for (const transposed of [0, 1]) {
      const a = heap.f32(new Float32Array(K * P).fill(NaN)), b = heap.f32(new Float32Array(K * P).fill(NaN));
      // Two calls over halves of the channel range: the range arguments work.
      const mid = C >> 1;
      wasm.im2col(0, mid, C, H, W, KH, KW, SH, SW, PH, PW, DH, DW, OH, OW, x, a, transposed);
      wasm.im2col(mid, C, C, H, W, KH, KW, SH, SW, PH, PW, DH, DW, OH, OW, x, a, transposed);
      reference.im2col(0, C, C, H, W, KH, KW, SH, SW, PH, PW, DH, DW, OH, OW, x, b, transposed);
      expect(Array.from(heap.read(a, K * P))).toEqual(Array.from(heap.read(b, K * P)));
    }
    const dcol = heap.f32(randomArray(K * P, 99));
    const start = randomArray(C * H * W, 5);
    const a = heap.f32(start), b = heap.f32(start);
    wasm.col2im(0, C, C, H, W, KH, KW, SH, SW, PH, PW, DH, DW, OH, OW, dcol, a);
    reference.col2im(0, C, C, H, W, KH, KW, SH, SW, PH, PW, DH, DW, OH, OW, dcol, b);
    // Same additions in the same order: equal to float32 rounding of each sum.
    expectClose(heap.read(a, C * H * W), heap.read(b, C * H * W), { rtol: 1e-6, atol: 1e-6 }, 'col2im');
  });

  it('col2im is the adjoint of im2col: <im2col(x), c> = <x, col2im(c)>', () => {
    const { wasm } = kernelSets();
    for (const g of GEOMETRIES) {
      const [C, H, W, KH, KW, SH, SW, PH, PW, DH, DW] = g;
      const [OH, OW] = outSize(g);
      const K = C * KH * KW, P = OH * OW;
      const xs = randomArray(C * H * W, 1), cs = randomArray(K * P, 2);
      const col = heap.zeros(K * P), dx = heap.zeros(C * H * W);
      wasm.im2col(0, C, C, H, W, KH, KW, SH, SW, PH, PW, DH, DW, OH, OW, heap.f32(xs), col, 0);
      wasm.col2im(0, C, C, H, W, KH, KW, SH, SW, PH, PW, DH, DW, OH, OW, heap.f32(cs), dx);
      const colV = heap.read(col, K * P), dxV = heap.read(dx, C * H * W);
      let left = 0, right = 0;
      for (let i = 0; i < K * P; i++) left += colV[i]! * cs[i]!;
      for (let i = 0; i < C * H * W; i++) right += xs[i]! * dxV[i]!;
      expect(Math.abs(left - right)).toBeLessThan(1e-4 * (1 + Math.abs(left)));
    }
  });

  it.each([[1, 1, 1], [2, 3, 5], [3, 6, 784], [64, 16, 100], [5, 4, 17]])('bias init and bias gradient N=%i O=%i L=%i', (N, O, L) => {
    const { wasm, reference } = kernelSets();
    const bias = heap.f32(randomArray(O, 3));
    for (const b of [bias, 0]) {
      const y1 = heap.f32(new Float32Array(N * O * L).fill(NaN)), y2 = heap.f32(new Float32Array(N * O * L).fill(NaN));
      wasm.convBiasInit(0, N * O, O, L, b, y1);
      reference.convBiasInit(0, N * O, O, L, b, y2);
      expect(Array.from(heap.read(y1, N * O * L))).toEqual(Array.from(heap.read(y2, N * O * L)));
    }
    const dy = heap.f32(randomArray(N * O * L, 4));
    const db0 = randomArray(O, 6);
    const d1 = heap.f32(db0), d2 = heap.f32(db0);
    wasm.convBiasGrad(0, O, N, O, L, dy, d1);
    reference.convBiasGrad(0, O, N, O, L, dy, d2);
    // float32 sums of N·L terms of |dy| ≤ 1: error ≤ N·L·2⁻²⁴ per channel.
    expectClose(heap.read(d1, O), heap.read(d2, O), { rtol: 0, atol: 2 * N * L * 2 ** -24 + 1e-7 }, 'bias grad');
  });
});
