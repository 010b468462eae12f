// Direct convolution without an im2col matrix ("implicit GEMM", output channels in SIMD lanes).
//
// Every pass is a product whose operand A is read straight from the (zero-padded) image:
//   forward       yᵀ[p, o]  = bias[o] + Σ_r x̃[p, r] · wᵀ[r, o]
//   weight grad   dwᵀ[r, o] += Σ_n Σ_p x̃[n, p, r] · dyᵀ[n, p, o]
//   input grad    (stride 1) the forward of dy padded by D·(K−1) − P with the flipped weight
//                 w'[c, o, ky, kx] = w[o, c, KH−1−ky, KW−1−kx] (convPackWeights with flip = 1)
// with x̃[p, r] = x[c, oy·SH + ky·DH, ox·SW + kx·DW] of the padded image (p = (oy, ox),
// r = (c, ky, kx)). Element x̃[p, r] sits at byte pix[p] + tap[r] of the image: two int32 tables
// (tap offsets, pixel offsets) turn both products into one shape, "rows j of A at bases
// base[j], a shared offset t stepping through a table, B rows of O4 channels": one driver
// (product) with register blocks of 4 rows × 8 channels or 8 rows × 4 channels serves the forward and the weight
// gradient (4 × 8: 8 accumulators, 2 B vectors, 4 splats and a product fit V8's 15 allocatable
// xmm registers, as TurboFan issues a block's loads before its arithmetic; 6 × 8 spilled 4
// accumulators and 2 splats to the stack on every step). Channels are padded to O4 (a multiple of 4) with zero weights; padded lanes are
// never stored. Every element is summed in tap (forward) or image-then-pixel (weight gradient)
// order in float32, the same for every block shape, so any split is bit-identical.
//
// Scratch of one thread (floats, 16-byte aligned parts): tap table K4 | pixel table P4 |
// O4 zeros (the forward's start without a bias) | padded image [C, Hp, Wp] (only when padding is needed).

import { padImage, tapTable } from "./conv-pad";

// @ts-ignore: decorator
@inline function at(ptr: usize, i: usize): usize { return ptr + (i << 2); }
// @ts-ignore: decorator
@inline function up4(n: i32): usize { return <usize>((n + 3) & ~3); }

/** Rows and columns of the padded image the windows read. */
// @ts-ignore: decorator
@inline function span(out: i32, S: i32, Kn: i32, D: i32): i32 { return (out - 1) * S + (Kn - 1) * D + 1; }

/** pix[p] = byte offset of output pixel p = (oy, ox)'s window corner in an image of rows Ws. */
function pixTable(OH: i32, OW: i32, SH: i32, SW: i32, Ws: i32, pix: usize): void {
  let p: usize = 0;
  for (let oy = 0; oy < OH; oy++) {
    for (let ox = 0; ox < OW; ox++) store<i32>(pix + (p++ << 2), (oy * SH * Ws + ox * SW) << 2);
  }
}

// The register blocks: J rows of A (bases a_j = base + bt[j]) × 8 or 4 channels of B, over S
// steps. Row j starts from the vectors at ci + j·cis (the rows of C, or the bias with cis = 0)
// and ends at c (see put): rows of C, or lanes scattered over the planes of y.

/** Where a block's results go: mode 0 = vectors at c + j·rowStride; 1 = lane l of row j at c + j·4 + l·plane, lanes < valid only. */
// @ts-ignore: decorator
@inline function put(v: v128, c: usize, mode: i32, plane: usize, valid: i32): void {
  if (mode == 0) {
    v128.store(c, v);
    return;
  }
  if (valid > 0) store<f32>(c, f32x4.extract_lane(v, 0));
  if (valid > 1) store<f32>(c + plane, f32x4.extract_lane(v, 1));
  if (valid > 2) store<f32>(c + 2 * plane, f32x4.extract_lane(v, 2));
  if (valid > 3) store<f32>(c + 3 * plane, f32x4.extract_lane(v, 3));
}

