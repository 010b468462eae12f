// Whole-row panels for the small dense products (dense-small.ts) whose C rows are 21..32 columns
// wide (6 to 8 vectors): one register block covers every column vector of a row, so A's element
// is broadcast once per row and p, and the n % 4 tail is the block's last vector (from a
// zero-padded panel, stored lane by lane) instead of a block of its own. One row per block: V
// accumulators + A's broadcast + B's vector + a product stay within V8's 15 allocatable xmm
// registers, and 6 or more independent float-add chains keep both adders busy.
//
// Every variant is specialised (an @inline body with constant flags) for its initial value (C
// itself, the bias or 0), C's layout (rows, or read transposed) and the fused ReLU store, so that
// a row's set-up and stores carry no branches: with k as small as 2 they cost more than the sums.
//
// Sums as dense-small.ts's blocks and gemm.ts: C's initial value, then + A(i,p)·B(p,j) for p = 0, 1,
// … in float32, multiply and add separate: bit-identical to them (the tests check).
import { ZERO, loadC, relu4, storeC } from "./dense-access";
import { loadPartial } from "./simdmath";

/** Source of vector v of a row of B: the first V - 1 from b, the last from the tail panel bt. */
// @ts-ignore: decorator
@inline function src(v: i32, V: i32, b: usize, bt: usize): usize { return v < V - 1 ? b + (<usize>v << 4) : bt; }
/** Valid lanes of vector v: 4, or `last` for the last one. */
// @ts-ignore: decorator
@inline function lanes(v: i32, V: i32, last: i32): i32 { return v < V - 1 ? 4 : last; }

/** Initial value of vector v: C's (ACC), the bias's (BIAS) or 0. */
// @ts-ignore: decorator
@inline function init(ACC: i32, BIAS: i32, ROWS: i32, v: i32, V: i32, last: i32, c: usize, ccs: usize, bias: usize): v128 {
  const count = lanes(v, V, last), p = c + (<usize>v << 4) * (ROWS ? 1 : ccs);
  if (ACC) return loadC(p, ROWS ? 1 : ccs, count);
  if (BIAS) return count == 4 ? v128.load(bias + (<usize>v << 4)) : loadPartial(bias + (<usize>v << 4), count);
  return ZERO;
}

/** Stores vector v of C, and its ReLU to y (RELU). */
// @ts-ignore: decorator
@inline function done(RELU: i32, ROWS: i32, v: i32, V: i32, last: i32, c: usize, y: usize, ccs: usize, r: v128): void {
  const count = lanes(v, V, last), off = (<usize>v << 4) * (ROWS ? 1 : ccs);
  storeC(c + off, ROWS ? 1 : ccs, r, count);
  if (RELU) storeC(y + off, 1, relu4(r), count);
}

/**
 * One row of C: V vectors (the last holding `last` valid lanes). A(p) at ap + p·acs4 bytes; B(p,
 * vector v < V-1) at bp + p·ldb4 + 16v, the last vector at btp + p·ldbt4; C(j) at c + 4j·ccs
 * (ccs = 1 when ROWS); y (RELU) row-major.
 */
