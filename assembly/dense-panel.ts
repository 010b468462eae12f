// Whole-row panels for the small dense products (dense-small.ts) whose C rows are 21..32 columns
// wide (6 to 8 vectors): a pair of rows covers all its column vectors in two register blocks of
// ⌈V/2⌉ and ⌊V/2⌋ vectors (2 rows × 4 accumulators + 2 broadcasts + B's vector + a product stay
// within V8's 15 allocatable xmm registers; each B vector loaded serves two rows), and the n % 4
// tail is the last block's last vector instead of a block of its own: read whole from B's row (its
// lanes past n hold the next row's values, and feed only lanes of C that are never stored; the
// caller checks that the last row's over-read stays inside the memory), stored lane by lane. One
// pointer walks B (no separate tail panel): the k loop keeps few enough general registers live
// that V8 does not spill its counter. An odd last row is one block of all V vectors (6 or more
// independent add chains keep both adders busy).
//
// Every variant is specialised (an @inline body with constant flags) for its initial value (C
// itself, the bias or 0), C's layout (rows, or read transposed) and the fused ReLU store, so that
// a row's set-up and stores carry no branches: with k as small as 2 they cost more than the sums.
//
// Sums as dense-small.ts's blocks and gemm.ts: C's initial value, then + A(i,p)·B(p,j) for p = 0, 1,
// … in float32, multiply and add separate: bit-identical to them (the tests check).
import { ZERO, loadC, relu4, storeC } from "./dense-access";
import { loadPartial } from "./simdmath";

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
 * Rows i (and i + 1 when R = 2) of C, vectors [V0, V1) of V (the last of V holding `last` valid
 * lanes). A(i, p) at ap + p·acs4 bytes (row i + 1 at + ars4); B(p, vector v) at bp + p·ldb4 + 16v
 * (the last vector's lanes past `last` are whatever follows: they feed only lanes never stored); C(i, j) at c + 4j·ccs (ccs = 1 when ROWS), row i + 1
 * at + crs4; y (RELU) row-major like C.
 */
// @ts-ignore: decorator
@inline function part(
  ACC: i32, BIAS: i32, RELU: i32, ROWS: i32, R: i32, V0: i32, V1: i32, V: i32, last: i32, k: usize, ap: usize, ars4: usize, acs4: usize,
  bp: usize, ldb4: usize, c: usize, y: usize, crs4: usize, ccs: usize, bias: usize,
): void {
  let r00 = V0 <= 0 && 0 < V1 ? init(ACC, BIAS, ROWS, 0, V, last, c, ccs, bias) : ZERO;
  let r01 = V0 <= 1 && 1 < V1 ? init(ACC, BIAS, ROWS, 1, V, last, c, ccs, bias) : ZERO;
  let r02 = V0 <= 2 && 2 < V1 ? init(ACC, BIAS, ROWS, 2, V, last, c, ccs, bias) : ZERO;
  let r03 = V0 <= 3 && 3 < V1 ? init(ACC, BIAS, ROWS, 3, V, last, c, ccs, bias) : ZERO;
  let r04 = V0 <= 4 && 4 < V1 ? init(ACC, BIAS, ROWS, 4, V, last, c, ccs, bias) : ZERO;
  let r05 = V0 <= 5 && 5 < V1 ? init(ACC, BIAS, ROWS, 5, V, last, c, ccs, bias) : ZERO;
  let r06 = V0 <= 6 && 6 < V1 ? init(ACC, BIAS, ROWS, 6, V, last, c, ccs, bias) : ZERO;
  let r07 = V0 <= 7 && 7 < V1 ? init(ACC, BIAS, ROWS, 7, V, last, c, ccs, bias) : ZERO;
  let r10 = R == 2 && V0 <= 0 && 0 < V1 ? init(ACC, BIAS, ROWS, 0, V, last, c + crs4, ccs, bias) : ZERO;
  let r11 = R == 2 && V0 <= 1 && 1 < V1 ? init(ACC, BIAS, ROWS, 1, V, last, c + crs4, ccs, bias) : ZERO;
  let r12 = R == 2 && V0 <= 2 && 2 < V1 ? init(ACC, BIAS, ROWS, 2, V, last, c + crs4, ccs, bias) : ZERO;
  let r13 = R == 2 && V0 <= 3 && 3 < V1 ? init(ACC, BIAS, ROWS, 3, V, last, c + crs4, ccs, bias) : ZERO;
  let r14 = R == 2 && V0 <= 4 && 4 < V1 ? init(ACC, BIAS, ROWS, 4, V, last, c + crs4, ccs, bias) : ZERO;
  let r15 = R == 2 && V0 <= 5 && 5 < V1 ? init(ACC, BIAS, ROWS, 5, V, last, c + crs4, ccs, bias) : ZERO;
  let r16 = R == 2 && V0 <= 6 && 6 < V1 ? init(ACC, BIAS, ROWS, 6, V, last, c + crs4, ccs, bias) : ZERO;
  let r17 = R == 2 && V0 <= 7 && 7 < V1 ? init(ACC, BIAS, ROWS, 7, V, last, c + crs4, ccs, bias) : ZERO;
  let a = ap, b = bp;
  // A count-down do-while (k ≥ 1): one decrement and branch per step of p, where a for loop
  // compared p with k (spilled) at the top and at the bottom.
  let left = k;
  if (left) do {
    const a0 = v128.load32_splat(a);
    const a1 = R == 2 ? v128.load32_splat(a + ars4) : ZERO;
    if (V0 <= 0 && 0 < V1) {
      const b0 = v128.load(b, 0 << 4);
      r00 = f32x4.add(r00, f32x4.mul(a0, b0));
      if (R == 2) r10 = f32x4.add(r10, f32x4.mul(a1, b0));
    }
    if (V0 <= 1 && 1 < V1) {
      const b1 = v128.load(b, 1 << 4);
      r01 = f32x4.add(r01, f32x4.mul(a0, b1));
      if (R == 2) r11 = f32x4.add(r11, f32x4.mul(a1, b1));
    }
    if (V0 <= 2 && 2 < V1) {
      const b2 = v128.load(b, 2 << 4);
      r02 = f32x4.add(r02, f32x4.mul(a0, b2));
      if (R == 2) r12 = f32x4.add(r12, f32x4.mul(a1, b2));
    }
    if (V0 <= 3 && 3 < V1) {
      const b3 = v128.load(b, 3 << 4);
      r03 = f32x4.add(r03, f32x4.mul(a0, b3));
      if (R == 2) r13 = f32x4.add(r13, f32x4.mul(a1, b3));
    }
    if (V0 <= 4 && 4 < V1) {
      const b4 = v128.load(b, 4 << 4);
      r04 = f32x4.add(r04, f32x4.mul(a0, b4));
      if (R == 2) r14 = f32x4.add(r14, f32x4.mul(a1, b4));
    }
    if (V0 <= 5 && 5 < V1) {
      const b5 = v128.load(b, 5 << 4);
      r05 = f32x4.add(r05, f32x4.mul(a0, b5));
      if (R == 2) r15 = f32x4.add(r15, f32x4.mul(a1, b5));
    }
    if (V0 <= 6 && 6 < V1) {
      const b6 = v128.load(b, 6 << 4);
      r06 = f32x4.add(r06, f32x4.mul(a0, b6));
      if (R == 2) r16 = f32x4.add(r16, f32x4.mul(a1, b6));
    }
    if (V0 <= 7 && 7 < V1) {
      const b7 = v128.load(b, 7 << 4);
      r07 = f32x4.add(r07, f32x4.mul(a0, b7));
      if (R == 2) r17 = f32x4.add(r17, f32x4.mul(a1, b7));
    }
    a += acs4;
    b += ldb4;
  } while (--left);
  if (V0 <= 0 && 0 < V1) done(RELU, ROWS, 0, V, last, c, y, ccs, r00);
  if (V0 <= 1 && 1 < V1) done(RELU, ROWS, 1, V, last, c, y, ccs, r01);
  if (V0 <= 2 && 2 < V1) done(RELU, ROWS, 2, V, last, c, y, ccs, r02);
  if (V0 <= 3 && 3 < V1) done(RELU, ROWS, 3, V, last, c, y, ccs, r03);
  if (V0 <= 4 && 4 < V1) done(RELU, ROWS, 4, V, last, c, y, ccs, r04);
  if (V0 <= 5 && 5 < V1) done(RELU, ROWS, 5, V, last, c, y, ccs, r05);
  if (V0 <= 6 && 6 < V1) done(RELU, ROWS, 6, V, last, c, y, ccs, r06);
  if (V0 <= 7 && 7 < V1) done(RELU, ROWS, 7, V, last, c, y, ccs, r07);
  if (R == 2 && V0 <= 0 && 0 < V1) done(RELU, ROWS, 0, V, last, c + crs4, y + crs4, ccs, r10);
  if (R == 2 && V0 <= 1 && 1 < V1) done(RELU, ROWS, 1, V, last, c + crs4, y + crs4, ccs, r11);
  if (R == 2 && V0 <= 2 && 2 < V1) done(RELU, ROWS, 2, V, last, c + crs4, y + crs4, ccs, r12);
  if (R == 2 && V0 <= 3 && 3 < V1) done(RELU, ROWS, 3, V, last, c + crs4, y + crs4, ccs, r13);
  if (R == 2 && V0 <= 4 && 4 < V1) done(RELU, ROWS, 4, V, last, c + crs4, y + crs4, ccs, r14);
  if (R == 2 && V0 <= 5 && 5 < V1) done(RELU, ROWS, 5, V, last, c + crs4, y + crs4, ccs, r15);
  if (R == 2 && V0 <= 6 && 6 < V1) done(RELU, ROWS, 6, V, last, c + crs4, y + crs4, ccs, r16);
  if (R == 2 && V0 <= 7 && 7 < V1) done(RELU, ROWS, 7, V, last, c + crs4, y + crs4, ccs, r17);
}

/**
 * All m rows, C row i at c + i·crs4 (y likewise), A's row i at a + i·ars4: in pairs of rows, each
 * pair in two parts of ⌈V/2⌉ and ⌊V/2⌋ vectors (2 × 4 accumulators + 2 broadcasts + B's vector + a
 * product fit the registers; B's vectors are loaded once per pair: fewer loads per multiply-add
 * than one row of all V vectors), the odd last row alone in one part of V.
 */
// @ts-ignore: decorator
@inline function rows(
  ACC: i32, BIAS: i32, RELU: i32, ROWS: i32, V: i32, m: usize, last: i32, k: usize, a: usize, ars4: usize, acs4: usize,
  b: usize, ldb4: usize, c: usize, y: usize, crs4: usize, ccs: usize, bias: usize,
): void {
  const H = (V + 1) >> 1;
  let i: usize = 0;
  for (; i + 2 <= m; i += 2) {
    const ai = a + i * ars4, ci = c + i * crs4, yi = y + i * crs4;
    part(ACC, BIAS, RELU, ROWS, 2, 0, H, V, last, k, ai, ars4, acs4, b, ldb4, ci, yi, crs4, ccs, bias);
    part(ACC, BIAS, RELU, ROWS, 2, H, V, V, last, k, ai, ars4, acs4, b, ldb4, ci, yi, crs4, ccs, bias);
  }
  if (i < m) {
    part(ACC, BIAS, RELU, ROWS, 1, 0, V, V, last, k, a + i * ars4, ars4, acs4, b, ldb4, c + i * crs4, y + i * crs4, crs4, ccs, bias);
  }
}

// One function per vector count and variant (small functions: one holding every variant would take
// the optimiser minutes, and sharing bodies across V would test V at run time in the loop).
function p6Acc(m: usize, last: i32, k: usize, a: usize, ars4: usize, acs4: usize, b: usize, ldb4: usize,
  c: usize, y: usize, crs4: usize, ccs: usize, bias: usize): void {
  rows(1, 0, 0, 1, 6, m, last, k, a, ars4, acs4, b, ldb4, c, 0, crs4, 1, 0);
}
function p6AccT(m: usize, last: i32, k: usize, a: usize, ars4: usize, acs4: usize, b: usize, ldb4: usize,
  c: usize, y: usize, crs4: usize, ccs: usize, bias: usize): void {
  rows(1, 0, 0, 0, 6, m, last, k, a, ars4, acs4, b, ldb4, c, 0, crs4, ccs, 0);
}
function p6BiasRelu(m: usize, last: i32, k: usize, a: usize, ars4: usize, acs4: usize, b: usize, ldb4: usize,
  c: usize, y: usize, crs4: usize, ccs: usize, bias: usize): void {
  rows(0, 1, 1, 1, 6, m, last, k, a, ars4, acs4, b, ldb4, c, y, crs4, 1, bias);
}
function p6Bias(m: usize, last: i32, k: usize, a: usize, ars4: usize, acs4: usize, b: usize, ldb4: usize,
  c: usize, y: usize, crs4: usize, ccs: usize, bias: usize): void {
  rows(0, 1, 0, 1, 6, m, last, k, a, ars4, acs4, b, ldb4, c, 0, crs4, 1, bias);
}
function p6Relu(m: usize, last: i32, k: usize, a: usize, ars4: usize, acs4: usize, b: usize, ldb4: usize,
  c: usize, y: usize, crs4: usize, ccs: usize, bias: usize): void {
  rows(0, 0, 1, 1, 6, m, last, k, a, ars4, acs4, b, ldb4, c, y, crs4, 1, 0);
}
function p6Zero(m: usize, last: i32, k: usize, a: usize, ars4: usize, acs4: usize, b: usize, ldb4: usize,
  c: usize, y: usize, crs4: usize, ccs: usize, bias: usize): void {
  rows(0, 0, 0, 1, 6, m, last, k, a, ars4, acs4, b, ldb4, c, 0, crs4, 1, 0);
}
function p7Acc(m: usize, last: i32, k: usize, a: usize, ars4: usize, acs4: usize, b: usize, ldb4: usize,
  c: usize, y: usize, crs4: usize, ccs: usize, bias: usize): void {
  rows(1, 0, 0, 1, 7, m, last, k, a, ars4, acs4, b, ldb4, c, 0, crs4, 1, 0);
}
function p7AccT(m: usize, last: i32, k: usize, a: usize, ars4: usize, acs4: usize, b: usize, ldb4: usize,
  c: usize, y: usize, crs4: usize, ccs: usize, bias: usize): void {
  rows(1, 0, 0, 0, 7, m, last, k, a, ars4, acs4, b, ldb4, c, 0, crs4, ccs, 0);
}
function p7BiasRelu(m: usize, last: i32, k: usize, a: usize, ars4: usize, acs4: usize, b: usize, ldb4: usize,
  c: usize, y: usize, crs4: usize, ccs: usize, bias: usize): void {
  rows(0, 1, 1, 1, 7, m, last, k, a, ars4, acs4, b, ldb4, c, y, crs4, 1, bias);
}
function p7Bias(m: usize, last: i32, k: usize, a: usize, ars4: usize, acs4: usize, b: usize, ldb4: usize,
  c: usize, y: usize, crs4: usize, ccs: usize, bias: usize): void {
  rows(0, 1, 0, 1, 7, m, last, k, a, ars4, acs4, b, ldb4, c, 0, crs4, 1, bias);
}
function p7Relu(m: usize, last: i32, k: usize, a: usize, ars4: usize, acs4: usize, b: usize, ldb4: usize,
  c: usize, y: usize, crs4: usize, ccs: usize, bias: usize): void {
  rows(0, 0, 1, 1, 7, m, last, k, a, ars4, acs4, b, ldb4, c, y, crs4, 1, 0);
}
function p7Zero(m: usize, last: i32, k: usize, a: usize, ars4: usize, acs4: usize, b: usize, ldb4: usize,
  c: usize, y: usize, crs4: usize, ccs: usize, bias: usize): void {
  rows(0, 0, 0, 1, 7, m, last, k, a, ars4, acs4, b, ldb4, c, 0, crs4, 1, 0);
}
function p8Acc(m: usize, last: i32, k: usize, a: usize, ars4: usize, acs4: usize, b: usize, ldb4: usize,
  c: usize, y: usize, crs4: usize, ccs: usize, bias: usize): void {
  rows(1, 0, 0, 1, 8, m, last, k, a, ars4, acs4, b, ldb4, c, 0, crs4, 1, 0);
}
function p8AccT(m: usize, last: i32, k: usize, a: usize, ars4: usize, acs4: usize, b: usize, ldb4: usize,
  c: usize, y: usize, crs4: usize, ccs: usize, bias: usize): void {
  rows(1, 0, 0, 0, 8, m, last, k, a, ars4, acs4, b, ldb4, c, 0, crs4, ccs, 0);
}
function p8BiasRelu(m: usize, last: i32, k: usize, a: usize, ars4: usize, acs4: usize, b: usize, ldb4: usize,
  c: usize, y: usize, crs4: usize, ccs: usize, bias: usize): void {
  rows(0, 1, 1, 1, 8, m, last, k, a, ars4, acs4, b, ldb4, c, y, crs4, 1, bias);
}
function p8Bias(m: usize, last: i32, k: usize, a: usize, ars4: usize, acs4: usize, b: usize, ldb4: usize,
  c: usize, y: usize, crs4: usize, ccs: usize, bias: usize): void {
  rows(0, 1, 0, 1, 8, m, last, k, a, ars4, acs4, b, ldb4, c, 0, crs4, 1, bias);
}
function p8Relu(m: usize, last: i32, k: usize, a: usize, ars4: usize, acs4: usize, b: usize, ldb4: usize,
  c: usize, y: usize, crs4: usize, ccs: usize, bias: usize): void {
  rows(0, 0, 1, 1, 8, m, last, k, a, ars4, acs4, b, ldb4, c, y, crs4, 1, 0);
}
function p8Zero(m: usize, last: i32, k: usize, a: usize, ars4: usize, acs4: usize, b: usize, ldb4: usize,
  c: usize, y: usize, crs4: usize, ccs: usize, bias: usize): void {
  rows(0, 0, 0, 1, 8, m, last, k, a, ars4, acs4, b, ldb4, c, 0, crs4, 1, 0);
}

/** The variant of the flags for V vectors. */
// @ts-ignore: decorator
@inline function variants(
  V: i32, m: usize, last: i32, k: usize, a: usize, ars4: usize, acs4: usize,
  b: usize, ldb4: usize, c: usize, y: usize, crs4: usize, ccs: usize, bias: usize, accumulate: i32,
): void {
  if (V == 6) {
    if (accumulate) {
      if (ccs == 1) p6Acc(m, last, k, a, ars4, acs4, b, ldb4, c, y, crs4, ccs, bias);
      else p6AccT(m, last, k, a, ars4, acs4, b, ldb4, c, y, crs4, ccs, bias);
    } else if (bias) {
      if (y) p6BiasRelu(m, last, k, a, ars4, acs4, b, ldb4, c, y, crs4, ccs, bias);
      else p6Bias(m, last, k, a, ars4, acs4, b, ldb4, c, y, crs4, ccs, bias);
    } else if (y) {
      p6Relu(m, last, k, a, ars4, acs4, b, ldb4, c, y, crs4, ccs, bias);
    } else {
      p6Zero(m, last, k, a, ars4, acs4, b, ldb4, c, y, crs4, ccs, bias);
    }
  }
  else if (V == 7) {
    if (accumulate) {
      if (ccs == 1) p7Acc(m, last, k, a, ars4, acs4, b, ldb4, c, y, crs4, ccs, bias);
      else p7AccT(m, last, k, a, ars4, acs4, b, ldb4, c, y, crs4, ccs, bias);
    } else if (bias) {
      if (y) p7BiasRelu(m, last, k, a, ars4, acs4, b, ldb4, c, y, crs4, ccs, bias);
      else p7Bias(m, last, k, a, ars4, acs4, b, ldb4, c, y, crs4, ccs, bias);
    } else if (y) {
      p7Relu(m, last, k, a, ars4, acs4, b, ldb4, c, y, crs4, ccs, bias);
    } else {
      p7Zero(m, last, k, a, ars4, acs4, b, ldb4, c, y, crs4, ccs, bias);
    }
  }
  else {
    if (accumulate) {
      if (ccs == 1) p8Acc(m, last, k, a, ars4, acs4, b, ldb4, c, y, crs4, ccs, bias);
      else p8AccT(m, last, k, a, ars4, acs4, b, ldb4, c, y, crs4, ccs, bias);
    } else if (bias) {
      if (y) p8BiasRelu(m, last, k, a, ars4, acs4, b, ldb4, c, y, crs4, ccs, bias);
      else p8Bias(m, last, k, a, ars4, acs4, b, ldb4, c, y, crs4, ccs, bias);
    } else if (y) {
      p8Relu(m, last, k, a, ars4, acs4, b, ldb4, c, y, crs4, ccs, bias);
    } else {
      p8Zero(m, last, k, a, ars4, acs4, b, ldb4, c, y, crs4, ccs, bias);
    }
  }
}

/**
 * C[m, n] (+)= A·B (+ bias), y = ReLU(C) when y ≠ 0, for 21 ≤ n ≤ 32 (panelFits), in whole-row
 * panels. A(i, p) at a + 4(i·ars + p·acs); B(p, j) at b + 4(p·ldb + j), read in whole vectors:
 * the last one reads 4⌈n/4⌉ - n floats past each row's n (the lanes of C they feed are never
 * stored), so the caller makes sure that b + 4((k - 1)·ldb + 4⌈n/4⌉) is inside the memory (see
 * dense-small.ts's wholeRowsReadable). C(i, j) at c + 4(i·crs + j·ccs). With accumulate, C's own values are the initial ones (no bias,
 * no y); else the bias (n floats, when ≠ 0) or 0, and C row-major (ccs = 1).
 */
export function panelProduct(
  m: usize, n: usize, k: usize, a: usize, ars: usize, acs: usize, b: usize, ldb: usize,
  c: usize, y: usize, crs: usize, ccs: usize, bias: usize, accumulate: i32,
): void {
  const V = <i32>((n + 3) >> 2), last = <i32>n - 4 * (V - 1);
  const ars4 = ars << 2, acs4 = acs << 2, ldb4 = ldb << 2, crs4 = crs << 2;
  variants(V, m, last, k, a, ars4, acs4, b, ldb4, c, y, crs4, ccs, bias, accumulate);
}

/**
 * Whether panelProduct serves C rows of n columns: 21..32 (6 to 8 vectors). Measured against
 * dense-small.ts's 4×8 blocks on the seed shapes (kernel A/B, p10 of 61 rounds, load ≈ 7):
 * forward 25→25 7.30 → 6.12 µs, backward 25→25 13.37 → 11.54, forward 2→25 2.35 → 1.07,
 * backward 25→2 2.93 → 1.41.
 */
// @ts-ignore: decorator
@inline export function panelFits(n: usize): bool { return n >= 21 && n <= 32; }
