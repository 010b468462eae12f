import type { ConvDirectKernels } from './kernels.js';
import type { HeapViews } from './reference.js';

/**
 * conv-direct.ts in plain TypeScript over the same memory (the kernel tests' oracle), from the
 * definitions: every output a float64 sum over its window, zeros outside the image; no tables,
 * no padded copies (the scratch and dwT arguments are not used).
 */
export function createConvDirectReference(heap: HeapViews): ConvDirectKernels {
  const at = (ptr: number): number => ptr >>> 2;
  return {
    convPackWeights(O, C, KH, KW, w, dst, ld, flip) {
      const h = heap.f32(), T = KH * KW, rows = flip ? O * T : C * T;
      h.fill(0, at(dst), at(dst) + rows * ld);
      for (let o = 0; o < O; o++) for (let c = 0; c < C; c++) for (let ky = 0; ky < KH; ky++) for (let kx = 0; kx < KW; kx++) {
        const v = h[at(w) + ((o * C + c) * KH + ky) * KW + kx]!;
        if (flip) h[at(dst) + ((o * KH + KH - 1 - ky) * KW + KW - 1 - kx) * ld + c] = v;
        else h[at(dst) + ((c * KH + ky) * KW + kx) * ld + o] = v;
      }
    },
    conv2dDirectImages(n0, n1, C, H, W, O, KH, KW, SH, SW, PH, PW, DH, DW, OH, OW, x, wT, bias, y, O4, _scratch) {
      const h = heap.f32();
      for (let n = n0; n < n1; n++) for (let o = 0; o < O; o++) for (let oy = 0; oy < OH; oy++) for (let ox = 0; ox < OW; ox++) {
        let s = bias ? h[at(bias) + o]! : 0;
        for (let c = 0; c < C; c++) for (let ky = 0; ky < KH; ky++) for (let kx = 0; kx < KW; kx++) {
          const iy = oy * SH - PH + ky * DH, ix = ox * SW - PW + kx * DW;
          if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
          s += h[at(x) + ((n * C + c) * H + iy) * W + ix]! * h[at(wT) + ((c * KH + ky) * KW + kx) * O4 + o]!;
        }
        h[at(y) + ((n * O + o) * OH + oy) * OW + ox] = s;
      }
    },
    convPackPixelWeights(O, K, w, wP) {
      const h = heap.f32(), blocks = Math.ceil(O / 6);
      h.fill(0, at(wP), at(wP) + blocks * K * 6);
      for (let o = 0; o < O; o++) for (let r = 0; r < K; r++) h[at(wP) + (Math.floor(o / 6) * K + r) * 6 + (o % 6)] = h[at(w) + o * K + r]!;
    },
    conv2dPixelImages(n0, n1, C, H, W, O, KH, KW, SH, PH, PW, DH, DW, OH, OW, x, wP, bias, y, _scratch) {
      const h = heap.f32(), K = C * KH * KW;
      for (let n = n0; n < n1; n++) for (let o = 0; o < O; o++) for (let oy = 0; oy < OH; oy++) for (let ox = 0; ox < OW; ox++) {
        let s = bias ? h[at(bias) + o]! : 0;
        for (let c = 0; c < C; c++) for (let ky = 0; ky < KH; ky++) for (let kx = 0; kx < KW; kx++) {
          const iy = oy * SH - PH + ky * DH, ix = ox - PW + kx * DW;
          if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
          const r = (c * KH + ky) * KW + kx;
          s += h[at(x) + ((n * C + c) * H + iy) * W + ix]! * h[at(wP) + (Math.floor(o / 6) * K + r) * 6 + (o % 6)]!;
        }
        h[at(y) + ((n * O + o) * OH + oy) * OW + ox] = s;
      }
    },
    conv2dPixelWeightGrad(r0, r1, N, C, H, W, O, KH, KW, SH, PH, PW, DH, DW, OH, OW, x, dy, dw, _dwL, _scratch) {
      const h = heap.f32(), K = C * KH * KW;
      for (let r = r0; r < r1; r++) {
        const c = Math.floor(r / (KH * KW)), ky = Math.floor(r / KW) % KH, kx = r % KW;
        for (let o = 0; o < O; o++) {
          let s = 0;
          for (let n = 0; n < N; n++) for (let oy = 0; oy < OH; oy++) for (let ox = 0; ox < OW; ox++) {
            const iy = oy * SH - PH + ky * DH, ix = ox - PW + kx * DW;
            if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
            s += h[at(dy) + ((n * O + o) * OH + oy) * OW + ox]! * h[at(x) + ((n * C + c) * H + iy) * W + ix]!;
          }
          h[at(dw) + o * K + r] = h[at(dw) + o * K + r]! + s;
        }
      }
    },
    convPackTapWeights(O, C, KH, KW, w, wQ) {
      const h = heap.f32(), K = C * KH * KW, blocks = Math.ceil(K / 4);
      h.fill(0, at(wQ), at(wQ) + blocks * O * 4);
      for (let o = 0; o < O; o++) for (let c = 0; c < C; c++) for (let ky = 0; ky < KH; ky++) for (let kx = 0; kx < KW; kx++) {
        const q = (kx * C + c) * KH + ky;
        h[at(wQ) + (Math.floor(q / 4) * O + o) * 4 + (q % 4)] = h[at(w) + o * K + (c * KH + ky) * KW + kx]!;
      }
    },
    conv2dPixelInputGrad(n0, n1, C, H, W, O, KH, KW, SH, PH, PW, DH, DW, OH, OW, dy, wQ, dx, _scratch) {
      // dx[c, iy, ix] = Σ over the (o, oy, ox, ky, kx) whose window reads (c, iy, ix) of w·dy.
      const h = heap.f32();
      for (let n = n0; n < n1; n++) for (let c = 0; c < C; c++) for (let iy = 0; iy < H; iy++) for (let ix = 0; ix < W; ix++) {
        let s = 0;
        for (let ky = 0; ky < KH; ky++) for (let kx = 0; kx < KW; kx++) {
          const ty = iy + PH - ky * DH, ox = ix + PW - kx * DW;
          if (ty < 0 || ty % SH !== 0 || ty / SH >= OH || ox < 0 || ox >= OW) continue;
          const q = (kx * C + c) * KH + ky;
          for (let o = 0; o < O; o++) s += h[at(dy) + ((n * O + o) * OH + ty / SH) * OW + ox]! * h[at(wQ) + (Math.floor(q / 4) * O + o) * 4 + (q % 4)]!;
        }
        h[at(dx) + ((n * C + c) * H + iy) * W + ix] = s;
      }
    },
    convTransposeImages(n0, n1, O, P, O4, dy, dyT) {
      const h = heap.f32();
      for (let n = n0; n < n1; n++) for (let p = 0; p < P; p++) for (let o = 0; o < O4; o++) {
        h[at(dyT) + (n * P + p) * O4 + o] = o < O ? h[at(dy) + (n * O + o) * P + p]! : 0;
      }
    },
    conv2dDirectWeightGrad(r0, r1, N, C, H, W, KH, KW, SH, SW, PH, PW, DH, DW, OH, OW, x, dyT, O, O4, dw, _dwT, _scratch) {
      const h = heap.f32(), K = C * KH * KW;
      for (let r = r0; r < r1; r++) {
        const c = Math.floor(r / (KH * KW)), ky = Math.floor(r / KW) % KH, kx = r % KW;
        for (let o = 0; o < O; o++) {
          let s = 0;
          for (let n = 0; n < N; n++) for (let oy = 0; oy < OH; oy++) for (let ox = 0; ox < OW; ox++) {
            const iy = oy * SH - PH + ky * DH, ix = ox * SW - PW + kx * DW;
            if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
            s += h[at(dyT) + (n * OH * OW + oy * OW + ox) * O4 + o]! * h[at(x) + ((n * C + c) * H + iy) * W + ix]!;
          }
          h[at(dw) + o * K + r] = h[at(dw) + o * K + r]! + s;
        }
      }
    },
  };
}
