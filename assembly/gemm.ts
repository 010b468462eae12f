// Dense matrix products for a Linear layer, float32, row-major.
//
//   C[m, n] (+)= A·B (+ bias[n])
//
// A is addressed through strides so one kernel serves the three products a dense layer needs:
//   forward   Y  = X·Wᵀ + b : A = X  [m, k] (rowStride k, colStride 1), B = Wᵀ (W transposed
//                             once per forward by `transpose`), bias = b
//   backward  dX = dY·W     : A = dY [m, k] (rowStride k, colStride 1), B = W
//   backward  dW += dYᵀ·X   : A = dYᵀ, i.e. dY stored [k, m] (rowStride 1, colStride m),
//                             B = X, accumulate = 1
// B is [k, n] row-major and contiguous; C is [m, n] row-major.
//
// The micro-kernel keeps a 4×8 block of C in eight f32x4 registers and streams one row of B
// (two vectors) and four broadcast elements of A per step of p. Edges use 4×4, 4×1, 1×4 and 1×1
// blocks, so every m, n, k ≥ 1 works. Each C element is summed over p in increasing order in
// float32, the same order in every block shape and on both paths below.
//
// Large products pack B (GotoBLAS style): for each block of KC rows of B, the columns are copied
// into contiguous panels of 8 (zero-padded), [panel][p][8], in a scratch buffer the caller
// provides. The micro-kernel then reads B with unit stride from a panel that stays in L1, instead
// of touching a new cache line for every p.

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
    const a0 = f32x4.splat(load<f32>(ap));
    const a1 = f32x4.splat(load<f32>(ap + aStep));
    const a2 = f32x4.splat(load<f32>(ap + 2 * aStep));
    const a3 = f32x4.splat(load<f32>(ap + 3 * aStep));
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
    r0 = f32x4.add(r0, f32x4.mul(f32x4.splat(load<f32>(ap)), b0));
    r1 = f32x4.add(r1, f32x4.mul(f32x4.splat(load<f32>(ap + aStep)), b0));
    r2 = f32x4.add(r2, f32x4.mul(f32x4.splat(load<f32>(ap + 2 * aStep)), b0));
    r3 = f32x4.add(r3, f32x4.mul(f32x4.splat(load<f32>(ap + 3 * aStep)), b0));
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
    r = f32x4.add(r, f32x4.mul(f32x4.splat(load<f32>(ap)), v128.load(bp)));
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

/** Rows of B per packed block: a 4×8 micro-kernel's panel is KC·32 bytes (8 KiB), well inside L1. */
const KC: usize = 256;

/** Scratch floats gemm() needs for packing (0 when it will not pack): B panels, then A bands. */
export function gemmPackSize(m: i32, n: i32, k: i32): i32 {
  if (!usePacking(<usize>m, <usize>n, <usize>k)) return 0;
  const kb = min<usize>(<usize>k, KC);
  return <i32>(kb * (((<usize>n + 7) & ~7) + ((<usize>m + 3) & ~3)));
}

// @ts-ignore: decorator
@inline function usePacking(m: usize, n: usize, k: usize): bool {
  // Pack when B is larger than L1 would hold and enough rows of A re-use each panel.
  return m >= 8 && k * n * 4 > 65536;
}

/**
 * Copies rows [0, kb) of a row-major matrix (cols wide, row stride ld) into panels of `width`
 * (4 or 8) columns, [cols/width][kb][width], zero-padded past the last column. For B this makes
 * each 8-column panel of a k-block contiguous; for a transposed A (element (i, p) at i + p·m),
 * whose "rows" are steps of p, it makes the 4 rows a micro-kernel reads per step adjacent.
 */
function packPanels(cols: usize, kb: usize, src: usize, ld: usize, dst: usize, width: usize): void {
  const panels = (cols + width - 1) / width;
  for (let jp: usize = 0; jp < panels; jp++) {
    const j = jp * width;
    let out = dst + ((jp * kb * width) << 2);
    let row = at(src, j);
    const full = j + width <= cols, valid = full ? width : cols - j;
    for (let p: usize = 0; p < kb; p++) {
      if (full) {
        for (let q: usize = 0; q < width; q += 4) v128.store(out + (q << 2), v128.load(row + (q << 2)));
      } else {
        for (let q: usize = 0; q < width; q++) store<f32>(out + (q << 2), q < valid ? load<f32>(row + (q << 2)) : 0);
      }
      out += width << 2;
      row += ld << 2;
    }
  }
}

/**
 * The blocked loops over the tile [i0, i1) × [j0, j1) of C (row stride n). B is read directly
 * (row stride n) or from panels packed from column j0; A directly (strides ars, acs) or from
 * bands packed from row i0. Blocks start at (i0, j0), so a tile's edges are the same whether
 * or not C is split: every element is summed over p in the same order either way.
 */
