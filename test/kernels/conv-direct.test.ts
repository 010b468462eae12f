// assembly/conv-direct.ts (products read straight from the padded image, channels in SIMD lanes)
// against the TypeScript reference (src/backend/reference-conv-direct.ts) at the edge geometries
// of conv.test.ts, with channel counts that fill 8-lane blocks, 4-lane blocks and their tails,
// and ranges split at points that cut the register blocks.
import { afterEach, describe, expect, it } from 'vitest';
import { Heap, expectClose, kernelSets, randomArray } from '../helpers/heap.js';
import { GEOMETRIES, outSize } from '../helpers/conv.js';

const heap = new Heap();
afterEach(() => heap.free());
const up4 = (n: number): number => Math.ceil(n / 4) * 4;

/** Floats of one direct slice (as src/backend/ops-conv.ts sizes it). */
function slice(C: number, H: number, W: number, O: number, KH: number, KW: number, SH: number, SW: number, DH: number, DW: number, OH: number, OW: number): number {
  const Hp = (OH - 1) * SH + (KH - 1) * DH + 1, Wp = (OW - 1) * SW + (KW - 1) * DW + 1;
  return up4(C * KH * KW) + up4(OH * OW) + up4(O) + up4(C * Math.max(Hp, H) * Math.max(Wp, W));
}

describe('conv direct kernels', () => {
  it.each(GEOMETRIES)('packed weights, forward and weight gradient = reference: C=%i H=%i W=%i k=%i×%i s=%i×%i p=%i×%i d=%i×%i', (...g) => {
    const { wasm, reference } = kernelSets();
    const [C, H, W, KH, KW, SH, SW, PH, PW, DH, DW] = g;
    const [OH, OW] = outSize(g);
    const N = 3, K = C * KH * KW, P = OH * OW;
    for (const O of [1, 3, 4, 6, 9, 16]) {
      const O4 = up4(O);
      const w = heap.f32(randomArray(O * K, O)), b = heap.f32(randomArray(O4, O + 1));
      for (const flip of [0, 1]) {
        const ld = flip ? up4(C) : O4, rows = flip ? O * KH * KW : K;
        const pa = heap.f32(new Float32Array(rows * ld).fill(NaN)), pr = heap.f32(new Float32Array(rows * ld).fill(NaN));
        wasm.convPackWeights(O, C, KH, KW, w, pa, ld, flip);
        reference.convPackWeights(O, C, KH, KW, w, pr, ld, flip);
        expect(Array.from(heap.read(pa, rows * ld))).toEqual(Array.from(heap.read(pr, rows * ld)));
      }
      const wT = heap.zeros(K * O4);
      wasm.convPackWeights(O, C, KH, KW, w, wT, O4, 0);
      const x = heap.f32(randomArray(N * C * H * W, 1));
      const size = slice(C, H, W, O, KH, KW, SH, SW, DH, DW, OH, OW);
      for (const bias of [b, 0]) {
        const a = heap.f32(new Float32Array(N * O * P).fill(NaN)), r = heap.f32(new Float32Array(N * O * P).fill(NaN));
        const s1 = heap.f32(new Float32Array(size).fill(NaN)), s2 = heap.f32(new Float32Array(size).fill(NaN));
        wasm.conv2dDirectImages(0, 1, C, H, W, O, KH, KW, SH, SW, PH, PW, DH, DW, OH, OW, x, wT, bias, a, O4, s1);
        wasm.conv2dDirectImages(1, N, C, H, W, O, KH, KW, SH, SW, PH, PW, DH, DW, OH, OW, x, wT, bias, a, O4, s2);
        reference.conv2dDirectImages(0, N, C, H, W, O, KH, KW, SH, SW, PH, PW, DH, DW, OH, OW, x, wT, bias, r, O4, 0);
        // float32 sums of K products of |x|, |w| ≤ 1 (plus the bias) against float64.
        expectClose(heap.read(a, N * O * P), heap.read(r, N * O * P), { rtol: 1e-5, atol: 2 * (K + 1) * (K + 1) * 6e-8 }, `forward O=${O}`);
      }
      // Weight gradient: dyT from dy, then taps split at 0, mid, K (cutting the register blocks).
      const dy = heap.f32(randomArray(N * O * P, 7));
      const ta = heap.f32(new Float32Array(N * P * O4).fill(NaN)), tr = heap.f32(new Float32Array(N * P * O4).fill(NaN));
      wasm.convTransposeImages(0, 2, O, P, O4, dy, ta);
      wasm.convTransposeImages(2, N, O, P, O4, dy, ta);
      reference.convTransposeImages(0, N, O, P, O4, dy, tr);
      expect(Array.from(heap.read(ta, N * P * O4))).toEqual(Array.from(heap.read(tr, N * P * O4)));
      const dw0 = randomArray(O * K, 11);
      const da = heap.f32(dw0), dr = heap.f32(dw0), dwT = heap.f32(new Float32Array(K * O4).fill(NaN));
      const mid = Math.min(K, 5);
      const s1 = heap.f32(new Float32Array(size).fill(NaN)), s2 = heap.f32(new Float32Array(size).fill(NaN));
      wasm.conv2dDirectWeightGrad(0, mid, N, C, H, W, KH, KW, SH, SW, PH, PW, DH, DW, OH, OW, x, ta, O, O4, da, dwT, s1);
      wasm.conv2dDirectWeightGrad(mid, K, N, C, H, W, KH, KW, SH, SW, PH, PW, DH, DW, OH, OW, x, ta, O, O4, da, dwT, s2);
      reference.conv2dDirectWeightGrad(0, K, N, C, H, W, KH, KW, SH, SW, PH, PW, DH, DW, OH, OW, x, tr, O, O4, dr, 0, 0);
      const terms = N * P;
      expectClose(heap.read(da, O * K), heap.read(dr, O * K), { rtol: 1e-5, atol: 2 * terms * terms * 6e-8 + 1e-6 }, `weight grad O=${O}`);
    }
  });

  it('the weight gradient is bit-identical for every split of its taps', () => {
    const { wasm } = kernelSets();
    const [C, H, W, KH, KW, SH, SW, PH, PW, DH, DW] = [6, 14, 14, 5, 5, 1, 1, 0, 0, 1, 1];
    const OH = 10, OW = 10, N = 2, O = 16, O4 = 16, K = C * KH * KW, P = OH * OW;
    const x = heap.f32(randomArray(N * C * H * W, 1)), dyT = heap.f32(randomArray(N * P * O4, 2));
    const size = slice(C, H, W, O, KH, KW, SH, SW, DH, DW, OH, OW);
    const run = (cuts: number[]): number[] => {
      const dw = heap.zeros(O * K), dwT = heap.zeros(K * O4), s = heap.zeros(size);
      for (let i = 0; i + 1 < cuts.length; i++) {
        wasm.conv2dDirectWeightGrad(cuts[i]!, cuts[i + 1]!, N, C, H, W, KH, KW, SH, SW, PH, PW, DH, DW, OH, OW, x, dyT, O, O4, dw, dwT, s);
      }
      return Array.from(heap.read(dw, O * K));
    };
    const whole = run([0, K]);
    expect(run([0, 1, 7, 8, 75, 149, K])).toEqual(whole);
    expect(run([0, 37, 74, 111, K])).toEqual(whole);
  });
});
