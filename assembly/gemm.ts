// Dense matrix products for a Linear layer, float32, row-major.
//
//   C[m, n] (+)= A·B (+ bias[n])
//
// A is addressed through strides so one kernel serves the three products a dense layer needs:
//   forward   Y  = X·Wᵀ + b : A = X  [m, k] (rowStride k, colStride 1), B = Wᵀ, read from W
//                             [n, k] through B's strides (gemmStrided) when the product packs,
//                             else from W transposed once by `transpose`; bias = b
//   backward  dX = dY·W     : A = dY [m, k] (rowStride k, colStride 1), B = W
//   backward  dW += dYᵀ·X   : A = dYᵀ, i.e. dY stored [k, m] (rowStride 1, colStride m),
//                             B = X, accumulate = 1
// In gemm / gemmRange B is [k, n] row-major and contiguous; C is always [m, n] row-major.
//
// Large products pack both operands (gemm-packed.ts: a 4×8 micro-kernel on packed panels).
// Small ones run directly on the operands: a 4×8 block of C in eight f32x4 registers streams one
// row of B (two vectors) and four broadcast elements of A per step of p; edges use 4×4, 4×1, 1×4
// and 1×1 blocks, so every m, n, k ≥ 1 works. Each C element is summed over p in increasing order
// in float32, the same order in every block shape and on both paths.
import { gemmPacked, packedScratch } from "./gemm-packed";

// @ts-ignore: decorator
@inline function at(ptr: usize, i: usize): usize { return ptr + (i << 2); }

/** The initial value of C[i, j..j+3]: C itself when accumulating, else the bias, else 0. */
// @ts-ignore: decorator
@inline function init4(c: usize, bias: usize, accumulate: i32): v128 {
  if (accumulate) return v128.load(c);
  if (bias) return v128.load(bias);
  return f32x4.splat(0);
}
// @ts-ignore: decorator
@inline function init1(c: usize, bias: usize, accumulate: i32): f32 {
  if (accumulate) return load<f32>(c);
  if (bias) return load<f32>(bias);
  return 0;
}

// @ts-ignore: decorator
@inline function block4x8(
  i: usize, j: usize, n: usize, k: usize, aRow: usize, ars: usize, acs: usize,
  b: usize, ldb: usize, c: usize, bias: usize, accumulate: i32,
): void {
  const c0 = at(c, i * n + j), c1 = c0 + (n << 2), c2 = c1 + (n << 2), c3 = c2 + (n << 2);
  const bj = bias ? at(bias, j) : 0;
  let r00 = init4(c0, bj, accumulate), r01 = init4(c0 + 16, bj ? bj + 16 : 0, accumulate);
  let r10 = init4(c1, bj, accumulate), r11 = init4(c1 + 16, bj ? bj + 16 : 0, accumulate);
  let r20 = init4(c2, bj, accumulate), r21 = init4(c2 + 16, bj ? bj + 16 : 0, accumulate);
  let r30 = init4(c3, bj, accumulate), r31 = init4(c3 + 16, bj ? bj + 16 : 0, accumulate);
  let ap = aRow;
  let bp = b;
  const aStep = ars << 2, apStep = acs << 2, bpStep = ldb << 2;
  for (let p: usize = 0; p < k; p++) {
    const b0 = v128.load(bp), b1 = v128.load(bp, 16);
    const a0 = v128.load32_splat(ap);
    const a1 = v128.load32_splat(ap + aStep);
    const a2 = v128.load32_splat(ap + 2 * aStep);
    const a3 = v128.load32_splat(ap + 3 * aStep);
    r00 = f32x4.add(r00, f32x4.mul(a0, b0)); r01 = f32x4.add(r01, f32x4.mul(a0, b1));
    r10 = f32x4.add(r10, f32x4.mul(a1, b0)); r11 = f32x4.add(r11, f32x4.mul(a1, b1));
    r20 = f32x4.add(r20, f32x4.mul(a2, b0)); r21 = f32x4.add(r21, f32x4.mul(a2, b1));
    r30 = f32x4.add(r30, f32x4.mul(a3, b0)); r31 = f32x4.add(r31, f32x4.mul(a3, b1));
    ap += apStep;
    bp += bpStep;
  }
  v128.store(c0, r00); v128.store(c0, r01, 16);
  v128.store(c1, r10); v128.store(c1, r11, 16);
  v128.store(c2, r20); v128.store(c2, r21, 16);
  v128.store(c3, r30); v128.store(c3, r31, 16);
}