// @ts-ignore: decorator
@inline function row(
  ACC: i32, BIAS: i32, RELU: i32, ROWS: i32, V: i32, last: i32, k: usize, ap: usize, acs4: usize,
  bp: usize, ldb4: usize, btp: usize, ldbt4: usize, c: usize, y: usize, ccs: usize, bias: usize,
): void {
  let r0 = V > 0 ? init(ACC, BIAS, ROWS, 0, V, last, c, ccs, bias) : ZERO;
  let r1 = V > 1 ? init(ACC, BIAS, ROWS, 1, V, last, c, ccs, bias) : ZERO;
  let r2 = V > 2 ? init(ACC, BIAS, ROWS, 2, V, last, c, ccs, bias) : ZERO;
  let r3 = V > 3 ? init(ACC, BIAS, ROWS, 3, V, last, c, ccs, bias) : ZERO;
  let r4 = V > 4 ? init(ACC, BIAS, ROWS, 4, V, last, c, ccs, bias) : ZERO;
  let r5 = V > 5 ? init(ACC, BIAS, ROWS, 5, V, last, c, ccs, bias) : ZERO;
  let r6 = V > 6 ? init(ACC, BIAS, ROWS, 6, V, last, c, ccs, bias) : ZERO;
  let r7 = V > 7 ? init(ACC, BIAS, ROWS, 7, V, last, c, ccs, bias) : ZERO;
  let a = ap, b = bp, bt = btp;
  for (let p: usize = 0; p < k; p++) {
    const a0 = v128.load32_splat(a);
    if (V > 0) r0 = f32x4.add(r0, f32x4.mul(a0, v128.load(src(0, V, b, bt))));
    if (V > 1) r1 = f32x4.add(r1, f32x4.mul(a0, v128.load(src(1, V, b, bt))));
    if (V > 2) r2 = f32x4.add(r2, f32x4.mul(a0, v128.load(src(2, V, b, bt))));
    if (V > 3) r3 = f32x4.add(r3, f32x4.mul(a0, v128.load(src(3, V, b, bt))));
    if (V > 4) r4 = f32x4.add(r4, f32x4.mul(a0, v128.load(src(4, V, b, bt))));
    if (V > 5) r5 = f32x4.add(r5, f32x4.mul(a0, v128.load(src(5, V, b, bt))));
    if (V > 6) r6 = f32x4.add(r6, f32x4.mul(a0, v128.load(src(6, V, b, bt))));
    if (V > 7) r7 = f32x4.add(r7, f32x4.mul(a0, v128.load(src(7, V, b, bt))));
    a += acs4;
    b += ldb4;
    bt += ldbt4;
  }
  if (V > 0) done(RELU, ROWS, 0, V, last, c, y, ccs, r0);
  if (V > 1) done(RELU, ROWS, 1, V, last, c, y, ccs, r1);
  if (V > 2) done(RELU, ROWS, 2, V, last, c, y, ccs, r2);
  if (V > 3) done(RELU, ROWS, 3, V, last, c, y, ccs, r3);
  if (V > 4) done(RELU, ROWS, 4, V, last, c, y, ccs, r4);
  if (V > 5) done(RELU, ROWS, 5, V, last, c, y, ccs, r5);
  if (V > 6) done(RELU, ROWS, 6, V, last, c, y, ccs, r6);
  if (V > 7) done(RELU, ROWS, 7, V, last, c, y, ccs, r7);
}

/** All m rows, C row i at c + i·crs4 (y likewise), A's row i at a + i·ars4. */
// @ts-ignore: decorator
@inline function rows(
  ACC: i32, BIAS: i32, RELU: i32, ROWS: i32, V: i32, m: usize, last: i32, k: usize, a: usize, ars4: usize, acs4: usize,
  b: usize, ldb4: usize, bt: usize, ldbt4: usize, c: usize, y: usize, crs4: usize, ccs: usize, bias: usize,
): void {
  for (let i: usize = 0; i < m; i++) {
    row(ACC, BIAS, RELU, ROWS, V, last, k, a + i * ars4, acs4, b, ldb4, bt, ldbt4, c + i * crs4, y + i * crs4, ccs, bias);
  }
}

/** rows() in the variant of the flags: each a constant in its copy. */
// @ts-ignore: decorator
@inline function variants(
  V: i32, m: usize, last: i32, k: usize, a: usize, ars4: usize, acs4: usize,
  b: usize, ldb4: usize, bt: usize, ldbt4: usize, c: usize, y: usize, crs4: usize, ccs: usize, bias: usize, accumulate: i32,
): void {
  if (accumulate) {
    if (ccs == 1) rows(1, 0, 0, 1, V, m, last, k, a, ars4, acs4, b, ldb4, bt, ldbt4, c, 0, crs4, 1, 0);
    else rows(1, 0, 0, 0, V, m, last, k, a, ars4, acs4, b, ldb4, bt, ldbt4, c, 0, crs4, ccs, 0);
  } else if (bias) {
    if (y) rows(0, 1, 1, 1, V, m, last, k, a, ars4, acs4, b, ldb4, bt, ldbt4, c, y, crs4, 1, bias);
    else rows(0, 1, 0, 1, V, m, last, k, a, ars4, acs4, b, ldb4, bt, ldbt4, c, 0, crs4, 1, bias);
  } else if (y) {
    rows(0, 0, 1, 1, V, m, last, k, a, ars4, acs4, b, ldb4, bt, ldbt4, c, y, crs4, 1, 0);
  } else {
    rows(0, 0, 0, 1, V, m, last, k, a, ars4, acs4, b, ldb4, bt, ldbt4, c, 0, crs4, 1, 0);
  }
}

