// 2-D max and average pooling (NCHW planes, float32).
//
// Each of the N·C planes x[H, W] is pooled independently into y[OH, OW]: the window of output
// (oy, ox) covers rows oy·SH − PH + ky·DH (ky < KH; dilation DH = 1 for averages) and the same
// for columns, clipped to the image (padding never wins a max and adds zeros to an average). Every kernel takes a
// [p0, p1) range of planes; x, y, dy, dx point at plane 0 ([N·C, H, W] and [N·C, OH, OW]).
//
//   max     y = max over the window, argmax[p, oy, ox] = iy·W + ix of the first maximum
//           (NaN wins, the window's last NaN as in torch's `val > maxval || isnan(val)`); backward: dx[p, argmax] += dy[p, oy, ox]. The 2×2 stride-2
//           unpadded window (LeNet's) runs four outputs per step in SIMD lanes.
//   average y = Σ window / divisor        (see divisorOf: torch's count_include_pad, ceil_mode
//           and divisor_override rules); backward: dx[p, window] += dy[p, oy, ox] / divisor
// The caller checks that every window holds an image pixel (torch's PH ≤ KH/2 rule, ceil_mode's
// last window starting inside the image or the left padding, and a dilated window that does
// not step over the whole image).

// @ts-ignore: decorator
@inline function at(ptr: usize, i: usize): usize { return ptr + (i << 2); }

/** The sum of rows [y0, y1) × columns [x0, x1) of a plane W wide, row by row. */
// @ts-ignore: decorator
@inline function windowSum(src: usize, W: i32, y0: i32, y1: i32, x0: i32, x1: i32): f32 {
  let s: f32 = 0;
  for (let iy = y0; iy < y1; iy++) {
    for (let ix = x0; ix < x1; ix++) s += load<f32>(at(src, <usize>(iy * W + ix)));
  }
  return s;
}

/** Adds v to rows [y0, y1) × columns [x0, x1) of a plane W wide. */
// @ts-ignore: decorator
@inline function addToWindow(plane: usize, W: i32, y0: i32, y1: i32, x0: i32, x1: i32, v: f32): void {
  for (let iy = y0; iy < y1; iy++) {
    for (let ix = x0; ix < x1; ix++) {
      const d = at(plane, <usize>(iy * W + ix));
      store<f32>(d, load<f32>(d) + v);
    }
  }
}

/** Lanes where candidate c replaces best: c is larger, or c is NaN (a later NaN takes the gradient, as torch). */
// @ts-ignore: decorator
@inline function takes(c: v128, best: v128): v128 {
  return v128.or(f32x4.gt(c, best), f32x4.ne(c, c));
}

/** Four outputs (oy, ox..ox+3) of the 2×2, stride 2, unpadded window; r0, r1 its two input rows. */
// @ts-ignore: decorator
@inline function maxPool2x2Quad(r0: usize, r1: usize, W: i32, oy: i32, ox: i32, y: usize, argmax: usize): void {
  const o = <usize>(2 * ox) << 2;
  const a = v128.load(r0 + o), b = v128.load(r0 + o, 16), c = v128.load(r1 + o), d = v128.load(r1 + o, 16);
  const a01 = v128.shuffle<f32>(a, b, 1, 3, 5, 7);
  const a10 = v128.shuffle<f32>(c, d, 0, 2, 4, 6), a11 = v128.shuffle<f32>(c, d, 1, 3, 5, 7);
  // Candidate (0, 0) of the four outputs, and its input index 2·oy·W + 2·(ox + lane).
  let best = v128.shuffle<f32>(a, b, 0, 2, 4, 6);
  let where = i32x4.add(i32x4.splat(2 * oy * W + 2 * ox), i32x4(0, 2, 4, 6));
  const i00 = where;
  let t = takes(a01, best);
  best = v128.bitselect(a01, best, t);
  where = v128.bitselect(i32x4.add(i00, i32x4.splat(1)), where, t);
  t = takes(a10, best);
  best = v128.bitselect(a10, best, t);
  where = v128.bitselect(i32x4.add(i00, i32x4.splat(W)), where, t);
  t = takes(a11, best);
  best = v128.bitselect(a11, best, t);
  where = v128.bitselect(i32x4.add(i00, i32x4.splat(W + 1)), where, t);
  v128.store(y + (<usize>ox << 2), best);
  v128.store(argmax + (<usize>ox << 2), where);
}

/**
 * The 2×2, stride 2, unpadded window (LeNet's) for four outputs at a time: the four candidates
 * in row-major order, the same first-maximum / NaN rule as the general loop. A tail of 1–3
 * outputs is one more step over the last four (the overlapped outputs are written again with
 * the same values). Returns the first output column left to the general loop (OW < 4 only).
 */
