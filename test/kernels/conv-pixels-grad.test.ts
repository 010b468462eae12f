// assembly/conv-pixels-grad.ts (input gradient with output pixels in SIMD lanes, scattered into a
// padded dx) against the TypeScript reference, and the reference against the adjoint of the
// forward computed here in float64 (⟨conv(x), dy⟩ = ⟨x, dx⟩ term by term), at the edge
// geometries with column stride 1, channel counts that leave tap blocks of 4 partial, widths
// that leave partial vectors, and image ranges split in two.
import { afterEach, describe, expect, it } from 'vitest';
import { Heap, expectClose, kernelSets, randomArray } from '../helpers/heap.js';
import { GEOMETRIES, outSize, type Geometry } from '../helpers/conv.js';

const heap = new Heap();
afterEach(() => heap.free());
const up4 = (n: number): number => Math.ceil(n / 4) * 4;
/** The largest O below (the dyp part of the scratch). */
const O_MAX = 16;

/** dx[N, C, H, W] in float64 by scattering every forward term w·x back onto x. */
function inputGrad64(dy: Float32Array, w: Float32Array, N: number, O: number, g: Geometry): Float64Array {
  const [C, H, W, KH, KW, SH, SW, PH, PW, DH, DW] = g;
  const [OH, OW] = outSize(g);
  const dx = new Float64Array(N * C * H * W);
  for (let n = 0; n < N; n++) for (let o = 0; o < O; o++) for (let oy = 0; oy < OH; oy++) for (let ox = 0; ox < OW; ox++) {
    for (let c = 0; c < C; c++) for (let ky = 0; ky < KH; ky++) for (let kx = 0; kx < KW; kx++) {
      const iy = oy * SH - PH + ky * DH, ix = ox * SW - PW + kx * DW;
      if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
      const i = ((n * C + c) * H + iy) * W + ix;
      dx[i] = dx[i]! + dy[((n * O + o) * OH + oy) * OW + ox]! * w[((o * C + c) * KH + ky) * KW + kx]!;
    }
  }
  return dx;
}

/** Strides > 1 down the rows (the kernel's domain allows any row stride) and tails of every kind. */
const EXTRA: Geometry[] = [
  [2, 7, 9, 2, 3, 3, 1, 0, 1, 1, 1], // row stride larger than the kernel
  [3, 5, 6, 1, 1, 1, 1, 0, 0, 1, 1], // 1×1 kernel, K = 3 (one partial tap block)
  [1, 3, 3, 4, 4, 1, 1, 3, 3, 1, 1], // padding ≥ kernel − 1 on a tiny image
  [2, 11, 5, 3, 3, 2, 1, 4, 2, 2, 1], // padding wider than the window reaches: rows of dx past the frame
];

describe('conv pixel-lane input gradient', () => {
  it.each([...GEOMETRIES.filter((g) => g[6] === 1), ...EXTRA])('= reference = float64 adjoint: C=%i H=%i W=%i k=%i×%i s=%i×%i p=%i×%i d=%i×%i', (...g) => {
    const { wasm, reference } = kernelSets();
    const [C, H, W, KH, KW, SH, , PH, PW, DH, DW] = g;
    const [OH, OW] = outSize(g);
    const N = 3, K = C * KH * KW, P = OH * OW, image = C * H * W;
    const OWv = up4(OW), Hp = (OH - 1) * SH + (KH - 1) * DH + 1, Wp = OWv + (KW - 1) * DW;
    const slice = up4(K) + up4(3 * OH * (OWv / 4)) + 8 * O_MAX * Math.ceil((OH * OWv) / 8) + up4(C * Hp * Wp);
    for (const O of [1, 3, 6, 7, 16]) {
      const size = Math.ceil(K / 4) * 4 * O;
      const w = heap.f32(randomArray(O * K, O)), dy = heap.f32(randomArray(N * O * P, O + 2));
      const qa = heap.f32(new Float32Array(size).fill(NaN)), qr = heap.f32(new Float32Array(size).fill(NaN));
      wasm.convPackTapWeights(O, C, KH, KW, w, qa);
      reference.convPackTapWeights(O, C, KH, KW, w, qr);
      expect(Array.from(heap.read(qa, size))).toEqual(Array.from(heap.read(qr, size)));
      const a = heap.f32(new Float32Array(N * image).fill(NaN)), r = heap.f32(new Float32Array(N * image).fill(NaN));
      const s1 = heap.f32(new Float32Array(slice).fill(NaN)), s2 = heap.f32(new Float32Array(slice).fill(NaN));
      wasm.conv2dPixelInputGrad(0, 1, C, H, W, O, KH, KW, SH, PH, PW, DH, DW, OH, OW, dy, qa, a, s1);
      wasm.conv2dPixelInputGrad(1, N, C, H, W, O, KH, KW, SH, PH, PW, DH, DW, OH, OW, dy, qa, a, s2);
      reference.conv2dPixelInputGrad(0, N, C, H, W, O, KH, KW, SH, PH, PW, DH, DW, OH, OW, dy, qa, r, 0);
      const want = inputGrad64(heap.read(dy, N * O * P), heap.read(w, O * K), N, O, g);
      const terms = O * KH * KW;
      expectClose(heap.read(r, N * image), want, { rtol: 2e-7, atol: 1e-12 }, `reference O=${O}`);
      expectClose(heap.read(a, N * image), want, { rtol: 1e-5, atol: terms * 2e-7 }, `input gradient O=${O}`); // float32 rounding grows with the number of terms
      // One call over all images gives the same bits as the split above.
      const b = heap.f32(new Float32Array(N * image).fill(NaN));
      wasm.conv2dPixelInputGrad(0, N, C, H, W, O, KH, KW, SH, PH, PW, DH, DW, OH, OW, dy, qa, b, s1);
      expect(Array.from(heap.read(b, N * image))).toEqual(Array.from(heap.read(a, N * image)));
    }
  });
});