// @ts-ignore: decorator
@inline function block8x4(
  base: usize, bt: usize, st: usize, S: i32, b: usize, bs: usize, ci: usize, cis: usize,
  c: usize, cs: usize, mode: i32, plane: usize, valid: i32,
): void {
  const a0 = base + <usize>load<i32>(bt), a1 = base + <usize>load<i32>(bt, 4), a2 = base + <usize>load<i32>(bt, 8);
  const a3 = base + <usize>load<i32>(bt, 12);
  const i0 = ci, i1 = i0 + cis, i2 = i1 + cis, i3 = i2 + cis;
  let r00 = v128.load(i0), r01 = v128.load(i0, 16), r10 = v128.load(i1), r11 = v128.load(i1, 16);
  let r20 = v128.load(i2), r21 = v128.load(i2, 16), r30 = v128.load(i3), r31 = v128.load(i3, 16);
  let bp = b, sp = st;
  for (let s = 0; s < S; s++) {
    const t = <usize>load<i32>(sp);
    const w0 = v128.load(bp), w1 = v128.load(bp, 16);
    let x = v128.load32_splat(a0 + t);
    r00 = f32x4.add(r00, f32x4.mul(x, w0)); r01 = f32x4.add(r01, f32x4.mul(x, w1));
    x = v128.load32_splat(a1 + t);
    r10 = f32x4.add(r10, f32x4.mul(x, w0)); r11 = f32x4.add(r11, f32x4.mul(x, w1));
    x = v128.load32_splat(a2 + t);
    r20 = f32x4.add(r20, f32x4.mul(x, w0)); r21 = f32x4.add(r21, f32x4.mul(x, w1));
    x = v128.load32_splat(a3 + t);
    r30 = f32x4.add(r30, f32x4.mul(x, w0)); r31 = f32x4.add(r31, f32x4.mul(x, w1));
    sp += 4;
    bp += bs;
  }
  const hi: usize = mode ? 4 * plane : <usize>16;
  const v1 = valid - 4;
  put(r00, c, mode, plane, valid); put(r01, c + hi, mode, plane, v1); c += cs;
  put(r10, c, mode, plane, valid); put(r11, c + hi, mode, plane, v1); c += cs;
  put(r20, c, mode, plane, valid); put(r21, c + hi, mode, plane, v1); c += cs;
  put(r30, c, mode, plane, valid); put(r31, c + hi, mode, plane, v1);
}

// @ts-ignore: decorator
@inline function block8x1(
  base: usize, bt: usize, st: usize, S: i32, b: usize, bs: usize, ci: usize, c: usize, mode: i32, plane: usize, valid: i32,
): void {
  const a0 = base + <usize>load<i32>(bt);
  let r0 = v128.load(ci), r1 = v128.load(ci, 16);
  let bp = b, sp = st;
  for (let s = 0; s < S; s++) {
    const x = v128.load32_splat(a0 + <usize>load<i32>(sp));
    r0 = f32x4.add(r0, f32x4.mul(x, v128.load(bp))); r1 = f32x4.add(r1, f32x4.mul(x, v128.load(bp, 16)));
    sp += 4;
    bp += bs;
  }
  put(r0, c, mode, plane, valid); put(r1, c + (mode ? 4 * plane : 16), mode, plane, valid - 4);
}

// @ts-ignore: decorator
@inline function block4x8(
  base: usize, bt: usize, st: usize, S: i32, b: usize, bs: usize, ci: usize, cis: usize,
  c: usize, cs: usize, mode: i32, plane: usize, valid: i32,
): void {
  const a0 = base + <usize>load<i32>(bt), a1 = base + <usize>load<i32>(bt, 4), a2 = base + <usize>load<i32>(bt, 8);
  const a3 = base + <usize>load<i32>(bt, 12), a4 = base + <usize>load<i32>(bt, 16), a5 = base + <usize>load<i32>(bt, 20);
  const a6 = base + <usize>load<i32>(bt, 24), a7 = base + <usize>load<i32>(bt, 28);
  let r0 = v128.load(ci), r1 = v128.load(ci + cis), r2 = v128.load(ci + 2 * cis), r3 = v128.load(ci + 3 * cis);
  let r4 = v128.load(ci + 4 * cis), r5 = v128.load(ci + 5 * cis), r6 = v128.load(ci + 6 * cis), r7 = v128.load(ci + 7 * cis);
  let bp = b, sp = st;
  for (let s = 0; s < S; s++) {
    const t = <usize>load<i32>(sp);
    const w = v128.load(bp);
    r0 = f32x4.add(r0, f32x4.mul(v128.load32_splat(a0 + t), w));
    r1 = f32x4.add(r1, f32x4.mul(v128.load32_splat(a1 + t), w));
    r2 = f32x4.add(r2, f32x4.mul(v128.load32_splat(a2 + t), w));
    r3 = f32x4.add(r3, f32x4.mul(v128.load32_splat(a3 + t), w));
    r4 = f32x4.add(r4, f32x4.mul(v128.load32_splat(a4 + t), w));
    r5 = f32x4.add(r5, f32x4.mul(v128.load32_splat(a5 + t), w));
    r6 = f32x4.add(r6, f32x4.mul(v128.load32_splat(a6 + t), w));
    r7 = f32x4.add(r7, f32x4.mul(v128.load32_splat(a7 + t), w));
    sp += 4;
    bp += bs;
  }
  put(r0, c, mode, plane, valid); put(r1, c + cs, mode, plane, valid); put(r2, c + 2 * cs, mode, plane, valid);
  put(r3, c + 3 * cs, mode, plane, valid); put(r4, c + 4 * cs, mode, plane, valid); put(r5, c + 5 * cs, mode, plane, valid);
  put(r6, c + 6 * cs, mode, plane, valid); put(r7, c + 7 * cs, mode, plane, valid);
}

