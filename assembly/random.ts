// Counter-based random numbers for dropout: the random bits of element i are a pure function of
// (key0, key1, i), so any [begin, end) range of the elements can be computed by any thread in
// any order and every engine gives the same bits (integer arithmetic only).
//
//   h(i) = mix(mix(i ^ key0) + key1),   mix = Wellons' lowbias32 (xor-shift-multiply, 2 rounds)
//   u(i) = (h(i) >>> 8) · 2⁻²⁴           uniform in [0, 1) with 24 bits, exact in float32
//
// Dropout(p) keeps element i when u(i) ≥ p (probability 1 - p) and scales it by 1/(1 - p).
// The mask is stored as float32 (scale where kept, 0 where dropped), so the backward pass is
// one multiplication by the same mask.
import { loadPartial, storePartial } from "./simdmath";

// @ts-ignore: decorator
@inline function at(ptr: usize, i: i32): usize { return ptr + (<usize>i << 2); }

// @ts-ignore: decorator
@inline function mix4(v: v128): v128 {
  let x = v128.xor(v, i32x4.shr_u(v, 16));
  x = i32x4.mul(x, i32x4.splat(0x7feb352d));
  x = v128.xor(x, i32x4.shr_u(x, 15));
  x = i32x4.mul(x, i32x4.splat(<i32>0x846ca68b));
  return v128.xor(x, i32x4.shr_u(x, 16));
}

/** u(i) for the four lanes of idx, as float32 in [0, 1). */
// @ts-ignore: decorator
@inline function uniform4(idx: v128, k0: v128, k1: v128): v128 {
  const h = mix4(i32x4.add(mix4(v128.xor(idx, k0)), k1));
  return f32x4.mul(f32x4.convert_i32x4_u(i32x4.shr_u(h, 8)), f32x4.splat(<f32>5.9604644775390625e-8));
}

/**
 * Dropout forward over elements [begin, end): mask[i] = u(i) ≥ p ? scale : 0, y[i] = x[i]·mask[i].
 * x, y and mask each point to the whole array (element 0); y may equal x.
 */
export function dropoutForward(begin: i32, end: i32, x: usize, y: usize, mask: usize, key0: u32, key1: u32, p: f32, scale: f32): void {
  const k0 = i32x4.splat(key0), k1 = i32x4.splat(key1);
  const pv = f32x4.splat(p), sv = f32x4.splat(scale), zero = f32x4.splat(0);
  let idx = i32x4.add(i32x4.splat(begin), v128(0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0));
  const four = i32x4.splat(4);
  let i = begin;
  for (; i + 4 <= end; i += 4) {
    const m = v128.bitselect(sv, zero, f32x4.ge(uniform4(idx, k0, k1), pv));
    v128.store(at(mask, i), m);
    v128.store(at(y, i), f32x4.mul(v128.load(at(x, i)), m));
    idx = i32x4.add(idx, four);
  }
  if (i < end) {
    const n = end - i;
    const m = v128.bitselect(sv, zero, f32x4.ge(uniform4(idx, k0, k1), pv));
    storePartial(at(mask, i), m, n);
    storePartial(at(y, i), f32x4.mul(loadPartial(at(x, i), n), m), n);
  }
}

/** Dropout backward over [begin, end): dx[i] = dy[i]·mask[i] (the forward's mask). dx may equal dy. */
export function dropoutBackward(begin: i32, end: i32, dy: usize, mask: usize, dx: usize): void {
  let i = begin;
  for (; i + 4 <= end; i += 4) v128.store(at(dx, i), f32x4.mul(v128.load(at(dy, i)), v128.load(at(mask, i))));
  if (i < end) {
    const n = end - i;
    storePartial(at(dx, i), f32x4.mul(loadPartial(at(dy, i), n), loadPartial(at(mask, i), n)), n);
  }
}
