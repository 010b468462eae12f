// 2-D convolution (NCHW, float32) by im2col + the packed GEMM of gemm.ts.
//
// One image x[C, H, W] and a weight w[O, C, KH, KW] give y[O, OH, OW] with
//   y[o, oy, ox] = bias[o] + Σ_{c, ky, kx} w[o, c, ky, kx] · x[c, oy·SH − PH + ky·DH, ox·SW − PW + kx·DW]
// (x is 0 outside the image). With K = C·KH·KW and P = OH·OW, im2col writes the patches as a
// matrix col[K, P] (row r = (c·KH + ky)·KW + kx, column p = oy·OW + ox), so that
//   forward      y[O, P]  = w[O, K] · col[K, P]          (+ bias, written first by convBiasInit)
//   input grad   dcol[K, P] = wᵀ[K, O] · dy[O, P],        then col2im adds dcol back into dx
//   weight grad  dw[O, K] += dy[O, P] · colᵀ[P, K]        (im2col with transposed = 1 writes colᵀ)
//   bias grad    db[o]   += Σ_{n, p} dy[n, o, p]          (convBiasGrad)
// (conv-direct.ts computes the same products without the col matrix.) The GEMMs are gemm.ts's; the caller (src/backend/ops-conv.ts) owns the col scratch.
// Every kernel here takes a [begin, end) range of its outer loop: input channels for im2col and
// col2im (each channel owns rows c·KH·KW … of col and plane c of x), planes n·O + o for the
// bias kernels.

// @ts-ignore: decorator
@inline function at(ptr: usize, i: usize): usize { return ptr + (i << 2); }

/** Output columns ox whose input column ox·SW + base lies in [0, W) are [insideStart, insideEnd), within [0, OW]. */
// @ts-ignore: decorator
@inline function insideEnd(base: i32, SW: i32, W: i32, OW: i32): i32 {
  const hi = W - base <= 0 ? 0 : (W - base + SW - 1) / SW;
  return hi > OW ? OW : hi;
}
// @ts-ignore: decorator
@inline function insideStart(base: i32, SW: i32, hi: i32): i32 {
  const lo = base >= 0 ? 0 : (-base + SW - 1) / SW;
  return lo > hi ? hi : lo;
}

/** dst[0..n) = src[0..n) (n small: a SIMD loop and a scalar tail, no memory.copy call). */
// @ts-ignore: decorator
@inline function copyRun(dst: usize, src: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(dst + (<usize>i << 2), v128.load(src + (<usize>i << 2)));
  for (; i < n; i++) store<f32>(dst + (<usize>i << 2), load<f32>(src + (<usize>i << 2)));
}

/**
 * col rows for channels [c0, c1) of one image x[C, H, W]: col[K, P] (transposed = 0) or
 * colᵀ[P, K] (transposed = 1), K = C·KH·KW, P = OH·OW; zero where the window leaves the image.
 */
export function im2col(
  c0: i32, c1: i32, C: i32, H: i32, W: i32, KH: i32, KW: i32, SH: i32, SW: i32, PH: i32, PW: i32,
  DH: i32, DW: i32, OH: i32, OW: i32, x: usize, col: usize, transposed: i32,
): void {
  if (transposed) {
    im2colT(c0, c1, C, H, W, KH, KW, SH, SW, PH, PW, DH, DW, OH, OW, x, col);
    return;
  }
  const P = OH * OW;
  for (let c = c0; c < c1; c++) {
    const plane = at(x, <usize>(c * H * W));
    for (let ky = 0; ky < KH; ky++) {
      for (let kx = 0; kx < KW; kx++) {
        const r = (c * KH + ky) * KW + kx;
        const base = kx * DW - PW, hi = insideEnd(base, SW, W, OW), lo = insideStart(base, SW, hi);
        // Row r: the input pixel each output position reads through tap (ky, kx).
        for (let oy = 0; oy < OH; oy++) {
          const iy = oy * SH - PH + ky * DH;
          const dst = at(col, <usize>(r * P + oy * OW));
          if (iy < 0 || iy >= H) {
            memory.fill(dst, 0, <usize>OW << 2);
            continue;
          }
          const src = plane + (<usize>(iy * W) << 2);
          for (let ox = 0; ox < lo; ox++) store<f32>(at(dst, <usize>ox), 0);
          if (SW == 1) {
            copyRun(at(dst, <usize>lo), src + (<usize>(lo + base) << 2), hi - lo);
          } else {
            for (let ox = lo; ox < hi; ox++) store<f32>(at(dst, <usize>ox), load<f32>(src + (<usize>(ox * SW + base) << 2)));
          }
          for (let ox = hi; ox < OW; ox++) store<f32>(at(dst, <usize>ox), 0);
        }
      }
    }
  }
}

/**
 * colᵀ[P, K] for channels [c0, c1), written in destination order: for each output position, each
 * (c, ky) contributes KW values from one input row (contiguous when DW = 1).
 */
