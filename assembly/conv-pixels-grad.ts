// Convolution input gradient with output pixels in the SIMD lanes (column stride 1), scattered
// straight from the registers into a zero-padded copy of dx, without a col matrix:
//   dxp[c, oy·SH + ky·DH, ox + kx·DW .. +3] += Σ_o w[o, r] · dy[o, oy, ox .. ox+3]
// for every tap r = (c, ky, kx) and output-pixel vector (oy, ox..ox+3); then dx = dxp cropped
// by the padding (rows and columns the windows never touch get 0). This is col2im(wᵀ·dy) with
// the 4×… blocks of wᵀ·dy added into dx as they leave the registers: exactly the useful
// multiply-adds (no zeros of the "full" correlation), and no [K, P] pass through memory.
// Register blocks: 2 pixel vectors × 4 taps, the sum over the O output channels in registers
// (8 accumulators + 2 dy vectors + 4 weight splats + 1 product fit V8's 15 allocatable xmm
// registers: TurboFan issues a block's loads before its arithmetic, and 2 × 6 taps spilled 4
// accumulators and 2 splats to the stack on every step); the weight packed as [⌈K/4⌉][O][4]
// (zero past K), taps ordered kx-major (convPackTapWeights).
// dy is copied per image by pairs of pixel vectors (rows of OW rounded up to 4, zeros past OW),
// and only the lanes of real pixels are added, so
// every dx element is a sum of exactly its own terms, in the order (tap block, pixel vector),
// each an O-sum in order: the same for any split of the images.
// Scratch per thread (floats, 16-byte aligned parts): tap table K4 | vector table 3·V |
// dyp [⌈V/2⌉, O, 2, 4] (each pair of pixel vectors' O channels contiguous: one stream with
// constant offsets) | dxp [C, Hp, Wp], Hp = (OH−1)·SH + (KH−1)·DH + 1, Wp = OWv + (KW−1)·DW.

import { cropImage } from "./conv-pad";

// @ts-ignore: decorator
@inline function at(ptr: usize, i: usize): usize { return ptr + (i << 2); }
// @ts-ignore: decorator
@inline function up4(n: i32): usize { return <usize>((n + 3) & ~3); }

/**
 * wQ[b][o][i] = w[o, c, ky, kx] for tap q = 4b + i in the order q = (kx·C + c)·KH + ky, zero for
 * q ≥ K = C·KH·KW. Taps of one block differ in (c, ky) when C·KH ≥ 4, so their rows of dx never overlap: the
 * four read-add-writes of a block do not wait for each other's stores (kx-neighbours would
 * overlap by 12 bytes).
 */
export function convPackTapWeights(O: i32, C: i32, KH: i32, KW: i32, w: usize, wQ: usize): void {
  const K = C * KH * KW, blocks = (K + 3) >> 2;
  memory.fill(wQ, 0, <usize>(blocks * O * 4) << 2);
  for (let o = 0; o < O; o++) {
    for (let kx = 0; kx < KW; kx++) {
      for (let c = 0; c < C; c++) {
        for (let ky = 0; ky < KH; ky++) {
          const q = (kx * C + c) * KH + ky, r = (c * KH + ky) * KW + kx;
          store<f32>(at(wQ, <usize>(((q >> 2) * O + o) * 4 + (q & 3))), load<f32>(at(w, <usize>(o * K + r))));
        }
      }
    }
  }
}

/**
 * Tap i of a block adds its two vectors at its tap offset, when the tap exists; m0, m1 keep the
 * lanes of real pixels (the others add +0 to dxp, which never holds −0: exact).
 */
// @ts-ignore: decorator
@inline function addTap(dxp: usize, tap: usize, i: i32, taps: i32, x0: usize, v0: v128, m0: v128, x1: usize, v1: v128, m1: v128, two: bool): void {
  if (i >= taps) return;
  const t = dxp + <usize>load<i32>(tap + (<usize>i << 2));
  v128.store(t + x0, f32x4.add(v128.load(t + x0), v128.and(v0, m0)));
  if (two) v128.store(t + x1, f32x4.add(v128.load(t + x1), v128.and(v1, m1)));
}