// @ts-ignore: decorator
@inline function sweep(
  i0: usize, i1: usize, j0: usize, j1: usize, n: usize, k: usize, a: usize, ars: usize, acs: usize, aPacked: bool,
  b: usize, bPacked: bool, c: usize, bias: usize, accumulate: i32,
): void {
  const ldb = bPacked ? <usize>8 : n;
  const rs = aPacked ? <usize>1 : ars, cs = aPacked ? <usize>4 : acs;
  let i = i0;
  for (; i + 4 <= i1; i += 4) {
    const ar = arow(a, i, i0, k, ars, aPacked);
    let j = j0;
    for (; j + 8 <= j1; j += 8) block4x8(i, j, n, k, ar, rs, cs, bcol(b, j, j0, k, bPacked), ldb, c, bias, accumulate);
    for (; j + 4 <= j1; j += 4) block4x4(i, j, n, k, ar, rs, cs, bcol(b, j, j0, k, bPacked), ldb, c, bias, accumulate);
    for (; j < j1; j++) block4x1(i, j, n, k, ar, rs, cs, bcol(b, j, j0, k, bPacked), ldb, c, bias, accumulate);
  }
  for (; i < i1; i++) {
    const ar = arow(a, i, i0, k, ars, aPacked);
    let j = j0;
    for (; j + 4 <= j1; j += 4) block1x4(i, j, n, k, ar, rs, cs, bcol(b, j, j0, k, bPacked), ldb, c, bias, accumulate);
    for (; j < j1; j++) block1x1(i, j, n, k, ar, rs, cs, bcol(b, j, j0, k, bPacked), ldb, c, bias, accumulate);
  }
}

/** Address of column j's first element in B (packed from column j0: panels of k rows × 8). */
// @ts-ignore: decorator
@inline function bcol(b: usize, j: usize, j0: usize, k: usize, packed: bool): usize {
  return packed ? b + ((((j - j0) >> 3) * k) << 5) + (((j - j0) & 7) << 2) : at(b, j);
}

/** Address of row i's first element in A (packed from row i0: bands of k steps × 4 rows). */
// @ts-ignore: decorator
@inline function arow(a: usize, i: usize, i0: usize, k: usize, ars: usize, packed: bool): usize {
  return packed ? a + ((((i - i0) >> 2) * k) << 4) + (((i - i0) & 3) << 2) : at(a, i * ars);
}

/**
 * C[m, n] (+)= A·B (+ bias). A's element (i, p) is at a + 4·(i·aRowStride + p·aColStride).
 * bias (n floats) is added when non-zero and accumulate is 0; with accumulate = 1, C is added to.
 * pack: scratch of gemmPackSize(m, n, k) floats, or 0 to never pack. A is packed too when it is
 * stored transposed (aRowStride 1, aColStride m, as in dW += dYᵀ·X).
 */
export function gemm(
  m: i32, n: i32, k: i32, a: usize, aRowStride: i32, aColStride: i32,
  b: usize, c: usize, bias: usize, accumulate: i32, pack: usize,
): void {
  gemmRange(m, n, k, a, aRowStride, aColStride, b, c, bias, accumulate, pack, 0, m, 0, n);
}

/**
 * gemm restricted to the tile rows [rowBegin, rowEnd) × columns [colBegin, colEnd) of C, for
 * splitting one product across threads (each with its own `pack` scratch). Every element is
 * bit-identical to the full product's. Tiles split at multiples of 4 rows / 8 columns keep the
 * 4×8 blocks whole (any split is still correct).
 */
export function gemmRange(
  m: i32, n: i32, k: i32, a: usize, aRowStride: i32, aColStride: i32,
  b: usize, c: usize, bias: usize, accumulate: i32, pack: usize,
  rowBegin: i32, rowEnd: i32, colBegin: i32, colEnd: i32,
): void {
  const um = <usize>m, un = <usize>n, uk = <usize>k, ars = <usize>aRowStride, acs = <usize>aColStride;
  const i0 = <usize>rowBegin, i1 = <usize>rowEnd, j0 = <usize>colBegin, j1 = <usize>colEnd;
  if (i0 >= i1 || j0 >= j1) return;
  if (pack == 0 || !usePacking(um, un, uk)) {
    sweep(i0, i1, j0, j1, un, uk, a, ars, acs, false, b, false, c, bias, accumulate);
    return;
  }
  const transposedA = ars == 1 && acs == um && um > 1;
  const aPack = pack + ((min<usize>(uk, KC) * ((j1 - j0 + 7) & ~7)) << 2);
  for (let p0: usize = 0; p0 < uk; p0 += KC) {
    const kb = min<usize>(KC, uk - p0);
    packPanels(j1 - j0, kb, at(b, p0 * un + j0), un, pack, 8);
    if (transposedA) packPanels(i1 - i0, kb, at(a, p0 * um + i0), um, aPack, 4);
    // The first block starts from bias / zero / C; later blocks add to C.
    const first = p0 == 0;
    const ablock = transposedA ? aPack : at(a, p0 * acs);
    sweep(i0, i1, j0, j1, un, kb, ablock, ars, acs, transposedA, pack, true, c, first ? bias : 0, first ? accumulate : 1);
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
