// The packed path of gemm (GotoBLAS style), for products large enough to pay for packing.
//
// For each block of KC steps of p (k split into equal blocks of at most KC), B's columns of the
// tile are copied into contiguous panels of 8, [panel][p][8], zero-padded past the last column;
// then for each band of 4 rows of A, the band is copied into [p][4] (zero rows past the last),
// and the 4×8 micro-kernel runs over every panel. Both operands are then read with unit stride
// and constant offsets: per step of p the kernel does two vector loads of B, four broadcast loads
// of A (`v128.load32_splat`, a memory operand of vbroadcastss on x64, so no shuffle competes
// with the arithmetic), and eight multiplies and eight adds into eight accumulators — 15 of x64's
// 16 xmm registers (V8 keeps xmm15 as scratch), so nothing spills. Bigger blocks (5×8, 6×8) were
// measured and spill: V8 hoists every broadcast load of a step ahead of the arithmetic.
//
// Edge tiles (fewer than 4 rows or 8 columns) run the same micro-kernel on a 4×8 tile in the
// scratch that holds C's initial values (zeros elsewhere) and copy the valid part back. Every C
// element is therefore summed over p in increasing order, as `acc = init; acc += a·b` in
// float32 (a C value stored between k-blocks is reloaded exactly), which is also what the direct
// path of gemm.ts does: both paths and every split into tiles give the same bits.

import { store4x4T } from "./simdmath";

// @ts-ignore: decorator
@inline function at(ptr: usize, i: usize): usize { return ptr + (i << 2); }

/** Steps of p per packed block: a B panel is KC·32 bytes (8 KiB) and an A band KC·16 (4 KiB), both L1-resident. */
export const KC: usize = 256;

/** C's initial value in a micro-kernel call: zero, C itself, or the bias row. */
const INIT_ZERO = 0, INIT_C = 1, INIT_BIAS = 2;

/**
 * The 4×8 micro-kernel: C[0..4)[0..8) at c (row stride ldc bytes) = init + Σ_p A[p][r]·B[p][q],
 * with A packed [kb][4] at ap and B packed [kb][8] at bp.
 */
// @ts-ignore: decorator
@inline function micro4x8(kb: usize, ap: usize, bp: usize, c: usize, ldc: usize, bias: usize, init: i32): void {
  let r00: v128, r01: v128, r10: v128, r11: v128, r20: v128, r21: v128, r30: v128, r31: v128;
  if (init == INIT_C) {
    r00 = v128.load(c); r01 = v128.load(c, 16);
    r10 = v128.load(c + ldc); r11 = v128.load(c + ldc, 16);
    r20 = v128.load(c + 2 * ldc); r21 = v128.load(c + 2 * ldc, 16);
    r30 = v128.load(c + 3 * ldc); r31 = v128.load(c + 3 * ldc, 16);
  } else if (init == INIT_BIAS) {
    r00 = r10 = r20 = r30 = v128.load(bias);
    r01 = r11 = r21 = r31 = v128.load(bias, 16);
  } else {
    r00 = r01 = r10 = r11 = r20 = r21 = r30 = r31 = f32x4.splat(0);
  }
  const end = bp + (kb << 5);
  while (bp < end) {
    const b0 = v128.load(bp), b1 = v128.load(bp, 16);
    const a0 = v128.load32_splat(ap), a1 = v128.load32_splat(ap, 4);
    const a2 = v128.load32_splat(ap, 8), a3 = v128.load32_splat(ap, 12);
    r00 = f32x4.add(r00, f32x4.mul(a0, b0)); r01 = f32x4.add(r01, f32x4.mul(a0, b1));
    r10 = f32x4.add(r10, f32x4.mul(a1, b0)); r11 = f32x4.add(r11, f32x4.mul(a1, b1));
    r20 = f32x4.add(r20, f32x4.mul(a2, b0)); r21 = f32x4.add(r21, f32x4.mul(a2, b1));
    r30 = f32x4.add(r30, f32x4.mul(a3, b0)); r31 = f32x4.add(r31, f32x4.mul(a3, b1));
    ap += 16;
    bp += 32;
  }
  v128.store(c, r00); v128.store(c, r01, 16);
  v128.store(c + ldc, r10); v128.store(c + ldc, r11, 16);
  v128.store(c + 2 * ldc, r20); v128.store(c + 2 * ldc, r21, 16);
  v128.store(c + 3 * ldc, r30); v128.store(c + 3 * ldc, r31, 16);
}

