import type { PoolKernels } from './kernels.js';
import type { HeapViews } from './reference.js';

/**
 * torch's average divisor for the window starting at (sy, sx): D > 0 as given (divisor_override),
 * D = 0 the part of the window inside the padded image, D = −1 its image pixels (`inside`).
 */
function divisor(D: number, sy: number, sx: number, KH: number, KW: number, H: number, W: number, PH: number,
  PW: number, inside: number): number {
  if (D > 0) return D;
  if (D === 0) return (Math.min(sy + KH, H + PH) - sy) * (Math.min(sx + KW, W + PW) - sx);
  return inside;
}

/** pool.ts in plain TypeScript over the same memory (the kernel tests' oracle). */
export function createPoolReference(heap: HeapViews): PoolKernels {
  const at = (ptr: number): number => ptr >>> 2;
  /** Calls visit(iy, ix) for the image pixels of window (oy, ox); returns how many. */
  const window = (oy: number, ox: number, H: number, W: number, KH: number, KW: number, SH: number, SW: number,
    PH: number, PW: number, DH: number, DW: number, visit: (iy: number, ix: number) => void): number => {
    let count = 0;
    for (let ky = 0; ky < KH; ky++) for (let kx = 0; kx < KW; kx++) {
      const iy = oy * SH - PH + ky * DH, ix = ox * SW - PW + kx * DW;
      if (iy >= 0 && iy < H && ix >= 0 && ix < W) { visit(iy, ix); count++; }
    }
    return count;
  };
  /** torch's adaptive window of output o along a side of `size` pooled to `out`: [start, end). */
  const bin = (o: number, size: number, out: number): [number, number] => [Math.floor((o * size) / out), Math.ceil(((o + 1) * size) / out)];
  /** Calls visit(iy, ix) for the pixels of adaptive window (oy, ox); returns how many. */
  const adaptive = (oy: number, ox: number, H: number, W: number, OH: number, OW: number, visit: (iy: number, ix: number) => void): number => {
    const [y0, y1] = bin(oy, H, OH), [x0, x1] = bin(ox, W, OW);
    for (let iy = y0; iy < y1; iy++) for (let ix = x0; ix < x1; ix++) visit(iy, ix);
    return (y1 - y0) * (x1 - x0);
  };
  return {
    adaptiveAvgPool2dForward(p0, p1, H, W, OH, OW, x, y) {
      const h = heap.f32();
      for (let p = p0; p < p1; p++) for (let oy = 0; oy < OH; oy++) for (let ox = 0; ox < OW; ox++) {
        let s = 0;
        const n = adaptive(oy, ox, H, W, OH, OW, (iy, ix) => { s += h[at(x) + p * H * W + iy * W + ix]!; });
        h[at(y) + p * OH * OW + oy * OW + ox] = s / n;
      }
    },
    adaptiveAvgPool2dBackward(p0, p1, H, W, OH, OW, dy, dx) {
      const h = heap.f32();
      for (let p = p0; p < p1; p++) {
        h.fill(0, at(dx) + p * H * W, at(dx) + (p + 1) * H * W);
        for (let oy = 0; oy < OH; oy++) for (let ox = 0; ox < OW; ox++) {
          const pixels: number[] = [];
          const n = adaptive(oy, ox, H, W, OH, OW, (iy, ix) => { pixels.push(at(dx) + p * H * W + iy * W + ix); });
          const g = h[at(dy) + p * OH * OW + oy * OW + ox]! / n;
          for (const d of pixels) h[d] = h[d]! + g;
        }
      }
    },
    maxPool2dForward(p0, p1, H, W, KH, KW, SH, SW, PH, PW, DH, DW, OH, OW, x, y, argmax) {
      const h = heap.f32(), idx = heap.i32();
      for (let p = p0; p < p1; p++) for (let oy = 0; oy < OH; oy++) for (let ox = 0; ox < OW; ox++) {
        let best = -Infinity, where = -1;
        window(oy, ox, H, W, KH, KW, SH, SW, PH, PW, DH, DW, (iy, ix) => {
          const v = h[at(x) + p * H * W + iy * W + ix]!;
          // The first pixel, then a larger one or any NaN (the last NaN keeps it, as torch's `val > maxval || isnan(val)`).
          if (where < 0 || v > best || Number.isNaN(v)) { best = v; where = iy * W + ix; }
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
    avgPool2dForward(p0, p1, H, W, KH, KW, SH, SW, PH, PW, OH, OW, D, x, y) {
      const h = heap.f32();
      for (let p = p0; p < p1; p++) for (let oy = 0; oy < OH; oy++) for (let ox = 0; ox < OW; ox++) {
        let s = 0;
        const n = window(oy, ox, H, W, KH, KW, SH, SW, PH, PW, 1, 1, (iy, ix) => { s += h[at(x) + p * H * W + iy * W + ix]!; });
        h[at(y) + p * OH * OW + oy * OW + ox] = s / divisor(D, oy * SH - PH, ox * SW - PW, KH, KW, H, W, PH, PW, n);
      }
    },
    avgPool2dBackward(p0, p1, H, W, KH, KW, SH, SW, PH, PW, OH, OW, D, dy, dx) {
      const h = heap.f32();
      for (let p = p0; p < p1; p++) {
        h.fill(0, at(dx) + p * H * W, at(dx) + (p + 1) * H * W);
        for (let oy = 0; oy < OH; oy++) for (let ox = 0; ox < OW; ox++) {
          const pixels: number[] = [];
          const n = window(oy, ox, H, W, KH, KW, SH, SW, PH, PW, 1, 1, (iy, ix) => { pixels.push(at(dx) + p * H * W + iy * W + ix); });
          const g = h[at(dy) + p * OH * OW + oy * OW + ox]! / divisor(D, oy * SH - PH, ox * SW - PW, KH, KW, H, W, PH, PW, n);
          for (const d of pixels) h[d] = h[d]! + g;
        }
      }
    },
  };
}