// @ts-ignore: decorator
@inline function maxPool2x2Row(src: usize, W: i32, oy: i32, OW: i32, y: usize, argmax: usize): i32 {
  const r0 = src + (<usize>(2 * oy * W) << 2), r1 = r0 + (<usize>W << 2);
  let ox = 0;
  for (; ox + 4 <= OW; ox += 4) maxPool2x2Quad(r0, r1, W, oy, ox, y, argmax);
  if (ox < OW && OW >= 4) {
    maxPool2x2Quad(r0, r1, W, oy, OW - 4, y, argmax);
    ox = OW;
  }
  return ox;
}

/** First tap k in [0, K) of a window starting at s (dilation D) that lands in [0, n), and the end. */
// @ts-ignore: decorator
@inline function tapFrom(s: i32, D: i32): i32 { return s < 0 ? (D - 1 - s) / D : 0; }
// @ts-ignore: decorator
@inline function tapTo(s: i32, K: i32, D: i32, n: i32): i32 { return min(K, (n - s + D - 1) / D); }

/** y = max of each window and argmax its first maximum's iy·W + ix, for planes [p0, p1). */
export function maxPool2dForward(
  p0: i32, p1: i32, H: i32, W: i32, KH: i32, KW: i32, SH: i32, SW: i32, PH: i32, PW: i32, DH: i32, DW: i32,
  OH: i32, OW: i32, x: usize, y: usize, argmax: usize,
): void {
  const fast = KH == 2 && KW == 2 && SH == 2 && SW == 2 && PH == 0 && PW == 0 && DH == 1 && DW == 1;
  // ceil_mode can add a last window row / column that is cut by the image: the general loop's.
  const fastOW = min(OW, W >> 1);
  for (let p = p0; p < p1; p++) {
    const src = at(x, <usize>p * <usize>(H * W));
    const out = <usize>p * <usize>(OH * OW);
    for (let oy = 0; oy < OH; oy++) {
      const start = fast && 2 * oy + 2 <= H
        ? maxPool2x2Row(src, W, oy, fastOW, at(y, out + <usize>(oy * OW)), at(argmax, out + <usize>(oy * OW))) : 0;
      const sy = oy * SH - PH, ky0 = tapFrom(sy, DH), ky1 = tapTo(sy, KH, DH, H);
      for (let ox = start; ox < OW; ox++) {
        const sx = ox * SW - PW, kx0 = tapFrom(sx, DW), kx1 = tapTo(sx, KW, DW, W);
        let best: f32 = -Infinity, where = (sy + ky0 * DH) * W + sx + kx0 * DW;
        for (let ky = ky0; ky < ky1; ky++) {
          const iy = sy + ky * DH;
          for (let kx = kx0; kx < kx1; kx++) {
            const i = iy * W + sx + kx * DW;
            const v = load<f32>(at(src, <usize>i));
            if (v > best || isNaN(v)) {
              best = v;
              where = i;
            }
          }
        }
        const o = out + <usize>(oy * OW + ox);
        store<f32>(at(y, o), best);
        store<i32>(at(argmax, o), where);
      }
    }
  }
}

/** dx[p] = 0, then dx[p, argmax[p, j]] += dy[p, j] for planes [p0, p1). */
export function maxPool2dBackward(
  p0: i32, p1: i32, H: i32, W: i32, OH: i32, OW: i32, dy: usize, argmax: usize, dx: usize,
): void {
  const L = <usize>(OH * OW), HW = <usize>(H * W);
  for (let p = p0; p < p1; p++) {
    const plane = at(dx, <usize>p * HW);
    memory.fill(plane, 0, HW << 2);
    const g = at(dy, <usize>p * L), idx = at(argmax, <usize>p * L);
    for (let j: usize = 0; j < L; j++) {
      const d = at(plane, <usize>load<i32>(at(idx, j)));
      store<f32>(d, load<f32>(d) + load<f32>(at(g, j)));
    }
  }
}

/**
 * The divisor of the window starting at (sy, sx), clipped to rows [y0, y1) and columns [x0, x1)
 * of the image: D > 0 is torch's divisor_override; D = 0 counts the window inside the padded
 * image (count_include_pad = true; smaller only for ceil_mode's last windows); D = -1 counts
 * the image pixels only (count_include_pad = false).
 */
// @ts-ignore: decorator
@inline function divisorOf(D: i32, sy: i32, sx: i32, KH: i32, KW: i32, H: i32, W: i32, PH: i32, PW: i32,
  y0: i32, y1: i32, x0: i32, x1: i32): f32 {
  if (D > 0) return <f32>D;
  // The padded window can hold more than 2^31 pixels (a 65536² kernel): multiply in f64, as
  // torch's int64, then round once to f32.
  if (D == 0) return <f32>(<f64>(min(sy + KH, H + PH) - sy) * <f64>(min(sx + KW, W + PW) - sx));
  return pixelCount(y0, y1, x0, x1);
}

/** The pixels of rows [y0, y1) × columns [x0, x1) of one plane (< 2^31: a plane fits memory), as the divisor. */
// @ts-ignore: decorator
@inline function pixelCount(y0: i32, y1: i32, x0: i32, x1: i32): f32 { return <f32>((y1 - y0) * (x1 - x0)); }