/**
 * Packs `width` (4 or 8) lines of a strided matrix for kb steps: dst[p][w] = src[w·lineStride +
 * p·stepStride] for w < valid, 0 for valid ≤ w < width. This is B's panels (lines = columns,
 * steps = rows of B) and A's bands (lines = rows of A, steps = p). Unit-stride cases use vector
 * copies (lines contiguous) or 4×4 transposes (steps contiguous).
 */
function packLines(valid: usize, width: usize, kb: usize, src: usize, lineStride: usize, stepStride: usize, dst: usize): void {
  const ls = lineStride << 2, ss = stepStride << 2, ds = width << 2;
  if (valid == width && lineStride == 1) {
    for (let p: usize = 0; p < kb; p++) {
      const s = src + p * ss, d = dst + p * ds;
      v128.store(d, v128.load(s));
      if (width == 8) v128.store(d, v128.load(s, 16), 16);
    }
    return;
  }
  let p: usize = 0;
  if (valid == width && stepStride == 1) {
    for (; p + 4 <= kb; p += 4) {
      for (let w: usize = 0; w < width; w += 4) {
        const s = src + w * ls + (p << 2);
        store4x4T(dst + p * ds + (w << 2), ds, v128.load(s), v128.load(s + ls), v128.load(s + 2 * ls), v128.load(s + 3 * ls));
      }
    }
  }
  for (; p < kb; p++) {
    const d = dst + p * ds, s = src + p * ss;
    for (let w: usize = 0; w < width; w++) store<f32>(d + (w << 2), w < valid ? load<f32>(s + w * ls) : 0);
  }
}

/** Scratch floats the packed path needs for a tile of at most n columns and kb ≤ KC steps. */
// @ts-ignore: decorator
@inline export function packedScratch(n: usize, k: usize): usize {
  const kb = min<usize>(k, KC);
  return kb * (((n + 7) & ~7) + 4) + 32;
}

/**
 * C[i0..i1, j0..j1) (+)= A·B (+ bias) through packing, C row-major with n columns. A's element
 * (i, p) is at a + 4(i·ars + p·acs), B's (p, j) at b + 4(p·brs + j·bcs): any strides.
 * pack: packedScratch(j1 - j0, k) floats, this call's own.
 */
export function gemmPacked(
  n: usize, k: usize, a: usize, ars: usize, acs: usize, b: usize, brs: usize, bcs: usize,
  c: usize, bias: usize, accumulate: i32, pack: usize, i0: usize, i1: usize, j0: usize, j1: usize,
): void {
  const blocks = (k + KC - 1) / KC, kc = (k + blocks - 1) / blocks; // equal blocks: no short last one
  const cols = j1 - j0;
  const aPack = pack + ((kc * ((cols + 7) & ~7)) << 2), tile = aPack + ((kc * 4) << 2);
  const ldc = n << 2;
  for (let p0: usize = 0; p0 < k; p0 += kc) {
    const kb = min<usize>(kc, k - p0);
    for (let j = j0; j < j1; j += 8) {
      packLines(min<usize>(8, j1 - j), 8, kb, at(b, p0 * brs + j * bcs), bcs, brs, pack + (((j - j0) * kb) << 2));
    }
    // The first block starts from C, the bias or zero; later blocks add to C.
    const init = p0 > 0 || accumulate ? INIT_C : bias ? INIT_BIAS : INIT_ZERO;
    for (let i = i0; i < i1; i += 4) {
      const rows = min<usize>(4, i1 - i);
      packLines(rows, 4, kb, at(a, i * ars + p0 * acs), ars, acs, aPack);
      for (let j = j0; j < j1; j += 8) {
        const bp = pack + (((j - j0) * kb) << 2), valid = min<usize>(8, j1 - j), cp = at(c, i * n + j);
        const bj = bias ? at(bias, j) : 0;
        if (rows == 4 && valid == 8) {
          micro4x8(kb, aPack, bp, cp, ldc, bj, init);
          continue;
        }
        for (let r: usize = 0; r < 4; r++) {
          for (let q: usize = 0; q < 8; q++) {
            let v: f32 = 0;
            if (r < rows && q < valid) v = init == INIT_C ? load<f32>(cp + r * ldc + (q << 2)) : init == INIT_BIAS ? load<f32>(bj + (q << 2)) : 0;
            store<f32>(tile + ((r * 8 + q) << 2), v);
          }
        }
        micro4x8(kb, aPack, bp, tile, 32, 0, INIT_C);
        for (let r: usize = 0; r < rows; r++) {
          for (let q: usize = 0; q < valid; q++) store<f32>(cp + r * ldc + (q << 2), load<f32>(tile + ((r * 8 + q) << 2)));
        }
      }
    }
  }
}
