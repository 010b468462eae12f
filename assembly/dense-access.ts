// Element access shared by the small dense products (dense-small.ts's 4×8 blocks and
// dense-panel.ts's whole-row panels): C vectors at any strides, partial at a row's end, their
// initial values (C itself, the bias or 0) and their store with the fused ReLU. No kernels here.
import { loadPartial, storePartial } from "./simdmath";

export const ZERO = f32x4.splat(0);

// @ts-ignore: decorator
@inline export function at(ptr: usize, i: usize): usize { return ptr + (i << 2); }

/**
 * ReLU as activations.ts computes it: x where x ≥ 0 or NaN, else 0. pmax(x, 0) is x < 0 ? 0 : x
 * lane by lane, the same select as bitselect(0, x, x < 0) (NaN < 0 and -0 < 0 are false: both
 * kept), in one instruction (maxps with the operands swapped).
 */
// @ts-ignore: decorator
@inline export function relu4(x: v128): v128 { return f32x4.pmax(x, ZERO); }

/** `count` (1..4) elements of C from p, `ccs` floats apart. */
// @ts-ignore: decorator
@inline export function loadC(p: usize, ccs: usize, count: i32): v128 {
  if (ccs == 1) return count == 4 ? v128.load(p) : loadPartial(p, count);
  const s = ccs << 2;
  let v = f32x4.replace_lane(ZERO, 0, load<f32>(p));
  if (count > 1) v = f32x4.replace_lane(v, 1, load<f32>(p + s));
  if (count > 2) v = f32x4.replace_lane(v, 2, load<f32>(p + 2 * s));
  if (count > 3) v = f32x4.replace_lane(v, 3, load<f32>(p + 3 * s));
  return v;
}

// @ts-ignore: decorator
@inline export function storeC(p: usize, ccs: usize, v: v128, count: i32): void {
  if (ccs == 1) {
    if (count == 4) v128.store(p, v);
    else storePartial(p, v, count);
    return;
  }
  const s = ccs << 2;
  store<f32>(p, f32x4.extract_lane(v, 0));
  if (count > 1) store<f32>(p + s, f32x4.extract_lane(v, 1));
  if (count > 2) store<f32>(p + 2 * s, f32x4.extract_lane(v, 2));
  if (count > 3) store<f32>(p + 3 * s, f32x4.extract_lane(v, 3));
}

/** Initial value of C[i, j..j+count): C itself when accumulating, else the bias, else 0. */
// @ts-ignore: decorator
@inline export function initC(c: usize, ccs: usize, bias: usize, accumulate: i32, count: i32): v128 {
  if (accumulate) return loadC(c, ccs, count);
  if (bias) return count == 4 ? v128.load(bias) : loadPartial(bias, count);
  return ZERO;
}

/** Writes C (and ReLU(C) to y when y ≠ 0; y has C's strides). */
// @ts-ignore: decorator
@inline export function finish(c: usize, y: usize, ccs: usize, v: v128, count: i32): void {
  storeC(c, ccs, v, count);
  if (y) storeC(y, ccs, relu4(v), count);
}
