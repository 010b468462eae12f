// assembly/conv-pixels.ts (forward with output pixels in SIMD lanes) against the TypeScript
// reference at the edge geometries with column stride 1 (the kernel's domain), with channel
// counts that fill blocks of 6 and leave tails, widths that leave partial vectors, and image
// ranges split in two.
import { afterEach, describe, expect, it } from 'vitest';
import { Heap, expectClose, kernelSets, randomArray } from '../helpers/heap.js';
import { GEOMETRIES, outSize } from '../helpers/conv.js';

const heap = new Heap();
afterEach(() => heap.free());
const up4 = (n: number): number => Math.ceil(n / 4) * 4;

describe('conv pixel-lane kernels', () => {
  it.each(GEOMETRIES.filter((g) => g[6] === 1))('packed weights and forward = reference: C=%i H=%i W=%i k=%i×%i s=%i×%i p=%i×%i d=%i×%i', (...g) => {
    const { wasm, reference } = kernelSets();
    const [C, H, W, KH, KW, SH, , PH, PW, DH, DW] = g;
    const [OH, OW] = outSize(g);
    const N = 3, K = C * KH * KW, P = OH * OW;
    const OWv = up4(OW), Hp = (OH - 1) * SH + (KH - 1) * DH + 1, Wp = OWv + (KW - 1) * DW;
    const slice = up4(K) + up4(3 * OH * (OWv / 4)) + up4(C * Hp * Wp);
    for (const O of [1, 3, 6, 7, 13]) {
      const size = Math.ceil(O / 6) * 6 * K;
      const w = heap.f32(randomArray(O * K, O)), b = heap.f32(randomArray(O, O + 1));
      const pa = heap.f32(new Float32Array(size).fill(NaN)), pr = heap.f32(new Float32Array(size).fill(NaN));
      wasm.convPackPixelWeights(O, K, w, pa);
      reference.convPackPixelWeights(O, K, w, pr);
      expect(Array.from(heap.read(pa, size))).toEqual(Array.from(heap.read(pr, size)));
      const x = heap.f32(randomArray(N * C * H * W, 1));
      for (const bias of [b, 0]) {
        const a = heap.f32(new Float32Array(N * O * P).fill(NaN)), r = heap.f32(new Float32Array(N * O * P).fill(NaN));
        const s1 = heap.f32(new Float32Array(slice).fill(NaN)), s2 = heap.f32(new Float32Array(slice).fill(NaN));
        wasm.conv2dPixelImages(0, 1, C, H, W, O, KH, KW, SH, PH, PW, DH, DW, OH, OW, x, pa, bias, a, s1);
        wasm.conv2dPixelImages(1, N, C, H, W, O, KH, KW, SH, PH, PW, DH, DW, OH, OW, x, pa, bias, a, s2);
        reference.conv2dPixelImages(0, N, C, H, W, O, KH, KW, SH, PH, PW, DH, DW, OH, OW, x, pa, bias, r, 0);
        expectClose(heap.read(a, N * O * P), heap.read(r, N * O * P), { rtol: 1e-5, atol: 2 * (K + 1) * (K + 1) * 6e-8 }, `forward O=${O}`);
      }
    }
  });

  // OW a multiple of 4: the geometries above with their width adjusted, plus LeNet's conv1.
  it.each([
    [1, 28, 28, 5, 5, 1, 1, 2, 2, 1, 1], [3, 2, 6, 5, 3, 1, 1, 2, 0, 1, 1], [2, 9, 10, 3, 3, 2, 1, 1, 1, 2, 2],
    [2, 1, 4, 1, 1, 1, 1, 0, 0, 1, 1], [4, 6, 8, 3, 3, 1, 1, 1, 1, 1, 1],
  ])('weight gradient = reference, any split of the taps: C=%i H=%i W=%i k=%i×%i s=%i×%i p=%i×%i d=%i×%i', (...g) => {
    const { wasm, reference } = kernelSets();
    const [C, H, W, KH, KW, SH, , PH, PW, DH, DW] = g;
    const [OH, OW] = outSize(g as never);
    expect(OW % 4).toBe(0);
    const N = 3, K = C * KH * KW, P = OH * OW;
    const Hp = (OH - 1) * SH + (KH - 1) * DH + 1, Wp = OW + (KW - 1) * DW;
    for (const O of [1, 6, 7, 13]) {
      const slice = up4(K) + up4(3 * OH * (OW / 4)) + up4(C * Hp * Wp) + 6 * Math.ceil(O / 6) * P;
      const x = heap.f32(randomArray(N * C * H * W, 1)), dy = heap.f32(randomArray(N * O * P, 2));
      const dw0 = randomArray(O * K, 3);
      const rows = K * Math.ceil(O / 6) * 24;
      const run = (cuts: number[]): Float32Array => {
        const dw = heap.f32(dw0), dwL = heap.f32(new Float32Array(rows).fill(NaN)), sc = heap.f32(new Float32Array(slice).fill(NaN));
        for (let i = 0; i + 1 < cuts.length; i++) wasm.conv2dPixelWeightGrad(cuts[i]!, cuts[i + 1]!, N, C, H, W, O, KH, KW, SH, PH, PW, DH, DW, OH, OW, x, dy, dw, dwL, sc);
        return heap.read(dw, O * K);
      };
      const whole = run([0, K]);
      const dr = heap.f32(dw0);
      reference.conv2dPixelWeightGrad(0, K, N, C, H, W, O, KH, KW, SH, PH, PW, DH, DW, OH, OW, x, dy, dr, 0, 0);
      const terms = N * P;
      expectClose(whole, heap.read(dr, O * K), { rtol: 1e-5, atol: 2 * terms * terms * 6e-8 + 1e-6 }, `weight grad O=${O}`);
      expect(Array.from(run([0, 1, Math.min(4, K), K].filter((v, i, a) => i === 0 || v > a[i - 1]!)))).toEqual(Array.from(whole));
    }
  });
});
