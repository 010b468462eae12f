// Direct convolution forward with output pixels in the SIMD lanes, for layers with few output
// channels (LeNet's conv1: 1 → 6), where conv-direct.ts's channel lanes would be a quarter idle:
//   y[o, oy, ox..ox+3] = bias[o] + Σ_r w[o, r] · xp[c, oy·SH + ky·DH, ox + kx·DW .. +3]
// (column stride 1), xp the image copied into [C, Hp, Wp] with its padding and enough columns
// that every lane of the last vector of a row reads inside its row (Wp = OWv + (KW−1)·DW, OWv =
// OW rounded up to 4). Register blocks: 2 pixel vectors × 3 channels (half a block of the weight packed as
// [O/6 blocks][K][6], zero past O). Every output is summed in tap order (c, ky, kx) in float32,
// as in conv-direct.ts. Scratch per thread: tap table K4 | vector table (2 int32 per vector) | xp.

import { padImage, tapTable } from "./conv-pad";

// @ts-ignore: decorator
@inline function at(ptr: usize, i: usize): usize { return ptr + (i << 2); }
// @ts-ignore: decorator
@inline function up4(n: i32): usize { return <usize>((n + 3) & ~3); }

/** wP[b][r][6] = w[6b + i, r] for the 6 channels of block b (zero past O), r = (c, ky, kx). */
export function convPackPixelWeights(O: i32, K: i32, w: usize, wP: usize): void {
  const blocks = (O + 5) / 6;
  memory.fill(wP, 0, <usize>(blocks * K * 6) << 2);
  for (let o = 0; o < O; o++) {
    const b = o / 6, i = o % 6;
    for (let r = 0; r < K; r++) store<f32>(at(wP, <usize>((b * K + r) * 6 + i)), load<f32>(at(w, <usize>(o * K + r))));
  }
}

/** Stores lanes [0, valid) of v at p (all four at once when valid ≥ 4). */
// @ts-ignore: decorator
@inline function putLanes(p: usize, v: v128, valid: i32): void {
  if (valid >= 4) {
    v128.store(p, v);
    return;
  }
  store<f32>(p, f32x4.extract_lane(v, 0));
  if (valid > 1) store<f32>(p, f32x4.extract_lane(v, 1), 4);
  if (valid > 2) store<f32>(p, f32x4.extract_lane(v, 2), 8);
}

/** Channel i of a block goes to plane ob + i when that channel exists. */
// @ts-ignore: decorator
@inline function putChannel(y: usize, i: i32, ob: i32, O: i32, plane: usize, p0: usize, v0: v128, n0: i32, p1: usize, v1: v128, n1: i32): void {
  if (ob + i >= O) return;
  const base = y + <usize>(ob + i) * plane;
  putLanes(base + p0, v0, n0);
  if (n1 > 0) putLanes(base + p1, v1, n1);
}

/**
 * Pixel vectors j, j+1 (table vt: x offset, y offset, valid lanes) × channels ob..ob+2 (wb: their
 * first weight in the rows of 6). Three channels, not six: 6 accumulators, 2 x vectors, 3 splats
 * and a product fit V8's 15 allocatable xmm registers (TurboFan issues a block's loads before
 * its arithmetic; 2 × 6 spilled accumulators and splats to the stack on every step).
 */
// @ts-ignore: decorator
@inline function block(
  xp: usize, tap: usize, K: i32, wb: usize, bias: usize, ob: i32, O: i32, y: usize, plane: usize, vt: usize, two: bool,
): void {
  const a0 = xp + <usize>load<i32>(vt), a1 = two ? xp + <usize>load<i32>(vt, 12) : a0;
  let b0 = f32x4.splat(0), b1 = b0, b2 = b0;
  if (bias) {
    if (ob < O) b0 = v128.load32_splat(at(bias, <usize>ob));
    if (ob + 1 < O) b1 = v128.load32_splat(at(bias, <usize>ob + 1));
    if (ob + 2 < O) b2 = v128.load32_splat(at(bias, <usize>ob + 2));
  }
  let r00 = b0, r10 = b1, r20 = b2;
  let r01 = b0, r11 = b1, r21 = b2;
  let wp = wb, tp = tap;
  for (let r = 0; r < K; r++) {
    const t = <usize>load<i32>(tp);
    const x0 = v128.load(a0 + t), x1 = v128.load(a1 + t);
    let w = v128.load32_splat(wp);
    r00 = f32x4.add(r00, f32x4.mul(w, x0)); r01 = f32x4.add(r01, f32x4.mul(w, x1));
    w = v128.load32_splat(wp, 4);
    r10 = f32x4.add(r10, f32x4.mul(w, x0)); r11 = f32x4.add(r11, f32x4.mul(w, x1));
    w = v128.load32_splat(wp, 8);
    r20 = f32x4.add(r20, f32x4.mul(w, x0)); r21 = f32x4.add(r21, f32x4.mul(w, x1));
    tp += 4;
    wp += 24;
  }
  const p0 = <usize>load<i32>(vt, 4), n0 = load<i32>(vt, 8);
  const p1 = two ? <usize>load<i32>(vt, 16) : 0, n1 = two ? load<i32>(vt, 20) : 0;
  putChannel(y, 0, ob, O, plane, p0, r00, n0, p1, r01, n1);
  putChannel(y, 1, ob, O, plane, p0, r10, n0, p1, r11, n1);
  putChannel(y, 2, ob, O, plane, p0, r20, n0, p1, r21, n1);
}