/** Pixel vectors j, j+1 (table vt: dxp offset, dyp offset of the pair, valid lanes) × taps of one block (tap: its 4 offsets). */
// @ts-ignore: decorator
@inline function block(dyp: usize, dxp: usize, tap: usize, taps: i32, O: i32, wb: usize, vt: usize, two: bool): void {
  let dp = dyp + <usize>load<i32>(vt, 4);
  let r00 = f32x4.splat(0), r10 = r00, r20 = r00, r30 = r00;
  let r01 = r00, r11 = r00, r21 = r00, r31 = r00;
  let wp = wb;
  for (let o = 0; o < O; o++) {
    const y0 = v128.load(dp), y1 = v128.load(dp, 16);
    let w = v128.load32_splat(wp);
    r00 = f32x4.add(r00, f32x4.mul(w, y0)); r01 = f32x4.add(r01, f32x4.mul(w, y1));
    w = v128.load32_splat(wp, 4);
    r10 = f32x4.add(r10, f32x4.mul(w, y0)); r11 = f32x4.add(r11, f32x4.mul(w, y1));
    w = v128.load32_splat(wp, 8);
    r20 = f32x4.add(r20, f32x4.mul(w, y0)); r21 = f32x4.add(r21, f32x4.mul(w, y1));
    w = v128.load32_splat(wp, 12);
    r30 = f32x4.add(r30, f32x4.mul(w, y0)); r31 = f32x4.add(r31, f32x4.mul(w, y1));
    dp += 32;
    wp += 16;
  }
  const lanes = i32x4(0, 1, 2, 3);
  const x0 = <usize>load<i32>(vt), m0 = i32x4.lt_s(lanes, i32x4.splat(load<i32>(vt, 8)));
  const x1 = two ? <usize>load<i32>(vt, 12) : 0, m1 = i32x4.lt_s(lanes, i32x4.splat(two ? load<i32>(vt, 20) : 0));
  addTap(dxp, tap, 0, taps, x0, r00, m0, x1, r01, m1, two);
  addTap(dxp, tap, 1, taps, x0, r10, m0, x1, r11, m1, two);
  addTap(dxp, tap, 2, taps, x0, r20, m0, x1, r21, m1, two);
  addTap(dxp, tap, 3, taps, x0, r30, m0, x1, r31, m1, two);
}

/**
 * dx[n] = the input gradient of images [n0, n1) of a convolution with column stride 1 (dx
 * [N, C, H, W] overwritten), from dy [N, O, OH, OW] and wQ (convPackTapWeights).
 */
export function conv2dPixelInputGrad(
  n0: i32, n1: i32, C: i32, H: i32, W: i32, O: i32, KH: i32, KW: i32, SH: i32, PH: i32, PW: i32,
  DH: i32, DW: i32, OH: i32, OW: i32, dy: usize, wQ: usize, dx: usize, scratch: usize,
): void {
  const K = C * KH * KW, OWv = (OW + 3) & ~3, V = OH * (OWv >> 2);
  const Hp = (OH - 1) * SH + (KH - 1) * DH + 1, Wp = OWv + (KW - 1) * DW;
  const pairs = (V + 1) >> 1, pairBytes = <usize>O << 5;
  const tap = scratch, vt = at(tap, up4(K)), dyp = at(vt, up4(3 * V)), dxp = dyp + <usize>pairs * pairBytes;
  // Tap offsets in dxp in the order of convPackTapWeights: q = (kx·C + c)·KH + ky.
  let q: usize = 0;
  for (let kx = 0; kx < KW; kx++) {
    for (let c = 0; c < C; c++) {
      for (let ky = 0; ky < KH; ky++) store<i32>(tap + (q++ << 2), ((c * Hp + ky * DH) * Wp + kx * DW) << 2);
    }
  }
  let v: usize = 0;
  for (let oy = 0; oy < OH; oy++) {
    for (let ox = 0; ox < OWv; ox += 4) {
      store<i32>(vt + v * 12, (oy * SH * Wp + ox) << 2);
      store<i32>(vt + v * 12 + 4, <i32>((v >> 1) * pairBytes + ((v & 1) << 4)));
      store<i32>(vt + v * 12 + 8, OW - ox < 4 ? OW - ox : 4);
      v++;
    }
  }
  const image = <usize>(C * Hp * Wp) << 2;
  // The second vector of an odd last pair is never added: zeros, once.
  if (V & 1) for (let o = 0; o < O; o++) v128.store(dyp + <usize>(pairs - 1) * pairBytes + (<usize>o << 5), f32x4.splat(0), 16);
  for (let n = n0; n < n1; n++) {
    // dyp: dy[n] by pairs of pixel vectors, zeros past OW.
    const dyn = at(dy, <usize>n * <usize>(O * OH * OW));
    for (let o = 0; o < O; o++) {
      let w: usize = 0;
      for (let oy = 0; oy < OH; oy++) {
        const src = at(dyn, <usize>((o * OH + oy) * OW));
        for (let ox = 0; ox < OW; ox += 4) {
          const dst = dyp + (w >> 1) * pairBytes + (<usize>o << 5) + ((w & 1) << 4);
          if (ox + 4 <= OW) v128.store(dst, v128.load(at(src, <usize>ox)));
          else for (let i = 0; i < 4; i++) store<f32>(at(dst, <usize>i), ox + i < OW ? load<f32>(at(src, <usize>(ox + i))) : 0);
          w++;
        }
      }
    }
    memory.fill(dxp, 0, image);
    for (let r = 0; r < K; r += 4) {
      const taps = K - r < 4 ? K - r : 4, wb = at(wQ, <usize>(r * O)), tb = at(tap, <usize>r);
      let j = 0;
      for (; j + 2 <= V; j += 2) block(dyp, dxp, tb, taps, O, wb, vt + <usize>j * 12, true);
      if (j < V) block(dyp, dxp, tb, taps, O, wb, vt + <usize>j * 12, false);
    }
    cropImage(C, H, W, PH, PW, Hp, Wp, dxp, at(dx, <usize>n * <usize>(C * H * W)));
  }
}