// @ts-ignore: decorator
@inline function block4x4(
  i: usize, j: usize, n: usize, k: usize, aRow: usize, ars: usize, acs: usize,
  b: usize, ldb: usize, c: usize, bias: usize, accumulate: i32,
): void {
  const c0 = at(c, i * n + j), c1 = c0 + (n << 2), c2 = c1 + (n << 2), c3 = c2 + (n << 2);
  const bj = bias ? at(bias, j) : 0;
  let r0 = init4(c0, bj, accumulate), r1 = init4(c1, bj, accumulate);
  let r2 = init4(c2, bj, accumulate), r3 = init4(c3, bj, accumulate);
  let ap = aRow;
  let bp = b;
  const aStep = ars << 2, apStep = acs << 2, bpStep = ldb << 2;
  for (let p: usize = 0; p < k; p++) {
    const b0 = v128.load(bp);
    r0 = f32x4.add(r0, f32x4.mul(v128.load32_splat(ap), b0));
    r1 = f32x4.add(r1, f32x4.mul(v128.load32_splat(ap + aStep), b0));
    r2 = f32x4.add(r2, f32x4.mul(v128.load32_splat(ap + 2 * aStep), b0));
    r3 = f32x4.add(r3, f32x4.mul(v128.load32_splat(ap + 3 * aStep), b0));
    ap += apStep;
    bp += bpStep;
  }
  v128.store(c0, r0); v128.store(c1, r1); v128.store(c2, r2); v128.store(c3, r3);
}

/** One column j of four rows, scalar (the n % 4 tail of a 4-row band). */
// @ts-ignore: decorator
@inline function block4x1(
  i: usize, j: usize, n: usize, k: usize, aRow: usize, ars: usize, acs: usize,
  b: usize, ldb: usize, c: usize, bias: usize, accumulate: i32,
): void {
  const c0 = at(c, i * n + j), c1 = c0 + (n << 2), c2 = c1 + (n << 2), c3 = c2 + (n << 2);
  const bj = bias ? at(bias, j) : 0;
  let r0 = init1(c0, bj, accumulate), r1 = init1(c1, bj, accumulate);
  let r2 = init1(c2, bj, accumulate), r3 = init1(c3, bj, accumulate);
  let ap = aRow;
  let bp = b;
  const aStep = ars << 2, apStep = acs << 2, bpStep = ldb << 2;
  for (let p: usize = 0; p < k; p++) {
    const bv = load<f32>(bp);
    r0 += load<f32>(ap) * bv;
    r1 += load<f32>(ap + aStep) * bv;
    r2 += load<f32>(ap + 2 * aStep) * bv;
    r3 += load<f32>(ap + 3 * aStep) * bv;
    ap += apStep;
    bp += bpStep;
  }
  store<f32>(c0, r0); store<f32>(c1, r1); store<f32>(c2, r2); store<f32>(c3, r3);
}

// @ts-ignore: decorator
@inline function block1x4(
  i: usize, j: usize, n: usize, k: usize, aRow: usize, ars: usize, acs: usize,
  b: usize, ldb: usize, c: usize, bias: usize, accumulate: i32,
): void {
  const c0 = at(c, i * n + j);
  let r = init4(c0, bias ? at(bias, j) : 0, accumulate);
  let ap = aRow;
  let bp = b;
  const apStep = acs << 2, bpStep = ldb << 2;
  for (let p: usize = 0; p < k; p++) {
    r = f32x4.add(r, f32x4.mul(v128.load32_splat(ap), v128.load(bp)));
    ap += apStep;
    bp += bpStep;
  }
  v128.store(c0, r);
}

