// A dense layer's products for small shapes (every operand in L1), one call per layer and pass:
//
//   denseForward   z = x·Wᵀ + b, and y = ReLU(z) when y ≠ 0 (a Linear followed by a ReLU)
//   denseBackward  g = dy·[z > 0] written to dz when z ≠ 0 (the ReLU's backward), else g = dy;
//                  db += Σ_rows g; dW += gᵀ·x; dx = g·W (when dx ≠ 0)
//
// x [m, k], W [n, k] (PyTorch's [out, in]), b [n], z, y, dy, dz [m, n], dx [m, k], dW [n, k].
// Every output element is summed as gemm.ts and reduce.ts sum it — its initial value, then
// + a·b for p = 0, 1, … in float32 with a separate multiply and add — and the ReLU is the same
// select, so the results are bit-identical to the unfused calls (transpose + gemm + reluForward;
// reluBackward + gemm + columnSums + gemm), which the tests check.
//
// One micro-kernel, vectorised over the columns j of C with B's rows contiguous: a 4×8 block of
// C in eight registers, A's elements broadcast straight from memory (v128.load32_splat). Unlike
// gemm.ts, C may have any strides (the weight gradient is computed transposed, dWᵀ = xᵀ·g, when
// that fills the vector lanes better, e.g. for W [25, 2]) and the n % 4 column tail is a vector
// block over a zero-padded copy of B's last columns, of which only the valid lanes are stored:
// no scalar loop at widths like 25 or 2. C rows of 21..32 columns take dense-panel.ts's whole-row
// panels instead (the same sums; pairs of rows, branch-free set-up, the tail inside the block), and
// C rows of 2 columns (a two-class output layer) narrowProduct, two rows per vector.
import { loadPartial, storePartial, store4x4T } from "./simdmath";
import { ZERO, at, finish, initC, relu4 } from "./dense-access";
import { panelFits, panelProduct } from "./dense-panel";
import { reluBackward } from "./activations";
import { columnSums } from "./reduce";

/**
 * C[i0.., j..] for `rows` (4 or 1) rows and `vecs` (2 or 1) vectors of columns; the last vector
 * holds `count` valid columns. A(i, p) at ap + i·ars4 + p·acs4 bytes; B(p, column) at bp + p·ldb4.
 */
// @ts-ignore: decorator
@inline function block(
  rows: i32, vecs: i32, count: i32, k: usize, ap: usize, ars4: usize, acs4: usize, bp: usize, ldb4: usize,
  c: usize, y: usize, crs4: usize, ccs: usize, bias: usize, accumulate: i32,
): void {
  const c4 = ccs << 4; // bytes between C's column vectors
  const first = vecs == 2 ? 4 : count, last = count;
  let r00 = initC(c, ccs, bias, accumulate, first), r01 = vecs == 2 ? initC(c + c4, ccs, bias ? bias + 16 : 0, accumulate, last) : ZERO;
  let r10 = ZERO, r11 = ZERO, r20 = ZERO, r21 = ZERO, r30 = ZERO, r31 = ZERO;
  if (rows == 4) {
    r10 = initC(c + crs4, ccs, bias, accumulate, first);
    r20 = initC(c + 2 * crs4, ccs, bias, accumulate, first);
    r30 = initC(c + 3 * crs4, ccs, bias, accumulate, first);
    if (vecs == 2) {
      r11 = initC(c + crs4 + c4, ccs, bias ? bias + 16 : 0, accumulate, last);
      r21 = initC(c + 2 * crs4 + c4, ccs, bias ? bias + 16 : 0, accumulate, last);
      r31 = initC(c + 3 * crs4 + c4, ccs, bias ? bias + 16 : 0, accumulate, last);
    }
  }
  let a = ap, b = bp;
  for (let p: usize = 0; p < k; p++) {
    const b0 = v128.load(b);
    const a0 = v128.load32_splat(a);
    r00 = f32x4.add(r00, f32x4.mul(a0, b0));
    if (rows == 4) {
      const a1 = v128.load32_splat(a + ars4), a2 = v128.load32_splat(a + 2 * ars4), a3 = v128.load32_splat(a + 3 * ars4);
      r10 = f32x4.add(r10, f32x4.mul(a1, b0));
      r20 = f32x4.add(r20, f32x4.mul(a2, b0));
      r30 = f32x4.add(r30, f32x4.mul(a3, b0));
      if (vecs == 2) {
        const b1 = v128.load(b, 16);
        r01 = f32x4.add(r01, f32x4.mul(a0, b1));
        r11 = f32x4.add(r11, f32x4.mul(a1, b1));
        r21 = f32x4.add(r21, f32x4.mul(a2, b1));
        r31 = f32x4.add(r31, f32x4.mul(a3, b1));
      }
    } else if (vecs == 2) {
      r01 = f32x4.add(r01, f32x4.mul(a0, v128.load(b, 16)));
    }
    a += acs4;
    b += ldb4;
  }
  finish(c, y, ccs, r00, first);
  if (vecs == 2) finish(c + c4, y ? y + c4 : 0, ccs, r01, last);
  if (rows == 4) {
    finish(c + crs4, y ? y + crs4 : 0, ccs, r10, first);
    finish(c + 2 * crs4, y ? y + 2 * crs4 : 0, ccs, r20, first);
    finish(c + 3 * crs4, y ? y + 3 * crs4 : 0, ccs, r30, first);
    if (vecs == 2) {
      finish(c + crs4 + c4, y ? y + crs4 + c4 : 0, ccs, r11, last);
      finish(c + 2 * crs4 + c4, y ? y + 2 * crs4 + c4 : 0, ccs, r21, last);
      finish(c + 3 * crs4 + c4, y ? y + 3 * crs4 + c4 : 0, ccs, r31, last);
    }
  }
}