// One function per vector count (not inlined into one: the optimiser would share their bodies
// and test V at run time inside the loop).
function panel6(m: usize, last: i32, k: usize, a: usize, ars4: usize, acs4: usize, b: usize, ldb4: usize, bt: usize, ldbt4: usize,
  c: usize, y: usize, crs4: usize, ccs: usize, bias: usize, accumulate: i32): void {
  variants(6, m, last, k, a, ars4, acs4, b, ldb4, bt, ldbt4, c, y, crs4, ccs, bias, accumulate);
}
function panel7(m: usize, last: i32, k: usize, a: usize, ars4: usize, acs4: usize, b: usize, ldb4: usize, bt: usize, ldbt4: usize,
  c: usize, y: usize, crs4: usize, ccs: usize, bias: usize, accumulate: i32): void {
  variants(7, m, last, k, a, ars4, acs4, b, ldb4, bt, ldbt4, c, y, crs4, ccs, bias, accumulate);
}
function panel8(m: usize, last: i32, k: usize, a: usize, ars4: usize, acs4: usize, b: usize, ldb4: usize, bt: usize, ldbt4: usize,
  c: usize, y: usize, crs4: usize, ccs: usize, bias: usize, accumulate: i32): void {
  variants(8, m, last, k, a, ars4, acs4, b, ldb4, bt, ldbt4, c, y, crs4, ccs, bias, accumulate);
}

/**
 * C[m, n] (+)= A·B (+ bias), y = ReLU(C) when y ≠ 0, for 21 ≤ n ≤ 32 (panelFits), in whole-row
 * panels. A(i, p) at a + 4(i·ars + p·acs); B(p, j) at b + 4(p·ldb + j) for the first ⌈n/4⌉ - 1
 * vectors of columns, the last vector (columns 4⌊(n-1)/4⌋.., zero-padded to 4) at bt + 4(p·ldbt + q);
 * C(i, j) at c + 4(i·crs + j·ccs). With accumulate, C's own values are the initial ones (no bias,
 * no y); else the bias (n floats, when ≠ 0) or 0, and C row-major (ccs = 1).
 */
export function panelProduct(
  m: usize, n: usize, k: usize, a: usize, ars: usize, acs: usize, b: usize, ldb: usize, bt: usize, ldbt: usize,
  c: usize, y: usize, crs: usize, ccs: usize, bias: usize, accumulate: i32,
): void {
  const V = <i32>((n + 3) >> 2), last = <i32>n - 4 * (V - 1);
  const ars4 = ars << 2, acs4 = acs << 2, ldb4 = ldb << 2, ldbt4 = ldbt << 2, crs4 = crs << 2;
  if (V == 6) panel6(m, last, k, a, ars4, acs4, b, ldb4, bt, ldbt4, c, y, crs4, ccs, bias, accumulate);
  else if (V == 7) panel7(m, last, k, a, ars4, acs4, b, ldb4, bt, ldbt4, c, y, crs4, ccs, bias, accumulate);
  else panel8(m, last, k, a, ars4, acs4, b, ldb4, bt, ldbt4, c, y, crs4, ccs, bias, accumulate);
}

/**
 * Whether panelProduct serves C[m, n] with inner dimension k: rows of 21..32 columns (6 to 8
 * vectors) when the sums are short (k ≤ 32: a row's set-up and stores weigh, which the panel
 * makes branch-free) or the rows few (m < 4: dense-small.ts's blocks would fall back to 1-row
 * blocks of two vectors, bound by the add latency). Long sums over 4 or more rows stay with the
 * 4×8 blocks: one B vector per multiply-add makes a one-row panel load-bound there (measured:
 * dW [25, 25] over 100 rows 6 % slower).
 */
// @ts-ignore: decorator
@inline export function panelFits(m: usize, n: usize, k: usize): bool { return n >= 21 && n <= 32 && (k <= 32 || m < 4); }
