// Reductions and data movement: bias gradients, argmax, mini-batch gathers, fills, checks.
import { loadPartial, storePartial, sumLanes } from "./simdmath";

// @ts-ignore: decorator
@inline function at(ptr: usize, i: usize): usize { return ptr + (i << 2); }

/**
 * dst[j] (+)= Σ_i src[i, j] for a [rows, cols] row-major src: the bias gradient db = Σ_rows dY.
 * Four columns at a time, summed down the rows in order.
 */
export function columnSums(rows: i32, cols: i32, src: usize, dst: usize, accumulate: i32): void {
  columnSumsRange(rows, cols, src, dst, accumulate, 0, cols);
}

/**
 * columnSums restricted to the columns [begin, end), for threads: each column is still summed
 * down all rows in order by one thread, so the result does not depend on the split.
 */
export function columnSumsRange(rows: i32, cols: i32, src: usize, dst: usize, accumulate: i32, begin: i32, end: i32): void {
  const ur = <usize>rows, uc = <usize>cols, ue = <usize>end;
  let j = <usize>begin;
  for (; j + 4 <= ue; j += 4) {
    let acc = accumulate ? v128.load(at(dst, j)) : f32x4.splat(0);
    for (let i: usize = 0; i < ur; i++) acc = f32x4.add(acc, v128.load(at(src, i * uc + j)));
    v128.store(at(dst, j), acc);
  }
  if (j < ue) {
    const k = <i32>(ue - j);
    let acc = accumulate ? loadPartial(at(dst, j), k) : f32x4.splat(0);
    for (let i: usize = 0; i < ur; i++) acc = f32x4.add(acc, loadPartial(at(src, i * uc + j), k));
    storePartial(at(dst, j), acc, k);
  }
}

/** dst[i] = index of the largest value in row i of a [rows, cols] matrix (int32 out; NaN wins). */
export function argmaxRows(rows: i32, cols: i32, src: usize, dst: usize): void {
  const uc = <usize>cols;
  for (let i: usize = 0; i < <usize>rows; i++) {
    const row = at(src, i * uc);
    let best: f32 = load<f32>(row);
    let bestJ: i32 = 0;
    for (let j: usize = 1; j < uc && best == best; j++) {
      const v = load<f32>(at(row, j));
      if (v > best || v != v) { best = v; bestJ = <i32>j; }
    }
    store<i32>(dst + (i << 2), bestJ);
  }
}

/** dst[r, :] = src[index[r], :] for r < count; index is int32, rows are rowLen floats. */
export function gatherRows(count: i32, rowLen: i32, src: usize, index: usize, dst: usize): void {
  const bytes = <usize>rowLen << 2;
  for (let r: usize = 0; r < <usize>count; r++) {
    const from = <usize>load<i32>(index + (r << 2));
    memory.copy(dst + r * bytes, src + from * bytes, bytes);
  }
}

/** ptr[0..n) = value. */
export function fill(n: i32, ptr: usize, value: f32): void {
  const v = f32x4.splat(value);
  let i: usize = 0;
  for (; i + 4 <= <usize>n; i += 4) v128.store(at(ptr, i), v);
  for (; i < <usize>n; i++) store<f32>(at(ptr, i), value);
}

/** dst[0..n) = src[0..n) (regions may overlap). */
export function copy(n: i32, src: usize, dst: usize): void {
  memory.copy(dst, src, <usize>n << 2);
}

/** ptr[0..n) *= factor. */
export function scale(n: i32, ptr: usize, factor: f32): void {
  const f = f32x4.splat(factor);
  let i: usize = 0;
  for (; i + 4 <= <usize>n; i += 4) v128.store(at(ptr, i), f32x4.mul(v128.load(at(ptr, i)), f));
  for (; i < <usize>n; i++) store<f32>(at(ptr, i), load<f32>(at(ptr, i)) * factor);
}

/** Σ ptr[i]², each square in float32, accumulated in float64 (for gradient-norm clipping). */
export function sumOfSquares(n: i32, ptr: usize): f64 {
  let total: f64 = 0;
  let i: usize = 0;
  for (; i + 4 <= <usize>n; i += 4) {
    const v = v128.load(at(ptr, i));
    total += sumLanes(f32x4.mul(v, v));
  }
  // The tail squared in float32 too, as the vectors (and torch): 1e-30² underflows to 0 wherever
  // the element sits.
  for (; i < <usize>n; i++) {
    const v = load<f32>(at(ptr, i));
    total += <f64>(v * v);
  }
  return total;
}

/** Index of the first NaN or ±Infinity in ptr[0..n), or -1 when all are finite. */
export function firstNonFinite(n: i32, ptr: usize): i32 {
  let i: usize = 0;
  for (; i + 4 <= <usize>n; i += 4) {
    const v = v128.load(at(ptr, i));
    const d = f32x4.sub(v, v); // 0 for finite lanes, NaN for NaN and ±Infinity
    if (v128.any_true(f32x4.ne(d, d))) break;
  }
  for (; i < <usize>n; i++) {
    const v = load<f32>(at(ptr, i));
    if (v - v != 0) return <i32>i;
  }
  return -1;
}