/**
 * C[m, n] (+)= A·B (+ bias), and y = ReLU(C) when y ≠ 0. A(i, p) at a + 4(i·ars + p·acs);
 * B(p, j) at b + 4(p·ldb + j) for j < n & ~3, the tail columns from the zero-padded panel bt
 * (B(p, (n & ~3) + q) at bt + 4(p·ldbt + q)); C(i, j) at c + 4(i·crs + j·ccs).
 * Inlined into two functions, C row-major (ccs = 1) or read transposed, so that neither
 * carries the other's stores.
 */
// @ts-ignore: decorator
@inline function product(
  m: usize, n: usize, k: usize, a: usize, ars: usize, acs: usize, b: usize, ldb: usize, bt: usize, ldbt: usize,
  c: usize, y: usize, crs: usize, ccs: usize, bias: usize, accumulate: i32,
): void {
  const nv = n & ~(<usize>3), tail = <i32>(n - nv);
  const ars4 = ars << 2, acs4 = acs << 2, ldb4 = ldb << 2, ldbt4 = ldbt << 2, crs4 = crs << 2;
  let i: usize = 0;
  for (; i < m; ) {
    const rows: i32 = i + 4 <= m ? 4 : 1;
    const ai = a + i * ars4, ci = c + i * crs4, yi = y ? y + i * crs4 : 0;
    let j: usize = 0;
    for (; j + 8 <= nv; j += 8) {
      const cj = ci + ((j * ccs) << 2), yj = y ? yi + ((j * ccs) << 2) : 0, bj = bias ? at(bias, j) : 0;
      if (rows == 4) block(4, 2, 4, k, ai, ars4, acs4, at(b, j), ldb4, cj, yj, crs4, ccs, bj, accumulate);
      else block(1, 2, 4, k, ai, ars4, acs4, at(b, j), ldb4, cj, yj, crs4, ccs, bj, accumulate);
    }
    if (j < nv) {
      const cj = ci + ((j * ccs) << 2), yj = y ? yi + ((j * ccs) << 2) : 0, bj = bias ? at(bias, j) : 0;
      if (rows == 4) block(4, 1, 4, k, ai, ars4, acs4, at(b, j), ldb4, cj, yj, crs4, ccs, bj, accumulate);
      else block(1, 1, 4, k, ai, ars4, acs4, at(b, j), ldb4, cj, yj, crs4, ccs, bj, accumulate);
    }
    if (tail) {
      const cj = ci + ((nv * ccs) << 2), yj = y ? yi + ((nv * ccs) << 2) : 0, bj = bias ? at(bias, nv) : 0;
      if (rows == 4) block(4, 1, tail, k, ai, ars4, acs4, bt, ldbt4, cj, yj, crs4, ccs, bj, accumulate);
      else block(1, 1, tail, k, ai, ars4, acs4, bt, ldbt4, cj, yj, crs4, ccs, bj, accumulate);
    }
    i += <usize>rows;
  }
}

