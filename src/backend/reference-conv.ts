import type { ConvKernels } from './kernels.js';
import type { HeapViews } from './reference.js';

/**
 * conv.ts in plain TypeScript over the same memory (the kernel tests' oracle): im2col element by
 * element from its definition, col2im as its adjoint, bias init and bias gradient in float64.
 */
export function createConvReference(heap: HeapViews): ConvKernels {
  const at = (ptr: number): number => ptr >>> 2;
  /** The input index im2col reads for row r = (c, ky, kx) and output position (oy, ox), or -1. */
  const source = (c: number, ky: number, kx: number, oy: number, ox: number,
    H: number, W: number, SH: number, SW: number, PH: number, PW: number, DH: number, DW: number): number => {
    const iy = oy * SH - PH + ky * DH, ix = ox * SW - PW + kx * DW;
    return iy >= 0 && iy < H && ix >= 0 && ix < W ? (c * H + iy) * W + ix : -1;
  };
  return {
    im2col(c0, c1, C, H, W, KH, KW, SH, SW, PH, PW, DH, DW, OH, OW, x, col, transposed) {
      const h = heap.f32(), K = C * KH * KW, P = OH * OW;
      for (let c = c0; c < c1; c++) {
        for (let ky = 0; ky < KH; ky++) for (let kx = 0; kx < KW; kx++) {
          const r = (c * KH + ky) * KW + kx;
          for (let oy = 0; oy < OH; oy++) for (let ox = 0; ox < OW; ox++) {
            const s = source(c, ky, kx, oy, ox, H, W, SH, SW, PH, PW, DH, DW);
            const p = oy * OW + ox;
            h[at(col) + (transposed ? p * K + r : r * P + p)] = s < 0 ? 0 : h[at(x) + s]!;
          }
        }
      }
    },
    col2im(c0, c1, C, H, W, KH, KW, SH, SW, PH, PW, DH, DW, OH, OW, dcol, dx) {
      const h = heap.f32(), P = OH * OW;
      for (let c = c0; c < c1; c++) {
        for (let ky = 0; ky < KH; ky++) for (let kx = 0; kx < KW; kx++) {
          const r = (c * KH + ky) * KW + kx;
          for (let oy = 0; oy < OH; oy++) for (let ox = 0; ox < OW; ox++) {
            const s = source(c, ky, kx, oy, ox, H, W, SH, SW, PH, PW, DH, DW);
            if (s >= 0) h[at(dx) + s] = h[at(dx) + s]! + h[at(dcol) + r * P + oy * OW + ox]!;
          }
        }
      }
    },
    convBiasInit(p0, p1, O, L, bias, y) {
      const h = heap.f32();
      for (let p = p0; p < p1; p++) h.fill(bias ? h[at(bias) + (p % O)]! : 0, at(y) + p * L, at(y) + (p + 1) * L);
    },
    convBiasGrad(o0, o1, N, O, L, dy, db) {
      const h = heap.f32();
      for (let o = o0; o < o1; o++) {
        let s = 0;
        for (let n = 0; n < N; n++) for (let l = 0; l < L; l++) s += h[at(dy) + (n * O + o) * L + l]!;
        h[at(db) + o] = h[at(db) + o]! + s;
      }
    },
  };
}