/** y = each window's sum / its divisor (divisorOf; D = divisorOverride, or 0 / -1 for torch's counting rules), for planes [p0, p1). */
export function avgPool2dForward(
  p0: i32, p1: i32, H: i32, W: i32, KH: i32, KW: i32, SH: i32, SW: i32, PH: i32, PW: i32,
  OH: i32, OW: i32, D: i32, x: usize, y: usize,
): void {
  for (let p = p0; p < p1; p++) {
    const src = at(x, <usize>p * <usize>(H * W));
    const dst = at(y, <usize>p * <usize>(OH * OW));
    for (let oy = 0; oy < OH; oy++) {
      const sy = oy * SH - PH, y0 = max(sy, 0), y1 = min(sy + KH, H);
      for (let ox = 0; ox < OW; ox++) {
        const sx = ox * SW - PW, x0 = max(sx, 0), x1 = min(sx + KW, W);
        const s = windowSum(src, W, y0, y1, x0, x1);
        store<f32>(at(dst, <usize>(oy * OW + ox)), s / divisorOf(D, sy, sx, KH, KW, H, W, PH, PW, y0, y1, x0, x1));
      }
    }
  }
}

/** dx[p] = 0, then every window's pixels get dy / its divisor, for planes [p0, p1). */
export function avgPool2dBackward(
  p0: i32, p1: i32, H: i32, W: i32, KH: i32, KW: i32, SH: i32, SW: i32, PH: i32, PW: i32,
  OH: i32, OW: i32, D: i32, dy: usize, dx: usize,
): void {
  const HW = <usize>(H * W);
  for (let p = p0; p < p1; p++) {
    const plane = at(dx, <usize>p * HW);
    memory.fill(plane, 0, HW << 2);
    const g = at(dy, <usize>p * <usize>(OH * OW));
    for (let oy = 0; oy < OH; oy++) {
      const sy = oy * SH - PH, y0 = max(sy, 0), y1 = min(sy + KH, H);
      for (let ox = 0; ox < OW; ox++) {
        const sx = ox * SW - PW, x0 = max(sx, 0), x1 = min(sx + KW, W);
        const v = load<f32>(at(g, <usize>(oy * OW + ox))) / divisorOf(D, sy, sx, KH, KW, H, W, PH, PW, y0, y1, x0, x1);
        addToWindow(plane, W, y0, y1, x0, x1, v);
      }
    }
  }
}

// Adaptive average pooling (torch's AdaptiveAvgPool2d): output row oy averages input rows
// [⌊oy·H/OH⌋, ⌈(oy + 1)·H/OH⌉) (columns likewise), so windows cover the image and may overlap by
// one row or column when OH does not divide H. The bounds are computed in 64 bits (oy·H can pass
// 2^31).

// @ts-ignore: decorator
@inline function binStart(o: i32, size: i32, out: i32): i32 { return <i32>((<i64>o * <i64>size) / <i64>out); }
// @ts-ignore: decorator
@inline function binEnd(o: i32, size: i32, out: i32): i32 { return <i32>((<i64>(o + 1) * <i64>size + <i64>(out - 1)) / <i64>out); }

/** y[p, oy, ox] = the mean of its adaptive window, for planes [p0, p1). */
export function adaptiveAvgPool2dForward(p0: i32, p1: i32, H: i32, W: i32, OH: i32, OW: i32, x: usize, y: usize): void {
  for (let p = p0; p < p1; p++) {
    const src = at(x, <usize>p * <usize>(H * W));
    const dst = at(y, <usize>p * <usize>(OH * OW));
    for (let oy = 0; oy < OH; oy++) {
      const y0 = binStart(oy, H, OH), y1 = binEnd(oy, H, OH);
      for (let ox = 0; ox < OW; ox++) {
        const x0 = binStart(ox, W, OW), x1 = binEnd(ox, W, OW);
        const s = windowSum(src, W, y0, y1, x0, x1);
        store<f32>(at(dst, <usize>(oy * OW + ox)), s / pixelCount(y0, y1, x0, x1));
      }
    }
  }
}

/** dx[p] = 0, then each window's pixels get dy / its pixel count, for planes [p0, p1). */
export function adaptiveAvgPool2dBackward(p0: i32, p1: i32, H: i32, W: i32, OH: i32, OW: i32, dy: usize, dx: usize): void {
  const HW = <usize>(H * W);
  for (let p = p0; p < p1; p++) {
    const plane = at(dx, <usize>p * HW);
    memory.fill(plane, 0, HW << 2);
    const g = at(dy, <usize>p * <usize>(OH * OW));
    for (let oy = 0; oy < OH; oy++) {
      const y0 = binStart(oy, H, OH), y1 = binEnd(oy, H, OH);
      for (let ox = 0; ox < OW; ox++) {
        const x0 = binStart(ox, W, OW), x1 = binEnd(ox, W, OW);
        const v = load<f32>(at(g, <usize>(oy * OW + ox))) / pixelCount(y0, y1, x0, x1);
        addToWindow(plane, W, y0, y1, x0, x1, v);
      }
    }
  }
}