/**
 * Rows i.. (P pairs, or one row alone when ONE) of a 2-column C = A·B (+ C or bias): each vector
 * holds two rows' pair of outputs [C(i,0), C(i,1), C(i+1,0), C(i+1,1)], contiguous in C, so every
 * lane is used; A's elements come from whole-row loads of four p at a time, paired by one shuffle
 * ([A(i,p), A(i,p), A(i+1,p), A(i+1,p)]), B's pair [B(p,0), B(p,1)] is splat to both halves.
 * Each element is still its initial value + A(i,p)·B(p,j) for p = 0, 1, … in order.
 */
// @ts-ignore: decorator
@inline function narrowRows(
  P: i32, ONE: i32, k: usize, a: usize, ars4: usize, b: usize, ldb4: usize, c: usize, y: usize, bias: usize, accumulate: i32,
): void {
  // Row 2r at a + 2r·ars4, row 2r + 1 after it; the lone row is paired with itself.
  const r1: usize = ONE ? 0 : ars4;
  let c0 = ZERO, c1 = ZERO, c2 = ZERO, c3 = ZERO;
  if (accumulate) {
    c0 = v128.load64_splat(c);
    if (!ONE) c0 = v128.load(c);
    if (P > 1) { c1 = v128.load(c, 16); c2 = v128.load(c, 32); c3 = v128.load(c, 48); }
  } else if (bias) {
    c0 = v128.load64_splat(bias);
    c1 = c0; c2 = c0; c3 = c0;
  }
  const a1 = a + 2 * ars4, a2 = a + 4 * ars4, a3 = a + 6 * ars4;
  let p: usize = 0, pa: usize = 0, pb = b;
  for (; p + 4 <= k; p += 4) {
    const b0 = v128.load64_splat(pb), b1 = v128.load64_splat(pb + ldb4);
    const b2 = v128.load64_splat(pb + 2 * ldb4), b3 = v128.load64_splat(pb + 3 * ldb4);
    {
      const u = v128.load(a + pa), v = v128.load(a + r1 + pa);
      c0 = f32x4.add(c0, f32x4.mul(v128.shuffle<f32>(u, v, 0, 0, 4, 4), b0));
      c0 = f32x4.add(c0, f32x4.mul(v128.shuffle<f32>(u, v, 1, 1, 5, 5), b1));
      c0 = f32x4.add(c0, f32x4.mul(v128.shuffle<f32>(u, v, 2, 2, 6, 6), b2));
      c0 = f32x4.add(c0, f32x4.mul(v128.shuffle<f32>(u, v, 3, 3, 7, 7), b3));
    }
    if (P > 1) {
      const u = v128.load(a1 + pa), v = v128.load(a1 + ars4 + pa);
      c1 = f32x4.add(c1, f32x4.mul(v128.shuffle<f32>(u, v, 0, 0, 4, 4), b0));
      c1 = f32x4.add(c1, f32x4.mul(v128.shuffle<f32>(u, v, 1, 1, 5, 5), b1));
      c1 = f32x4.add(c1, f32x4.mul(v128.shuffle<f32>(u, v, 2, 2, 6, 6), b2));
      c1 = f32x4.add(c1, f32x4.mul(v128.shuffle<f32>(u, v, 3, 3, 7, 7), b3));
    }
    if (P > 1) {
      const u = v128.load(a2 + pa), v = v128.load(a2 + ars4 + pa);
      c2 = f32x4.add(c2, f32x4.mul(v128.shuffle<f32>(u, v, 0, 0, 4, 4), b0));
      c2 = f32x4.add(c2, f32x4.mul(v128.shuffle<f32>(u, v, 1, 1, 5, 5), b1));
      c2 = f32x4.add(c2, f32x4.mul(v128.shuffle<f32>(u, v, 2, 2, 6, 6), b2));
      c2 = f32x4.add(c2, f32x4.mul(v128.shuffle<f32>(u, v, 3, 3, 7, 7), b3));
    }
    if (P > 1) {
      const u = v128.load(a3 + pa), v = v128.load(a3 + ars4 + pa);
      c3 = f32x4.add(c3, f32x4.mul(v128.shuffle<f32>(u, v, 0, 0, 4, 4), b0));
      c3 = f32x4.add(c3, f32x4.mul(v128.shuffle<f32>(u, v, 1, 1, 5, 5), b1));
      c3 = f32x4.add(c3, f32x4.mul(v128.shuffle<f32>(u, v, 2, 2, 6, 6), b2));
      c3 = f32x4.add(c3, f32x4.mul(v128.shuffle<f32>(u, v, 3, 3, 7, 7), b3));
    }
    pa += 16;
    pb += 4 * ldb4;
  }
  for (; p < k; p++) {
    const bp = v128.load64_splat(pb);
    c0 = f32x4.add(c0, f32x4.mul(v128.shuffle<f32>(v128.load32_splat(a + pa), v128.load32_splat(a + r1 + pa), 0, 0, 4, 4), bp));
    if (P > 1) {
      c1 = f32x4.add(c1, f32x4.mul(v128.shuffle<f32>(v128.load32_splat(a1 + pa), v128.load32_splat(a1 + ars4 + pa), 0, 0, 4, 4), bp));
      c2 = f32x4.add(c2, f32x4.mul(v128.shuffle<f32>(v128.load32_splat(a2 + pa), v128.load32_splat(a2 + ars4 + pa), 0, 0, 4, 4), bp));
      c3 = f32x4.add(c3, f32x4.mul(v128.shuffle<f32>(v128.load32_splat(a3 + pa), v128.load32_splat(a3 + ars4 + pa), 0, 0, 4, 4), bp));
    }
    pa += 4;
    pb += ldb4;
  }
  if (ONE) {
    v128.store64_lane(c, c0, 0);
    if (y) v128.store64_lane(y, relu4(c0), 0);
    return;
  }
  v128.store(c, c0);
  if (P > 1) { v128.store(c, c1, 16); v128.store(c, c2, 32); v128.store(c, c3, 48); }
  if (y) {
    v128.store(y, relu4(c0));
    if (P > 1) { v128.store(y, relu4(c1), 16); v128.store(y, relu4(c2), 32); v128.store(y, relu4(c3), 48); }
  }
}