function im2colT(
  c0: i32, c1: i32, C: i32, H: i32, W: i32, KH: i32, KW: i32, SH: i32, SW: i32, PH: i32, PW: i32,
  DH: i32, DW: i32, OH: i32, OW: i32, x: usize, col: usize,
): void {
  const K = C * KH * KW;
  for (let oy = 0; oy < OH; oy++) {
    for (let ox = 0; ox < OW; ox++) {
      const ix0 = ox * SW - PW;
      const inside = ix0 >= 0 && ix0 + (KW - 1) * DW < W;
      const row = at(col, <usize>((oy * OW + ox) * K));
      for (let c = c0; c < c1; c++) {
        const plane = at(x, <usize>(c * H * W));
        for (let ky = 0; ky < KH; ky++) {
          const iy = oy * SH - PH + ky * DH;
          const dst = row + (<usize>((c * KH + ky) * KW) << 2);
          if (iy < 0 || iy >= H) {
            for (let kx = 0; kx < KW; kx++) store<f32>(dst + (<usize>kx << 2), 0);
            continue;
          }
          const src = plane + (<usize>(iy * W) << 2);
          if (inside && DW == 1) {
            copyRun(dst, src + (<usize>ix0 << 2), KW);
          } else {
            for (let kx = 0; kx < KW; kx++) {
              const ix = ix0 + kx * DW;
              store<f32>(dst + (<usize>kx << 2), ix >= 0 && ix < W ? load<f32>(src + (<usize>ix << 2)) : 0);
            }
          }
        }
      }
    }
  }
}

/**
 * The adjoint of im2col (transposed = 0) for channels [c0, c1): dx[c, iy, ix] += dcol[r, p] for
 * every (r, p) that im2col read from (c, iy, ix). dx must hold the values to add to (zeros).
 */
export function col2im(
  c0: i32, c1: i32, C: i32, H: i32, W: i32, KH: i32, KW: i32, SH: i32, SW: i32, PH: i32, PW: i32,
  DH: i32, DW: i32, OH: i32, OW: i32, dcol: usize, dx: usize,
): void {
  const P = OH * OW;
  for (let c = c0; c < c1; c++) {
    const plane = at(dx, <usize>(c * H * W));
    for (let ky = 0; ky < KH; ky++) {
      for (let kx = 0; kx < KW; kx++) {
        const r = (c * KH + ky) * KW + kx;
        const base = kx * DW - PW, hi = insideEnd(base, SW, W, OW), lo = insideStart(base, SW, hi);
        for (let oy = 0; oy < OH; oy++) {
          const iy = oy * SH - PH + ky * DH;
          if (iy < 0 || iy >= H) continue;
          const src = at(dcol, <usize>(r * P + oy * OW));
          const dst = plane + (<usize>(iy * W + base) << 2);
          if (SW == 1) {
            let ox = lo;
            for (; ox + 4 <= hi; ox += 4) {
              const d = dst + (<usize>ox << 2);
              v128.store(d, f32x4.add(v128.load(d), v128.load(src + (<usize>ox << 2))));
            }
            for (; ox < hi; ox++) {
              const d = dst + (<usize>ox << 2);
              store<f32>(d, load<f32>(d) + load<f32>(src + (<usize>ox << 2)));
            }
          } else {
            for (let ox = lo; ox < hi; ox++) {
              const d = dst + (<usize>(ox * SW) << 2);
              store<f32>(d, load<f32>(d) + load<f32>(src + (<usize>ox << 2)));
            }
          }
        }
      }
    }
  }
}

/**
 * y[plane, 0..L) = bias[plane % O] (or 0 when bias is 0) for planes [p0, p1) of y[N·O, L]: the
 * starting value the forward GEMM accumulates onto.
 */
export function convBiasInit(p0: i32, p1: i32, O: i32, L: i32, bias: usize, y: usize): void {
  for (let p = p0; p < p1; p++) {
    const v = bias ? load<f32>(at(bias, <usize>(p % O))) : <f32>0;
    const dst = at(y, <usize>p * <usize>L);
    const vv = f32x4.splat(v);
    let i = 0;
    for (; i + 4 <= L; i += 4) v128.store(dst + (<usize>i << 2), vv);
    for (; i < L; i++) store<f32>(dst + (<usize>i << 2), v);
  }
}

/**
 * db[o] += Σ_n Σ_l dy[n, o, l] for channels o in [o0, o1) of dy[N, O, L] (float32 sums, images in
 * order, each plane summed by four SIMD lanes then combined).
 */
export function convBiasGrad(o0: i32, o1: i32, N: i32, O: i32, L: i32, dy: usize, db: usize): void {
  for (let o = o0; o < o1; o++) {
    let total: f32 = 0;
    for (let n = 0; n < N; n++) {
      const src = at(dy, (<usize>n * <usize>O + <usize>o) * <usize>L);
      let acc = f32x4.splat(0);
      let i = 0;
      for (; i + 4 <= L; i += 4) acc = f32x4.add(acc, v128.load(src + (<usize>i << 2)));
      let s = f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3);
      for (; i < L; i++) s += load<f32>(src + (<usize>i << 2));
      total += s;
    }
    store<f32>(at(db, <usize>o), load<f32>(at(db, <usize>o)) + total);
  }
}
