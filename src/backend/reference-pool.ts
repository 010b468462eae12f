import type { PoolKernels } from './kernels.js';
import type { HeapViews } from './reference.js';

/** pool.ts in plain TypeScript over the same memory (the kernel tests' oracle). */
export function createPoolReference(heap: HeapViews): PoolKernels {
  const at = (ptr: number): number => ptr >>> 2;
  /** Calls visit(iy, ix) for the image pixels of window (oy, ox). */
  const window = (oy: number, ox: number, H: number, W: number, KH: number, KW: number, SH: number, SW: number,
    PH: number, PW: number, visit: (iy: number, ix: number) => void): void => {
    for (let ky = 0; ky < KH; ky++) for (let kx = 0; kx < KW; kx++) {
      const iy = oy * SH - PH + ky, ix = ox * SW - PW + kx;
      if (iy >= 0 && iy < H && ix >= 0 && ix < W) visit(iy, ix);
    }
  };
  return {
    maxPool2dForward(p0, p1, H, W, KH, KW, SH, SW, PH, PW, OH, OW, x, y, argmax) {
      const h = heap.f32(), idx = heap.i32();
      for (let p = p0; p < p1; p++) for (let oy = 0; oy < OH; oy++) for (let ox = 0; ox < OW; ox++) {
        let best = -Infinity, where = -1;
        window(oy, ox, H, W, KH, KW, SH, SW, PH, PW, (iy, ix) => {
          const v = h[at(x) + p * H * W + iy * W + ix]!;
          // The first pixel, then a larger one or the first NaN (which then stays).
          if (where < 0 || (!Number.isNaN(best) && (v > best || Number.isNaN(v)))) { best = v; where = iy * W + ix; }
        });
        const o = p * OH * OW + oy * OW + ox;
        h[at(y) + o] = best;
        idx[at(argmax) + o] = where;
      }
    },
    maxPool2dBackward(p0, p1, H, W, OH, OW, dy, argmax, dx) {
      const h = heap.f32(), idx = heap.i32();
      for (let p = p0; p < p1; p++) {
        h.fill(0, at(dx) + p * H * W, at(dx) + (p + 1) * H * W);
        for (let j = 0; j < OH * OW; j++) {
          const d = at(dx) + p * H * W + idx[at(argmax) + p * OH * OW + j]!;
          h[d] = h[d]! + h[at(dy) + p * OH * OW + j]!;
        }
      }
    },
    avgPool2dForward(p0, p1, H, W, KH, KW, SH, SW, PH, PW, OH, OW, x, y) {
      const h = heap.f32();
      for (let p = p0; p < p1; p++) for (let oy = 0; oy < OH; oy++) for (let ox = 0; ox < OW; ox++) {
        let s = 0;
        window(oy, ox, H, W, KH, KW, SH, SW, PH, PW, (iy, ix) => { s += h[at(x) + p * H * W + iy * W + ix]!; });
        h[at(y) + p * OH * OW + oy * OW + ox] = s / (KH * KW);
      }
    },
    avgPool2dBackward(p0, p1, H, W, KH, KW, SH, SW, PH, PW, OH, OW, dy, dx) {
      const h = heap.f32();
      for (let p = p0; p < p1; p++) {
        h.fill(0, at(dx) + p * H * W, at(dx) + (p + 1) * H * W);
        for (let oy = 0; oy < OH; oy++) for (let ox = 0; ox < OW; ox++) {
          const g = h[at(dy) + p * OH * OW + oy * OW + ox]! / (KH * KW);
          window(oy, ox, H, W, KH, KW, SH, SW, PH, PW, (iy, ix) => {
            const d = at(dx) + p * H * W + iy * W + ix;
            h[d] = h[d]! + g;
          });
        }
      }
    },
  };
}