/**
 * C[m, 2] (+)= A·B (+ bias), y = ReLU(C) when y ≠ 0, C and y contiguous, A's rows contiguous
 * (A(i, p) at a + 4(i·ars + p)), B(p, j) at b + 4(p·ldb + j): the output layer of a classifier with
 * two classes, whose 4×8 blocks used 2 lanes of 4 with 4 broadcasts per step of p. Eight rows per
 * block (four accumulators: enough independent add chains), then pairs, then a lone row.
 */
function narrowProduct(m: usize, k: usize, a: usize, ars: usize, b: usize, ldb: usize, c: usize, y: usize, bias: usize, accumulate: i32): void {
  const ars4 = ars << 2, ldb4 = ldb << 2;
  let i: usize = 0;
  for (; i + 8 <= m; i += 8) narrowRows(4, 0, k, a + i * ars4, ars4, b, ldb4, at(c, 2 * i), y ? at(y, 2 * i) : 0, bias, accumulate);
  for (; i + 2 <= m; i += 2) narrowRows(1, 0, k, a + i * ars4, ars4, b, ldb4, at(c, 2 * i), y ? at(y, 2 * i) : 0, bias, accumulate);
  if (i < m) narrowRows(1, 1, k, a + i * ars4, ars4, b, ldb4, at(c, 2 * i), y ? at(y, 2 * i) : 0, bias, accumulate);
}

/**
 * Whether B's rows can be read in whole vectors up to column 4⌈n/4⌉ (dense-panel.ts's panels read
 * the last vector whole, up to 12 bytes past the end of B's last row): B(p, j) at b + 4(p·ldb + j),
 * p < k. Only a B that ends at the very end of the memory fails (then the 4×8 blocks, which read
 * the tail from a zero-padded copy, take the product: the same sums).
 */