// @ts-ignore: decorator
@inline function block4x1(
  base: usize, bt: usize, st: usize, S: i32, b: usize, bs: usize, ci: usize, c: usize, mode: i32, plane: usize, valid: i32,
): void {
  const a0 = base + <usize>load<i32>(bt);
  let r0 = v128.load(ci);
  let bp = b, sp = st;
  for (let s = 0; s < S; s++) {
    r0 = f32x4.add(r0, f32x4.mul(v128.load32_splat(a0 + <usize>load<i32>(sp)), v128.load(bp)));
    sp += 4;
    bp += bs;
  }
  put(r0, c, mode, plane, valid);
}

/**
 * Rows j in [0, M) of C[j, 0..O4) = start + Σ_s A(j, s)·b[s, 0..O4), A(j, s) = f32 at base + bt[j] + st[s],
 * b rows O4 floats (O4 a multiple of 4). Mode 0 (weight gradient): start = C's row, C rows of O4
 * floats at c. Mode 1 (forward): start = the vector row `ci` (bias or zeros), and C[j, o] goes to
 * y at c + 4·(o·P + j) for o < O.
 */
function product(M: i32, base: usize, bt: usize, S: i32, st: usize, b: usize, O4: i32, c: usize, mode: i32, ci: usize, O: i32, P: i32): void {
  const bs = <usize>O4 << 2, plane = <usize>P << 2;
  const cs: usize = mode ? 4 : bs;
  const cis: usize = mode ? 0 : bs;
  let ob = 0;
  for (; ob + 8 <= O4; ob += 8) {
    const bo = at(b, <usize>ob), valid = O - ob;
    const co = mode ? c + <usize>ob * plane : at(c, <usize>ob), io = at(mode ? ci : c, <usize>ob);
    let j = 0;
    for (; j + 4 <= M; j += 4) {
      block8x4(base, at(bt, <usize>j), st, S, bo, bs, io + <usize>j * cis, cis, co + <usize>j * cs, cs, mode, plane, valid);
    }
    for (; j < M; j++) block8x1(base, at(bt, <usize>j), st, S, bo, bs, io + <usize>j * cis, co + <usize>j * cs, mode, plane, valid);
  }
  for (; ob < O4; ob += 4) {
    const bo = at(b, <usize>ob), valid = O - ob;
    const co = mode ? c + <usize>ob * plane : at(c, <usize>ob), io = at(mode ? ci : c, <usize>ob);
    let j = 0;
    for (; j + 8 <= M; j += 8) {
      block4x8(base, at(bt, <usize>j), st, S, bo, bs, io + <usize>j * cis, cis, co + <usize>j * cs, cs, mode, plane, valid);
    }
    for (; j < M; j++) block4x1(base, at(bt, <usize>j), st, S, bo, bs, io + <usize>j * cis, co + <usize>j * cs, mode, plane, valid);
  }
}

/**
 * dst[r, o] (row stride ld) from w[O, C, KH, KW], zero for o in [O, ld):
 * flip = 0: r = (c, ky, kx), dst[r, o] = w[o, c, ky, kx]           (forward, K = C·KH·KW rows);
 * flip = 1: r = (o, ky, kx), dst[r, c] = w[o, c, KH−1−ky, KW−1−kx] (input gradient, O·KH·KW rows, C columns).
 */
export function convPackWeights(O: i32, C: i32, KH: i32, KW: i32, w: usize, dst: usize, ld: i32, flip: i32): void {
  const T = KH * KW, rows = flip ? O * T : C * T;
  memory.fill(dst, 0, <usize>(rows * ld) << 2);
  for (let o = 0; o < O; o++) {
    for (let c = 0; c < C; c++) {
      for (let t = 0; t < T; t++) {
        const v = load<f32>(at(w, <usize>((o * C + c) * T + t)));
        const i = flip ? (o * T + T - 1 - t) * ld + c : (c * T + t) * ld + o;
        store<f32>(at(dst, <usize>i), v);
      }
    }
  }
}

