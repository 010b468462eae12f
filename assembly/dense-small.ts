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
// panels instead (the same sums; pairs of rows, branch-free set-up, the tail inside the block).
import { loadPartial, storePartial } from "./simdmath";
import { ZERO, at, finish, initC } from "./dense-access";
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

/** product with C row-major (C(i, j) at c + 4(i·crs + j)); rows of 9..32 columns in whole-row panels (dense-panel.ts). */
function productRows(
  m: usize, n: usize, k: usize, a: usize, ars: usize, acs: usize, b: usize, ldb: usize, bt: usize, ldbt: usize,
  c: usize, y: usize, crs: usize, bias: usize, accumulate: i32,
): void {
  if (panelFits(n)) panelProduct(m, n, k, a, ars, acs, b, ldb, n & 3 ? bt : at(b, n - 4), n & 3 ? ldbt : ldb, c, y, crs, 1, bias, accumulate);
  else product(m, n, k, a, ars, acs, b, ldb, bt, ldbt, c, y, crs, 1, bias, accumulate);
}

/** product accumulating into C stored transposed (C(i, j) at c + 4(i + j·ccs)), no bias, no ReLU; panels as productRows. */
function productColumns(
  m: usize, n: usize, k: usize, a: usize, ars: usize, acs: usize, b: usize, ldb: usize, bt: usize, ldbt: usize, c: usize, ccs: usize,
): void {
  if (panelFits(n)) panelProduct(m, n, k, a, ars, acs, b, ldb, n & 3 ? bt : at(b, n - 4), n & 3 ? ldbt : ldb, c, 0, 1, ccs, 0, 1);
  else product(m, n, k, a, ars, acs, b, ldb, bt, ldbt, c, 0, 1, ccs, 0, 1);
}

/** Copies columns [col, cols) (fewer than 4) of `rows` rows (stride ld) to dst [rows][4], zero-padded. */
function packTail(rows: usize, cols: usize, col: usize, src: usize, ld: usize, dst: usize): void {
  const count = <i32>(cols - col);
  for (let r: usize = 0; r < rows; r++) v128.store(dst + (r << 4), loadPartial(at(src, r * ld + col), count));
}

/**
 * dz = dy·[z > 0] (as reluBackward: dy AND the mask) and db += Σ_rows dz (as columnSums: down
 * each column in row order), in one pass: four columns at a time, down the rows.
 */
function maskAndSums(m: usize, n: usize, dy: usize, z: usize, dz: usize, db: usize): void {
  let j: usize = 0;
  for (; j + 4 <= n; j += 4) {
    let acc = v128.load(at(db, j));
    for (let i: usize = 0; i < m; i++) {
      const e = i * n + j;
      const g = v128.and(v128.load(at(dy, e)), f32x4.gt(v128.load(at(z, e)), ZERO));
      v128.store(at(dz, e), g);
      acc = f32x4.add(acc, g);
    }
    v128.store(at(db, j), acc);
  }
  if (j < n) {
    const count = <i32>(n - j);
    let acc = loadPartial(at(db, j), count);
    for (let i: usize = 0; i < m; i++) {
      const e = i * n + j;
      const g = v128.and(loadPartial(at(dy, e), count), f32x4.gt(loadPartial(at(z, e), count), ZERO));
      storePartial(at(dz, e), g, count);
      acc = f32x4.add(acc, g);
    }
    storePartial(at(db, j), acc, count);
  }
}

/** Floats of scratch that serve both passes: denseForward needs k·⌈n⌉₄ (Wᵀ), denseBackward 4·max(m, n) (tail panels). */
export function denseScratchSize(m: i32, n: i32, k: i32): i32 {
  const n4 = (n + 3) & ~3;
  return max(k * n4, 4 * max(m, n));
}

/**
 * z[m, n] = x[m, k]·W[n, k]ᵀ + bias (bias 0: none); y = ReLU(z) when y ≠ 0. scratch: at least
 * k·⌈n⌉₄ floats (Wᵀ is copied there, zero-padded to a multiple of 4 columns).
 */
export function denseForward(m: i32, n: i32, k: i32, x: usize, w: usize, bias: usize, z: usize, y: usize, scratch: usize): void {
  const um = <usize>m, un = <usize>n, uk = <usize>k, n4 = (un + 3) & ~(<usize>3);
  for (let p: usize = 0; p < uk; p++) {
    const row = at(scratch, p * n4);
    for (let j: usize = 0; j < un; j++) store<f32>(at(row, j), load<f32>(at(w, j * uk + p)));
    for (let j = un; j < n4; j++) store<f32>(at(row, j), 0);
  }
  productRows(um, un, uk, x, uk, 1, scratch, n4, at(scratch, un & ~(<usize>3)), n4, z, y, un, bias, 0);
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
    if (un & 3) packTail(um, un, un & tail3, g, un, scratch);
    productColumns(uk, un, um, x, 1, uk, g, un, scratch, 4, dw, uk);
  } else {
    // dW[n, k] += gᵀ·x: A = gᵀ, B = x's rows.
    if (uk & 3) packTail(um, uk, uk & tail3, x, uk, scratch);
    productRows(un, uk, um, g, 1, un, x, uk, scratch, 4, dw, 0, uk, 0, 1);
  }
  if (dx) {
    // dx[m, k] = g·W: B = W's rows.
    if (uk & 3) packTail(un, uk, uk & tail3, w, uk, scratch);
    productRows(um, uk, un, g, un, 1, w, uk, scratch, 4, dx, 0, uk, 0, 0);
  }
}