// @ts-ignore: decorator
@inline function wholeRowsReadable(n: usize, k: usize, b: usize, ldb: usize): bool {
  const end = <u64>b + ((<u64>(k - 1) * <u64>ldb + <u64>((n + 3) & ~(<usize>3))) << 2);
  return end <= (<u64>memory.size() << 16);
}

/** product with C row-major (C(i, j) at c + 4(i·crs + j)); rows of 21..32 columns in whole-row panels (dense-panel.ts), of 2 in narrowProduct. */
function productRows(
  m: usize, n: usize, k: usize, a: usize, ars: usize, acs: usize, b: usize, ldb: usize, bt: usize, ldbt: usize,
  c: usize, y: usize, crs: usize, bias: usize, accumulate: i32, pack: i32,
): void {
  if (panelFits(n) && wholeRowsReadable(n, k, b, ldb)) panelProduct(m, n, k, a, ars, acs, b, ldb, c, y, crs, 1, bias, accumulate);
  else if (n == 2 && acs == 1 && crs == 2) narrowProduct(m, k, a, ars, b, ldb, c, y, bias, accumulate);
  else {
    if (pack && (n & 3)) packTail(k, n, n & ~(<usize>3), b, ldb, bt);
    product(m, n, k, a, ars, acs, b, ldb, bt, ldbt, c, y, crs, 1, bias, accumulate);
  }
}

/** product accumulating into C stored transposed (C(i, j) at c + 4(i + j·ccs)), no bias, no ReLU; panels as productRows. */
function productColumns(
  m: usize, n: usize, k: usize, a: usize, ars: usize, acs: usize, b: usize, ldb: usize, bt: usize, ldbt: usize, c: usize, ccs: usize,
): void {
  if (panelFits(n) && wholeRowsReadable(n, k, b, ldb)) panelProduct(m, n, k, a, ars, acs, b, ldb, c, 0, 1, ccs, 0, 1);
  else {
    if (n & 3) packTail(k, n, n & ~(<usize>3), b, ldb, bt);
    product(m, n, k, a, ars, acs, b, ldb, bt, ldbt, c, 0, 1, ccs, 0, 1);
  }
}

/** Copies columns [col, cols) (fewer than 4) of `rows` rows (stride ld) to dst [rows][4], zero-padded. */
function packTail(rows: usize, cols: usize, col: usize, src: usize, ld: usize, dst: usize): void {
  const count = <i32>(cols - col);
  for (let r: usize = 0; r < rows; r++) v128.store(dst + (r << 4), loadPartial(at(src, r * ld + col), count));
}

/** Vector v of a group (see maskGroup): whole when v < NV, else `tail` (1..3) lanes. */
// @ts-ignore: decorator
@inline function ldv(p: usize, v: i32, NV: i32, tail: i32): v128 {
  return v < NV ? v128.load(p + (<usize>v << 4)) : loadPartial(p + (<usize>v << 4), tail);
}
// @ts-ignore: decorator
@inline function stv(p: usize, v: i32, NV: i32, tail: i32, x: v128): void {
  if (v < NV) v128.store(p + (<usize>v << 4), x);
  else storePartial(p + (<usize>v << 4), x, tail);
}

/**
 * Columns [j, j + 4·NV (+ tail)) of maskAndSums: NV whole vectors and, when TAIL, one more of
 * `tail` lanes, one accumulator each, walking the rows once. Each column is still summed down the
 * rows in order (as columnSums), but the vectors' add chains overlap: summing one column vector
 * down all rows at a time waited on the add latency at every row.
 */