/**
 * y[n] = conv(x[n], w) + bias for images [n0, n1) of a convolution with column stride 1; wP from
 * convPackPixelWeights, bias [O] or 0; y [N, O, OH, OW] overwritten.
 */
export function conv2dPixelImages(
  n0: i32, n1: i32, C: i32, H: i32, W: i32, O: i32, KH: i32, KW: i32, SH: i32, PH: i32, PW: i32,
  DH: i32, DW: i32, OH: i32, OW: i32, x: usize, wP: usize, bias: usize, y: usize, scratch: usize,
): void {
  const K = C * KH * KW, OWv = (OW + 3) & ~3, V = OH * (OWv >> 2);
  const Hp = (OH - 1) * SH + (KH - 1) * DH + 1, Wp = OWv + (KW - 1) * DW;
  const tap = scratch, vt = at(tap, up4(K)), xp = at(vt, up4(3 * V));
  tapTable(C, KH, KW, DH, DW, Hp, Wp, tap);
  let v: usize = 0;
  for (let oy = 0; oy < OH; oy++) {
    for (let ox = 0; ox < OWv; ox += 4) {
      store<i32>(vt + v * 12, (oy * SH * Wp + ox) << 2);
      store<i32>(vt + v * 12 + 4, (oy * OW + ox) << 2);
      store<i32>(vt + v * 12 + 8, OW - ox < 4 ? OW - ox : 4);
      v++;
    }
  }
  const plane = <usize>(OH * OW) << 2;
  for (let n = n0; n < n1; n++) {
    const yn = at(y, <usize>n * <usize>(O * OH * OW));
    padImage(C, H, W, PH, PW, Hp, Wp, at(x, <usize>n * <usize>(C * H * W)), xp);
    for (let ob = 0; ob < O; ob += 3) {
      // Channels ob..ob+2: the first or second half of block ob/6's rows of 6 weights.
      const wb = at(wP, <usize>((ob / 6) * 6 * K + ob % 6));
      let j = 0;
      for (; j + 2 <= V; j += 2) block(xp, tap, K, wb, bias, ob, O, yn, plane, vt + <usize>j * 12, true);
      if (j < V) block(xp, tap, K, wb, bias, ob, O, yn, plane, vt + <usize>j * 12, false);
    }
  }
}

/**
 * Weight gradient with output pixels in the lanes, for a column stride 1 and OW a multiple of 4
 * (so every lane is a real pixel): lanes of dwL[r, b, i, 0..4) (block b of 6 channels, channel i)
 * accumulate Σ_n Σ_p dy[n, 6b + i, p] · x̃[n, p, r] over the pixels p ≡ lane (mod 4), images then
 * pixels in order; at the end dw[o, r] += the four lanes summed in order. Taps [r0, r1) belong to
 * this call (rows of dwL, a shared [K, ⌈O/6⌉, 6, 4] scratch). Scratch per thread as the forward's,
 * then dyI [⌈O/6⌉, V, 6, 4]: each image's dy interleaved so that a block's six channel vectors of
 * a pixel vector are 96 contiguous bytes (one stream, constant offsets; zeros past O).
 */
