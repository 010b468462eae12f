// assembly/conv-images.ts (im2col + GEMM over a range of images, each range with its own
// scratch) against the TypeScript reference, at the edge geometries of conv.test.ts and with
// output channels that are and are not a multiple of 4 (the padded [O4, K] weight path).
import { afterEach, describe, expect, it } from 'vitest';
import { Heap, expectClose, kernelSets, randomArray } from '../helpers/heap.js';
import { GEOMETRIES, outSize } from '../helpers/conv.js';

const heap = new Heap();
afterEach(() => heap.free());

describe('conv image-range kernels', () => {
  it.each(GEOMETRIES)('forward and input gradient over two image ranges = reference: C=%i H=%i W=%i k=%i×%i s=%i×%i p=%i×%i d=%i×%i', (...g) => {
    const { wasm, reference } = kernelSets();
    const [C, H, W, KH, KW, SH, SW, PH, PW, DH, DW] = g;
    const [OH, OW] = outSize(g);
    const N = 3, K = C * KH * KW, P = OH * OW;
    for (const O of [3, 4, 5]) {
      const O4 = Math.ceil(O / 4) * 4;
      const packs = Math.max(wasm.gemmPackSize(O4, P, K), wasm.gemmPackSize(K, P, O));
      const slice = K * P + (O4 === O ? 0 : O4 * P) + packs;
      // The forward takes the weight and bias padded with zero rows to O4.
      const wv = randomArray(O * K, O), bv = randomArray(O, O + 1);
      const w4 = new Float32Array(O4 * K), b4 = new Float32Array(O4);
      w4.set(wv);
      b4.set(bv);
      const x = heap.f32(randomArray(N * C * H * W, 1)), w = heap.f32(w4), b = heap.f32(b4);
      const a = heap.f32(new Float32Array(N * O * P).fill(NaN)), r = heap.f32(new Float32Array(N * O * P).fill(NaN));
      const s1 = heap.zeros(slice), s2 = heap.zeros(slice), sr = heap.zeros(slice);
      wasm.conv2dImagesForward(0, 1, C, H, W, O, KH, KW, SH, SW, PH, PW, DH, DW, OH, OW, x, w, b, a, O4, s1);
      wasm.conv2dImagesForward(1, N, C, H, W, O, KH, KW, SH, SW, PH, PW, DH, DW, OH, OW, x, w, b, a, O4, s2);
      reference.conv2dImagesForward(0, N, C, H, W, O, KH, KW, SH, SW, PH, PW, DH, DW, OH, OW, x, w, b, r, O4, sr);
      // float32 sums of K products of |x|, |w| ≤ 1 (plus the bias) against float64.
      const tol = { rtol: 1e-5, atol: 2 * (K + 1) * (K + 1) * 6e-8 };
      expectClose(heap.read(a, N * O * P), heap.read(r, N * O * P), tol, `forward O=${O}`);
      // Input gradient: dx is overwritten (it starts as NaN), w read unpadded [O, K].
      const dy = heap.f32(randomArray(N * O * P, 7)), wu = heap.f32(wv);
      const da = heap.f32(new Float32Array(N * C * H * W).fill(NaN)), dr = heap.f32(new Float32Array(N * C * H * W).fill(NaN));
      wasm.conv2dImagesInputGrad(0, 2, C, H, W, O, KH, KW, SH, SW, PH, PW, DH, DW, OH, OW, wu, dy, da, O4, s1);
      wasm.conv2dImagesInputGrad(2, N, C, H, W, O, KH, KW, SH, SW, PH, PW, DH, DW, OH, OW, wu, dy, da, O4, s2);
      reference.conv2dImagesInputGrad(0, N, C, H, W, O, KH, KW, SH, SW, PH, PW, DH, DW, OH, OW, wu, dy, dr, O4, sr);
      const taps = Math.ceil(KH / SH) * Math.ceil(KW / SW) * O;
      expectClose(heap.read(da, N * C * H * W), heap.read(dr, N * C * H * W), { rtol: 1e-5, atol: 2 * taps * taps * 6e-8 },
        `input gradient O=${O}`);
      expect(heap.read(a, N * O * P).every(Number.isFinite)).toBe(true);
    }
  });
});