// @ts-ignore: decorator
@inline function maskGroup(NV: i32, TAIL: i32, tail: i32, m: usize, n: usize, j: usize, dy: usize, z: usize, dz: usize, db: usize): void {
  const W = NV + TAIL, dbj = at(db, j);
  let a0 = W > 0 ? ldv(dbj, 0, NV, tail) : ZERO, a1 = W > 1 ? ldv(dbj, 1, NV, tail) : ZERO;
  let a2 = W > 2 ? ldv(dbj, 2, NV, tail) : ZERO, a3 = W > 3 ? ldv(dbj, 3, NV, tail) : ZERO;
  let e = at(0, j);
  const row = at(0, n);
  for (let i: usize = 0; i < m; i++) {
    if (W > 0) { const g = v128.and(ldv(dy + e, 0, NV, tail), f32x4.gt(ldv(z + e, 0, NV, tail), ZERO)); stv(dz + e, 0, NV, tail, g); a0 = f32x4.add(a0, g); }
    if (W > 1) { const g = v128.and(ldv(dy + e, 1, NV, tail), f32x4.gt(ldv(z + e, 1, NV, tail), ZERO)); stv(dz + e, 1, NV, tail, g); a1 = f32x4.add(a1, g); }
    if (W > 2) { const g = v128.and(ldv(dy + e, 2, NV, tail), f32x4.gt(ldv(z + e, 2, NV, tail), ZERO)); stv(dz + e, 2, NV, tail, g); a2 = f32x4.add(a2, g); }
    if (W > 3) { const g = v128.and(ldv(dy + e, 3, NV, tail), f32x4.gt(ldv(z + e, 3, NV, tail), ZERO)); stv(dz + e, 3, NV, tail, g); a3 = f32x4.add(a3, g); }
    e += row;
  }
  if (W > 0) stv(dbj, 0, NV, tail, a0);
  if (W > 1) stv(dbj, 1, NV, tail, a1);
  if (W > 2) stv(dbj, 2, NV, tail, a2);
  if (W > 3) stv(dbj, 3, NV, tail, a3);
}

/**
 * dz = dy·[z > 0] (as reluBackward: dy AND the mask) and db += Σ_rows dz (as columnSums: down
 * each column in row order), in one pass per group of 16 columns (the last group 1..15).
 */
function maskAndSums(m: usize, n: usize, dy: usize, z: usize, dz: usize, db: usize): void {
  let j: usize = 0;
  for (; j + 16 <= n; j += 16) mask4(m, n, j, dy, z, dz, db, 4);
  const r = n - j, whole = <i32>(r >> 2), tail = <i32>(r & 3);
  if (tail) {
    if (whole == 0) mask0T(m, n, j, dy, z, dz, db, tail);
    else if (whole == 1) mask1T(m, n, j, dy, z, dz, db, tail);
    else if (whole == 2) mask2T(m, n, j, dy, z, dz, db, tail);
    else mask3T(m, n, j, dy, z, dz, db, tail);
  } else if (whole == 1) mask1(m, n, j, dy, z, dz, db, 4);
  else if (whole == 2) mask2(m, n, j, dy, z, dz, db, 4);
  else if (whole == 3) mask3(m, n, j, dy, z, dz, db, 4);
}

// One small function per group shape: inlined into one function, the optimiser merged the shapes
// back into a loop that tested the vector count and the tail at every row.
function mask4(m: usize, n: usize, j: usize, dy: usize, z: usize, dz: usize, db: usize, tail: i32): void { maskGroup(4, 0, tail, m, n, j, dy, z, dz, db); }
function mask3(m: usize, n: usize, j: usize, dy: usize, z: usize, dz: usize, db: usize, tail: i32): void { maskGroup(3, 0, tail, m, n, j, dy, z, dz, db); }
function mask2(m: usize, n: usize, j: usize, dy: usize, z: usize, dz: usize, db: usize, tail: i32): void { maskGroup(2, 0, tail, m, n, j, dy, z, dz, db); }
function mask1(m: usize, n: usize, j: usize, dy: usize, z: usize, dz: usize, db: usize, tail: i32): void { maskGroup(1, 0, tail, m, n, j, dy, z, dz, db); }
function mask3T(m: usize, n: usize, j: usize, dy: usize, z: usize, dz: usize, db: usize, tail: i32): void { maskGroup(3, 1, tail, m, n, j, dy, z, dz, db); }
function mask2T(m: usize, n: usize, j: usize, dy: usize, z: usize, dz: usize, db: usize, tail: i32): void { maskGroup(2, 1, tail, m, n, j, dy, z, dz, db); }
function mask1T(m: usize, n: usize, j: usize, dy: usize, z: usize, dz: usize, db: usize, tail: i32): void { maskGroup(1, 1, tail, m, n, j, dy, z, dz, db); }
function mask0T(m: usize, n: usize, j: usize, dy: usize, z: usize, dz: usize, db: usize, tail: i32): void { maskGroup(0, 1, tail, m, n, j, dy, z, dz, db); }