// @ts-ignore: decorator
@inline function block1x1(
  i: usize, j: usize, n: usize, k: usize, aRow: usize, ars: usize, acs: usize,
  b: usize, ldb: usize, c: usize, bias: usize, accumulate: i32,
): void {
  const c0 = at(c, i * n + j);
  let r = init1(c0, bias ? at(bias, j) : 0, accumulate);
  let ap = aRow;
  let bp = b;
  const apStep = acs << 2, bpStep = ldb << 2;
  for (let p: usize = 0; p < k; p++) {
    r += load<f32>(ap) * load<f32>(bp);
    ap += apStep;
    bp += bpStep;
  }
  store<f32>(c0, r);
}

/** Scratch floats gemm() needs for packing (0 when it will not pack). */
export function gemmPackSize(m: i32, n: i32, k: i32): i32 {
  if (!usePacking(<usize>m, <usize>n, <usize>k)) return 0;
  return <i32>packedScratch(<usize>n, <usize>k);
}

// @ts-ignore: decorator
@inline function usePacking(m: usize, n: usize, k: usize): bool {
  // Pack when enough rows of A re-use each packed panel of B to pay for the copies: B larger
  // than L1 and 8 rows, or B over 4 KiB with 32 rows and k ≥ 32 (below that, per-tile set-up
  // and the zero-padded edges cost more than the direct path's strided reads; bench/RESULTS.md).
  const bBytes = k * n * 4;
  return (m >= 8 && bBytes > 65536) || (m >= 32 && k >= 32 && bBytes > 4096);
}

/**
 * The blocked loops over the tile [i0, i1) × [j0, j1) of C (row stride n), reading A (strides
 * ars, acs) and B (row stride ldb, unit column stride) directly. Blocks start at (i0, j0); every element is summed over
 * p in the same order whatever the block, so any split gives the same bits.
 */
// @ts-ignore: decorator
@inline function sweep(
  i0: usize, i1: usize, j0: usize, j1: usize, n: usize, k: usize, a: usize, ars: usize, acs: usize,
  b: usize, ldb: usize, c: usize, bias: usize, accumulate: i32,
): void {
  let i = i0;
  for (; i + 4 <= i1; i += 4) {
    const ar = at(a, i * ars);
    let j = j0;
    for (; j + 8 <= j1; j += 8) block4x8(i, j, n, k, ar, ars, acs, at(b, j), ldb, c, bias, accumulate);
    for (; j + 4 <= j1; j += 4) block4x4(i, j, n, k, ar, ars, acs, at(b, j), ldb, c, bias, accumulate);
    for (; j < j1; j++) block4x1(i, j, n, k, ar, ars, acs, at(b, j), ldb, c, bias, accumulate);
  }
  for (; i < i1; i++) {
    const ar = at(a, i * ars);
    let j = j0;
    for (; j + 4 <= j1; j += 4) block1x4(i, j, n, k, ar, ars, acs, at(b, j), ldb, c, bias, accumulate);
    for (; j < j1; j++) block1x1(i, j, n, k, ar, ars, acs, at(b, j), ldb, c, bias, accumulate);
  }
}

/** The same sums element by element, for a B that is not row-contiguous and not packed. */
function sweepStrided(
  i0: usize, i1: usize, j0: usize, j1: usize, n: usize, k: usize, a: usize, ars: usize, acs: usize,
  b: usize, brs: usize, bcs: usize, c: usize, bias: usize, accumulate: i32,
): void {
  for (let i = i0; i < i1; i++) {
    for (let j = j0; j < j1; j++) {
      const cp = at(c, i * n + j);
      let r = init1(cp, bias ? at(bias, j) : 0, accumulate);
      for (let p: usize = 0; p < k; p++) r += load<f32>(at(a, i * ars + p * acs)) * load<f32>(at(b, p * brs + j * bcs));
      store<f32>(cp, r);
    }
  }
}

/**
 * C[m, n] (+)= A·B (+ bias). A's element (i, p) is at a + 4·(i·aRowStride + p·aColStride); B is
 * [k, n] row-major. bias (n floats) is added when non-zero and accumulate is 0; with
 * accumulate = 1, C is added to. pack: scratch of gemmPackSize(m, n, k) floats, or 0 to never pack.
 */