export function conv2dPixelWeightGrad(
  r0: i32, r1: i32, N: i32, C: i32, H: i32, W: i32, O: i32, KH: i32, KW: i32, SH: i32, PH: i32, PW: i32,
  DH: i32, DW: i32, OH: i32, OW: i32, x: usize, dy: usize, dw: usize, dwL: usize, scratch: usize,
): void {
  const K = C * KH * KW, V = OH * (OW >> 2), B = (O + 5) / 6, P = OH * OW;
  const Hp = (OH - 1) * SH + (KH - 1) * DH + 1, Wp = OW + (KW - 1) * DW;
  const tap = scratch, vt = at(tap, up4(K)), xp = at(vt, up4(3 * V)), dyI = at(xp, up4(C * Hp * Wp));
  tapTable(C, KH, KW, DH, DW, Hp, Wp, tap);
  let v: usize = 0;
  for (let oy = 0; oy < OH; oy++) {
    for (let ox = 0; ox < OW; ox += 4) store<i32>(vt + (v++ << 2), (oy * SH * Wp + ox) << 2);
  }
  const rowBytes = <usize>(B * 24) << 2, plane = <usize>P << 2;
  memory.fill(dwL + <usize>r0 * rowBytes, 0, <usize>(r1 - r0) * rowBytes);
  const blockBytes = <usize>V * 96;
  for (let n = 0; n < N; n++) {
    const dyn = at(dy, <usize>n * <usize>(O * P));
    padImage(C, H, W, PH, PW, Hp, Wp, at(x, <usize>n * <usize>(C * H * W)), xp);
    // dyI[b, j, i] = the 4 pixels of vector j of channel 6b + i (zeros past O).
    for (let b = 0; b < B; b++) {
      for (let i = 0; i < 6; i++) {
        const o = 6 * b + i, dst = dyI + <usize>b * blockBytes + (<usize>i << 4);
        if (o >= O) {
          for (let j = 0; j < V; j++) v128.store(dst + <usize>j * 96, f32x4.splat(0));
          continue;
        }
        const src = dyn + <usize>o * plane;
        for (let j = 0; j < V; j++) v128.store(dst + <usize>j * 96, v128.load(src + (<usize>j << 4)));
      }
    }
    // Three channels of a block at a time (h = 0, 48: byte offset of channel 0 or 3): 6
    // accumulators, 2 x vectors, 3 dy vectors and a product fit V8's 15 allocatable xmm
    // registers (2 taps × 6 channels spilled to the stack on every step).
    // Only the halves that hold a real channel: with O % 6 in 1..3 the last half is all padding.
    for (let bh: usize = 0; bh < <usize>((O + 2) / 3); bh++) {
      const h: usize = (bh & 1) * 48, db = dyI + (bh >> 1) * blockBytes + h;
      for (let t = r0; t < r1; t += 2) {
        const two = t + 1 < r1;
        const t0 = <usize>load<i32>(at(tap, <usize>t)), t1 = two ? <usize>load<i32>(at(tap, <usize>t + 1)) : t0;
        const l0 = dwL + <usize>t * rowBytes + ((bh >> 1) * 96) + h, l1 = two ? l0 + rowBytes : l0;
        let a00 = v128.load(l0), a10 = v128.load(l0, 16), a20 = v128.load(l0, 32);
        let a01 = v128.load(l1), a11 = v128.load(l1, 16), a21 = v128.load(l1, 32);
        let dp = db;
        for (let j = 0; j < V; j++) {
          const xo = xp + <usize>load<i32>(vt + (<usize>j << 2));
          const x0 = v128.load(xo + t0), x1 = v128.load(xo + t1);
          let d = v128.load(dp);
          a00 = f32x4.add(a00, f32x4.mul(d, x0)); a01 = f32x4.add(a01, f32x4.mul(d, x1));
          d = v128.load(dp, 16);
          a10 = f32x4.add(a10, f32x4.mul(d, x0)); a11 = f32x4.add(a11, f32x4.mul(d, x1));
          d = v128.load(dp, 32);
          a20 = f32x4.add(a20, f32x4.mul(d, x0)); a21 = f32x4.add(a21, f32x4.mul(d, x1));
          dp += 96;
        }
        if (two) {
          v128.store(l1, a01); v128.store(l1, a11, 16); v128.store(l1, a21, 32);
        }
        v128.store(l0, a00); v128.store(l0, a10, 16); v128.store(l0, a20, 32);
      }
    }
  }
  for (let t = r0; t < r1; t++) {
    for (let o = 0; o < O; o++) {
      const l = dwL + <usize>t * rowBytes + (<usize>o << 4), d = at(dw, <usize>(o * K + t));
      store<f32>(d, load<f32>(d) + (((load<f32>(l) + load<f32>(l, 4)) + load<f32>(l, 8)) + load<f32>(l, 12)));
    }
  }
}
