// 2-D max and average pooling (NCHW planes, float32).
//
// Each of the N·C planes x[H, W] is pooled independently into y[OH, OW]: the window of output
// (oy, ox) covers rows oy·SH − PH … + KH − 1 and columns ox·SW − PW … + KW − 1, clipped to the
// image (padding never wins a max and adds zeros to an average). Every kernel takes a
// [p0, p1) range of planes; x, y, dy, dx point at plane 0 ([N·C, H, W] and [N·C, OH, OW]).
//
//   max     y = max over the window, argmax[p, oy, ox] = iy·W + ix of the first maximum
//           (NaN wins, as in torch); backward: dx[p, argmax] += dy[p, oy, ox]. The 2×2 stride-2
//           unpadded window (LeNet's) runs four outputs per step in SIMD lanes.
//   average y = Σ window / (KH·KW)        (count_include_pad = true: padding counts as zeros)
//           backward: dx[p, window] += dy[p, oy, ox] / (KH·KW)
// With PH ≤ KH/2 and PW ≤ KW/2 (checked by the caller) every window holds an image pixel.

// @ts-ignore: decorator
@inline function at(ptr: usize, i: usize): usize { return ptr + (i << 2); }

/** Lanes where candidate c replaces best: c is larger, or c is NaN while best is not. */
// @ts-ignore: decorator
@inline function takes(c: v128, best: v128): v128 {
  return v128.or(f32x4.gt(c, best), v128.and(f32x4.ne(c, c), f32x4.eq(best, best)));
}

/**
 * The 2×2, stride 2, unpadded window (LeNet's) for four outputs at a time: the four candidates
 * in row-major order, the same first-maximum / NaN rule as the general loop. Returns the first
 * output column left to the general loop.
 */
// @ts-ignore: decorator
@inline function maxPool2x2Row(src: usize, W: i32, oy: i32, OW: i32, y: usize, argmax: usize): i32 {
  const r0 = src + (<usize>(2 * oy * W) << 2), r1 = r0 + (<usize>W << 2);
  let ox = 0;
  for (; ox + 4 <= OW; ox += 4) {
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
  return ox;
}

export function maxPool2dForward(
  p0: i32, p1: i32, H: i32, W: i32, KH: i32, KW: i32, SH: i32, SW: i32, PH: i32, PW: i32,
  OH: i32, OW: i32, x: usize, y: usize, argmax: usize,
): void {
  const fast = KH == 2 && KW == 2 && SH == 2 && SW == 2 && PH == 0 && PW == 0;
  for (let p = p0; p < p1; p++) {
    const src = at(x, <usize>p * <usize>(H * W));
    const out = <usize>p * <usize>(OH * OW);
    for (let oy = 0; oy < OH; oy++) {
      const start = fast ? maxPool2x2Row(src, W, oy, OW, at(y, out + <usize>(oy * OW)), at(argmax, out + <usize>(oy * OW))) : 0;
      const y0 = max(oy * SH - PH, 0), y1 = min(oy * SH - PH + KH, H);
      for (let ox = start; ox < OW; ox++) {
        const x0 = max(ox * SW - PW, 0), x1 = min(ox * SW - PW + KW, W);
        let best: f32 = -Infinity, where = y0 * W + x0;
        for (let iy = y0; iy < y1; iy++) {
          for (let ix = x0; ix < x1; ix++) {
            const v = load<f32>(at(src, <usize>(iy * W + ix)));
            if (v > best || isNaN(v)) {
              best = v;
              where = iy * W + ix;
              if (isNaN(v)) { iy = y1; break; }
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

export function avgPool2dForward(
  p0: i32, p1: i32, H: i32, W: i32, KH: i32, KW: i32, SH: i32, SW: i32, PH: i32, PW: i32,
  OH: i32, OW: i32, x: usize, y: usize,
): void {
  const scale: f32 = <f32>1 / <f32>(KH * KW);
  for (let p = p0; p < p1; p++) {
    const src = at(x, <usize>p * <usize>(H * W));
    const dst = at(y, <usize>p * <usize>(OH * OW));
    for (let oy = 0; oy < OH; oy++) {
      const y0 = max(oy * SH - PH, 0), y1 = min(oy * SH - PH + KH, H);
      for (let ox = 0; ox < OW; ox++) {
        const x0 = max(ox * SW - PW, 0), x1 = min(ox * SW - PW + KW, W);
        let s: f32 = 0;
        for (let iy = y0; iy < y1; iy++) {
          for (let ix = x0; ix < x1; ix++) s += load<f32>(at(src, <usize>(iy * W + ix)));
        }
        store<f32>(at(dst, <usize>(oy * OW + ox)), s * scale);
      }
    }
  }
}

/** dx[p] = 0, then every window's pixels get dy / (KH·KW), for planes [p0, p1). */
export function avgPool2dBackward(
  p0: i32, p1: i32, H: i32, W: i32, KH: i32, KW: i32, SH: i32, SW: i32, PH: i32, PW: i32,
  OH: i32, OW: i32, dy: usize, dx: usize,
): void {
  const scale: f32 = <f32>1 / <f32>(KH * KW);
  const HW = <usize>(H * W);
  for (let p = p0; p < p1; p++) {
    const plane = at(dx, <usize>p * HW);
    memory.fill(plane, 0, HW << 2);
    const g = at(dy, <usize>p * <usize>(OH * OW));
    for (let oy = 0; oy < OH; oy++) {
      const y0 = max(oy * SH - PH, 0), y1 = min(oy * SH - PH + KH, H);
      for (let ox = 0; ox < OW; ox++) {
        const x0 = max(ox * SW - PW, 0), x1 = min(ox * SW - PW + KW, W);
        const v = load<f32>(at(g, <usize>(oy * OW + ox))) * scale;
        for (let iy = y0; iy < y1; iy++) {
          for (let ix = x0; ix < x1; ix++) {
            const d = at(plane, <usize>(iy * W + ix));
            store<f32>(d, load<f32>(d) + v);
          }
        }
      }
    }
  }
}