/** Floats of scratch that serve both passes: denseForward needs k·⌈n⌉₄ (Wᵀ), denseBackward 4·max(m, n) (tail panels). */
export function denseScratchSize(m: i32, n: i32, k: i32): i32 {
  const n4 = (n + 3) & ~3;
  return max(k * n4, 4 * max(m, n));
}

/**
 * wT[p, j] = w[j, p] for w [n, k], wT rows of n4 ≥ n floats whose columns n..n4 are 0: 4×4 blocks
 * by shuffles (the scalar copy, strided reads, cost ≈ 7 % of a 25→25 forward), the last k % 4
 * rows and n % 4 columns one element at a time.
 */
function transposePadded(n: usize, k: usize, w: usize, wT: usize, n4: usize): void {
  const nb = n & ~(<usize>3), kb = k & ~(<usize>3), k4 = k << 2, n44 = n4 << 2;
  for (let j: usize = 0; j < nb; j += 4) {
    const r = at(w, j * k);
    for (let p: usize = 0; p < kb; p += 4) {
      const src = r + (p << 2);
      store4x4T(at(wT, p * n4 + j), n44, v128.load(src), v128.load(src + k4), v128.load(src + 2 * k4), v128.load(src + 3 * k4));
    }
  }
  for (let p: usize = 0; p < k; p++) {
    const row = at(wT, p * n4);
    for (let j: usize = p < kb ? nb : 0; j < n; j++) store<f32>(at(row, j), load<f32>(at(w, j * k + p)));
    for (let j = n; j < n4; j++) store<f32>(at(row, j), 0);
  }
}

/**
 * z[m, n] = x[m, k]·W[n, k]ᵀ + bias (bias 0: none); y = ReLU(z) when y ≠ 0. scratch: at least
 * k·⌈n⌉₄ floats (Wᵀ is copied there, zero-padded to a multiple of 4 columns).
 */
export function denseForward(m: i32, n: i32, k: i32, x: usize, w: usize, bias: usize, z: usize, y: usize, scratch: usize): void {
  const um = <usize>m, un = <usize>n, uk = <usize>k, n4 = (un + 3) & ~(<usize>3);
  transposePadded(un, uk, w, scratch, n4);
  productRows(um, un, uk, x, uk, 1, scratch, n4, at(scratch, un & ~(<usize>3)), n4, z, y, un, bias, 0, 0);
}

/**
 * The backward of denseForward: g = dy·[z > 0] into dz when z ≠ 0 (else g = dy); db += Σ_rows g
 * (db 0: no bias); dW[n, k] += gᵀ·x; dx[m, k] = g·W (dx 0: skipped). scratch: at least
 * 4·max(m, n) floats.
 */
export function denseBackward(
  m: i32, n: i32, k: i32, x: usize, w: usize, dy: usize, z: usize, dz: usize, dw: usize, db: usize, dx: usize, scratch: usize,
): void {
  const um = <usize>m, un = <usize>n, uk = <usize>k, tail3 = ~(<usize>3);
  let g = dy;
  if (z && db) {
    maskAndSums(um, un, dy, z, dz, db);
    g = dz;
  } else if (z) {
    reluBackward(m * n, z, 0, dy, dz, 0, 0);
    g = dz;
  } else if (db) {
    columnSums(m, n, g, db, 1);
  }
  // dW += gᵀ·x, vectorised over whichever of W's dimensions wastes fewer lanes.
  if (((un + 3) & tail3) * uk < ((uk + 3) & tail3) * un) {
    // dWᵀ[k, n] += xᵀ·g: A = xᵀ, B = g's rows, C = dW read transposed.
    productColumns(uk, un, um, x, 1, uk, g, un, scratch, 4, dw, uk);
  } else {
    // dW[n, k] += gᵀ·x: A = gᵀ, B = x's rows.
    productRows(un, uk, um, g, 1, un, x, uk, scratch, 4, dw, 0, uk, 0, 1, 1);
  }
  if (dx) {
    // dx[m, k] = g·W: B = W's rows.
    productRows(um, uk, un, g, un, 1, w, uk, scratch, 4, dx, 0, uk, 0, 0, 1);
  }
}