/**
 * y[n] = conv(x[n], w) + bias for images [n0, n1), y [N, O, OH, OW] overwritten; wT [C·KH·KW, O4]
 * (convPackWeights, flip 0), bias [O4] zero-padded or 0. With the flipped weight, dy as x and
 * padding D·(K−1) − P it computes the input gradient of a stride-1 convolution.
 */
export function conv2dDirectImages(
  n0: i32, n1: i32, C: i32, H: i32, W: i32, O: i32, KH: i32, KW: i32, SH: i32, SW: i32, PH: i32, PW: i32,
  DH: i32, DW: i32, OH: i32, OW: i32, x: usize, wT: usize, bias: usize, y: usize, O4: i32, scratch: usize,
): void {
  const K = C * KH * KW, P = OH * OW, Hp = span(OH, SH, KH, DH), Wp = span(OW, SW, KW, DW);
  const padded = PH != 0 || PW != 0 || Hp > H || Wp > W;
  const Hs = padded ? Hp : H, Ws = padded ? Wp : W;
  const tap = scratch, pix = at(tap, up4(K)), zeros = at(pix, up4(P)), xs = at(zeros, <usize>O4);
  tapTable(C, KH, KW, DH, DW, Hs, Ws, tap);
  pixTable(OH, OW, SH, SW, Ws, pix);
  if (!bias) memory.fill(zeros, 0, <usize>O4 << 2);
  for (let n = n0; n < n1; n++) {
    let base = at(x, <usize>n * <usize>(C * H * W));
    if (padded) {
      padImage(C, H, W, PH, PW, Hp, Wp, base, xs);
      base = xs;
    }
    product(P, base, pix, K, tap, wT, O4, at(y, <usize>n * <usize>(O * P)), 1, bias ? bias : zeros, O, P);
  }
}

/** dyT[n, p, o] = dy[n, o, p] for images [n0, n1), o < O; zero for o in [O, O4). */
export function convTransposeImages(n0: i32, n1: i32, O: i32, P: i32, O4: i32, dy: usize, dyT: usize): void {
  for (let n = n0; n < n1; n++) {
    const src = at(dy, <usize>n * <usize>(O * P)), dst = at(dyT, <usize>n * <usize>(P * O4));
    for (let o = 0; o < O; o++) {
      for (let p = 0; p < P; p++) store<f32>(at(dst, <usize>(p * O4 + o)), load<f32>(at(src, <usize>(o * P + p))));
    }
    // Only the pad lanes [O, O4) of each row get zeros: one pass over dyT, not a fill and a rewrite.
    for (let p = 0; p < P; p++) {
      for (let o = O; o < O4; o++) store<f32>(at(dst, <usize>(p * O4 + o)), 0);
    }
  }
}

/**
 * dw[o, r] += Σ_n Σ_p dyT[n, p, o] · x̃[n, p, r] for taps r in [r0, r1) (all images, in order),
 * summed in dwT[r, O4] (shared; rows [r0, r1) are this call's) then added to dw [O, C·KH·KW].
 */
export function conv2dDirectWeightGrad(
  r0: i32, r1: i32, N: i32, C: i32, H: i32, W: i32, KH: i32, KW: i32, SH: i32, SW: i32, PH: i32, PW: i32,
  DH: i32, DW: i32, OH: i32, OW: i32, x: usize, dyT: usize, O: i32, O4: i32, dw: usize, dwT: usize, scratch: usize,
): void {
  const K = C * KH * KW, P = OH * OW, Hp = span(OH, SH, KH, DH), Wp = span(OW, SW, KW, DW);
  const padded = PH != 0 || PW != 0 || Hp > H || Wp > W;
  const Hs = padded ? Hp : H, Ws = padded ? Wp : W;
  const tap = scratch, pix = at(tap, up4(K)), xs = at(pix, up4(P) + <usize>O4);
  tapTable(C, KH, KW, DH, DW, Hs, Ws, tap);
  pixTable(OH, OW, SH, SW, Ws, pix);
  const rows = at(dwT, <usize>(r0 * O4));
  memory.fill(rows, 0, <usize>((r1 - r0) * O4) << 2);
  for (let n = 0; n < N; n++) {
    let base = at(x, <usize>n * <usize>(C * H * W));
    if (padded) {
      padImage(C, H, W, PH, PW, Hp, Wp, base, xs);
      base = xs;
    }
    product(r1 - r0, base, at(tap, <usize>r0), P, pix, at(dyT, <usize>n * <usize>(P * O4)), O4, rows, 0, 0, O, P);
  }
  for (let r = r0; r < r1; r++) {
    for (let o = 0; o < O; o++) {
      const d = at(dw, <usize>(o * K + r));
      store<f32>(d, load<f32>(d) + load<f32>(at(dwT, <usize>(r * O4 + o))));
    }
  }
}

