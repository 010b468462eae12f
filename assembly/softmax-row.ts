// One row of a softmax, shared by the softmax and cross-entropy kernels. A helper, not a kernel:
// index.ts does not re-export this file, so it is not part of the module's export list.
import { exp4, loadPartial, storePartial, partialMask } from "./simdmath";

// @ts-ignore: decorator
@inline function at(ptr: usize, i: i32): usize { return ptr + (<usize>i << 2); }

const ZERO = f32x4.splat(0);

/**
 * Writes scale·softmax(row of x) to the row of y (the cross-entropy kernels fold their factor
 * into the normalisation); returns log Σ e^x (the row's log-sum-exp).
 */
export function softmaxRow(cols: i32, x: usize, y: usize, scale: f32 = 1): f32 {
  let max: f32 = -Infinity;
  for (let j = 0; j < cols; j++) {
    const v = load<f32>(at(x, j));
    if (!(v <= max)) max = v; // also picks up NaN, so a NaN row stays NaN
  }
  // A row of -Inf only: shifted by 0 (e^-Inf = 0, 0 / 0 = NaN, as torch). A +Inf makes the whole
  // row NaN, as torch's Inf - Inf (shifting by 0 gave NaN for the Inf and 0 for the rest).
  if (max == -Infinity) max = 0;
  const m = f32x4.splat(max);
  let acc = ZERO;
  let j = 0;
  for (; j + 4 <= cols; j += 4) {
    const e = exp4(f32x4.sub(v128.load(at(x, j)), m));
    v128.store(at(y, j), e);
    acc = f32x4.add(acc, e);
  }
  if (j < cols) {
    const e = exp4(f32x4.sub(loadPartial(at(x, j), cols - j), m));
    storePartial(at(y, j), e, cols - j);
    acc = f32x4.add(acc, v128.and(e, partialMask(cols - j)));
  }
  const sum = f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3);
  const inv = f32x4.splat(scale / sum);
  j = 0;
  for (; j + 4 <= cols; j += 4) v128.store(at(y, j), f32x4.mul(v128.load(at(y, j)), inv));
  if (j < cols) storePartial(at(y, j), f32x4.mul(loadPartial(at(y, j), cols - j), inv), cols - j);
  return Mathf.log(sum) + max;
}