export function gemm(
  m: i32, n: i32, k: i32, a: usize, aRowStride: i32, aColStride: i32,
  b: usize, c: usize, bias: usize, accumulate: i32, pack: usize,
): void {
  gemmStridedRange(m, n, k, a, aRowStride, aColStride, b, n, 1, c, bias, accumulate, pack, 0, m, 0, n);
}

/**
 * gemm restricted to the tile rows [rowBegin, rowEnd) × columns [colBegin, colEnd) of C, for
 * splitting one product across threads (each with its own `pack` scratch). Every element is
 * bit-identical to the full product's, for any split.
 */
export function gemmRange(
  m: i32, n: i32, k: i32, a: usize, aRowStride: i32, aColStride: i32,
  b: usize, c: usize, bias: usize, accumulate: i32, pack: usize,
  rowBegin: i32, rowEnd: i32, colBegin: i32, colEnd: i32,
): void {
  gemmStridedRange(m, n, k, a, aRowStride, aColStride, b, n, 1, c, bias, accumulate, pack, rowBegin, rowEnd, colBegin, colEnd);
}

/**
 * gemm with B's element (p, j) at b + 4·(p·bRowStride + j·bColStride): with bRowStride 1 and
 * bColStride k, B is the transpose of a row-major [n, k] matrix (the forward's X·Wᵀ reads W).
 * Packed products read any strides at full speed; direct ones (pack 0, or gemmPackSize 0) need
 * bColStride 1 for that, and otherwise run element by element.
 */
export function gemmStrided(
  m: i32, n: i32, k: i32, a: usize, aRowStride: i32, aColStride: i32,
  b: usize, bRowStride: i32, bColStride: i32, c: usize, bias: usize, accumulate: i32, pack: usize,
): void {
  gemmStridedRange(m, n, k, a, aRowStride, aColStride, b, bRowStride, bColStride, c, bias, accumulate, pack, 0, m, 0, n);
}

/** gemmStrided restricted to a tile of C, as gemmRange. */
export function gemmStridedRange(
  m: i32, n: i32, k: i32, a: usize, aRowStride: i32, aColStride: i32,
  b: usize, bRowStride: i32, bColStride: i32, c: usize, bias: usize, accumulate: i32, pack: usize,
  rowBegin: i32, rowEnd: i32, colBegin: i32, colEnd: i32,
): void {
  const un = <usize>n, uk = <usize>k, ars = <usize>aRowStride, acs = <usize>aColStride;
  const brs = <usize>bRowStride, bcs = <usize>bColStride;
  const i0 = <usize>rowBegin, i1 = <usize>rowEnd, j0 = <usize>colBegin, j1 = <usize>colEnd;
  if (i0 >= i1 || j0 >= j1) return;
  if (pack != 0 && usePacking(<usize>m, un, uk)) {
    gemmPacked(un, uk, a, ars, acs, b, brs, bcs, c, bias, accumulate, pack, i0, i1, j0, j1);
  } else if (bcs == 1) {
    sweep(i0, i1, j0, j1, un, uk, a, ars, acs, b, brs, c, bias, accumulate);
  } else {
    sweepStrided(i0, i1, j0, j1, un, uk, a, ars, acs, b, brs, bcs, c, bias, accumulate);
  }
}

/** dst[cols, rows] = src[rows, cols]ᵀ, in 8×8 tiles so both sides stay in cache. */
export function transpose(rows: i32, cols: i32, src: usize, dst: usize): void {
  transposeRange(rows, cols, src, dst, 0, rows);
}

/** transpose restricted to the source rows [begin, end) (destination columns), for threads. */
export function transposeRange(rows: i32, cols: i32, src: usize, dst: usize, begin: i32, end: i32): void {
  const ur = <usize>rows, uc = <usize>cols, ub = <usize>begin, ue = <usize>end;
  for (let i0 = ub; i0 < ue; i0 += 8) {
    const iEnd = i0 + 8 < ue ? i0 + 8 : ue;
    for (let j0: usize = 0; j0 < uc; j0 += 8) {
      const jEnd = j0 + 8 < uc ? j0 + 8 : uc;
      for (let i = i0; i < iEnd; i++) {
        for (let j = j0; j < jEnd; j++) store<f32>(at(dst, j * ur + i), load<f32>(at(src, i * uc + j)));
      }
    }
  }
}
