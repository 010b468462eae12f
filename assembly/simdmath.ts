// Vectorised float32 math on f32x4 lanes: exp, log, log1p, tanh, sigmoid.
//
// Every transcendental function the kernels need is computed here, inside WASM, with plain
// SIMD128 arithmetic (no relaxed-SIMD), so results are bit-identical on every engine and CPU.
// The polynomials are the classic Cephes single-precision ones (exp, log) and Eigen's rational
// tanh; all are accurate to a few ulp over the float32 range.
//
// Tails: kernels process 4 lanes at a time and finish the last 1-3 elements with loadPartial /
// storePartial, so a tail element goes through exactly the same arithmetic as a full vector.

const LOG2E: f32 = 1.44269504088896341;
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.12194440e-4;
const EXP_OVERFLOW: f32 = 88.72283905206835; // ln(FLT_MAX): above it exp() is +Infinity
const EXP_UNDERFLOW: f32 = -104.0; // below it exp() rounds to 0 even as a denormal
const SQRT_HALF: f32 = 0.707106781186547524;
const FLT_MIN: f32 = 1.17549435e-38; // smallest normal float32
const TANH_CLAMP: f32 = 7.90531110763549805; // tanh(x) rounds to ±1 beyond this
const TANH_TINY: f32 = 0.0004; // tanh(x) == x in float32 below this

/** Loads `count` (1..3) floats from `ptr` into the low lanes; the other lanes are 0. */
// @ts-ignore: decorator
@inline export function loadPartial(ptr: usize, count: i32): v128 {
  let v = f32x4.splat(0);
  v = f32x4.replace_lane(v, 0, load<f32>(ptr));
  if (count > 1) v = f32x4.replace_lane(v, 1, load<f32>(ptr, 4));
  if (count > 2) v = f32x4.replace_lane(v, 2, load<f32>(ptr, 8));
  return v;
}

/** Stores the low `count` (1..3) lanes of `v` to `ptr`; memory past them is untouched. */
// @ts-ignore: decorator
@inline export function storePartial(ptr: usize, v: v128, count: i32): void {
  store<f32>(ptr, f32x4.extract_lane(v, 0));
  if (count > 1) store<f32>(ptr, f32x4.extract_lane(v, 1), 4);
  if (count > 2) store<f32>(ptr, f32x4.extract_lane(v, 2), 8);
}

/** All-ones in the low `count` (1..3) lanes, zero elsewhere: masks the padding of a tail. */
// @ts-ignore: decorator
@inline export function partialMask(count: i32): v128 {
  return i32x4.gt_s(i32x4.splat(count), i32x4(0, 1, 2, 3));
}

/** Sum of the four lanes, in float64 (used where a loss accumulates many terms). */
// @ts-ignore: decorator
@inline export function sumLanes(v: v128): f64 {
  return (
    <f64>f32x4.extract_lane(v, 0) + <f64>f32x4.extract_lane(v, 1) +
    <f64>f32x4.extract_lane(v, 2) + <f64>f32x4.extract_lane(v, 3)
  );
}

/** Builds 2^n for integer lanes n in [-126, 127]. */
// @ts-ignore: decorator
@inline function pow2i(n: v128): v128 {
  return i32x4.shl(i32x4.add(n, i32x4.splat(127)), 23);
}

/**
 * e^x per lane. x = n·ln2 + r with |r| ≤ ln2/2; e^r by a degree-7 polynomial; 2^n applied as
 * two factors 2^(n>>1)·2^(n-(n>>1)) so that results reach into the denormals and up to FLT_MAX
 * without an intermediate overflow. NaN stays NaN, +Inf → +Inf, -Inf → 0.
 */
// @ts-ignore: decorator
@inline export function exp4(x: v128): v128 {
  const xc = f32x4.max(f32x4.min(x, f32x4.splat(EXP_OVERFLOW)), f32x4.splat(EXP_UNDERFLOW));
  const n = f32x4.nearest(f32x4.mul(xc, f32x4.splat(LOG2E)));
  let r = f32x4.sub(xc, f32x4.mul(n, f32x4.splat(LN2_HI)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(LN2_LO)));
  let y = f32x4.splat(1.9875691500e-4);
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(1.3981999507e-3));
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(8.3334519073e-3));
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(4.1665795894e-2));
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(1.6666665459e-1));
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(5.0000001201e-1));
  y = f32x4.add(f32x4.add(f32x4.mul(f32x4.mul(y, r), r), r), f32x4.splat(1));
  const ni = i32x4.trunc_sat_f32x4_s(n);
  const half = i32x4.shr_s(ni, 1);
  y = f32x4.mul(f32x4.mul(y, pow2i(half)), pow2i(i32x4.sub(ni, half)));
  // Above ln(FLT_MAX) the clamp would give a finite number: make it +Infinity.
  return v128.bitselect(f32x4.splat(Infinity), y, f32x4.gt(x, f32x4.splat(EXP_OVERFLOW)));
}

/**
 * Natural log per lane. x = m·2^e with m in [√½, √2); log(m) by the Cephes polynomial.
 * Denormals are rescaled first. log(0) = -Inf, log(x<0) = NaN, log(+Inf) = +Inf, NaN → NaN.
 */
// @ts-ignore: decorator
@inline export function log4(x: v128): v128 {
  const isDenormal = f32x4.lt(x, f32x4.splat(FLT_MIN));
  const xs = v128.bitselect(f32x4.mul(x, f32x4.splat(8388608.0)), x, isDenormal); // · 2^23
  let e = i32x4.sub(i32x4.shr_u(xs, 23), i32x4.splat(126));
  e = i32x4.sub(e, v128.and(isDenormal, i32x4.splat(23)));
  let m = v128.or(v128.and(xs, i32x4.splat(0x807fffff)), i32x4.splat(0x3f000000)); // [0.5, 1)
  const small = f32x4.lt(m, f32x4.splat(SQRT_HALF));
  e = i32x4.add(e, small); // true lanes are -1
  m = f32x4.sub(f32x4.add(m, v128.and(m, small)), f32x4.splat(1));
  const ef = f32x4.convert_i32x4_s(e);
  const z = f32x4.mul(m, m);
  let y = f32x4.splat(7.0376836292e-2);
  y = f32x4.add(f32x4.mul(y, m), f32x4.splat(-1.1514610310e-1));
  y = f32x4.add(f32x4.mul(y, m), f32x4.splat(1.1676998740e-1));
  y = f32x4.add(f32x4.mul(y, m), f32x4.splat(-1.2420140846e-1));
  y = f32x4.add(f32x4.mul(y, m), f32x4.splat(1.4249322787e-1));
  y = f32x4.add(f32x4.mul(y, m), f32x4.splat(-1.6668057665e-1));
  y = f32x4.add(f32x4.mul(y, m), f32x4.splat(2.0000714765e-1));
  y = f32x4.add(f32x4.mul(y, m), f32x4.splat(-2.4999993993e-1));
  y = f32x4.add(f32x4.mul(y, m), f32x4.splat(3.3333331174e-1));
  y = f32x4.mul(f32x4.mul(y, m), z);
  y = f32x4.add(y, f32x4.mul(ef, f32x4.splat(LN2_LO)));
  y = f32x4.sub(y, f32x4.mul(z, f32x4.splat(0.5)));
  let r = f32x4.add(f32x4.add(m, y), f32x4.mul(ef, f32x4.splat(LN2_HI)));
  r = v128.bitselect(f32x4.splat(-Infinity), r, f32x4.eq(x, f32x4.splat(0)));
  r = v128.bitselect(f32x4.splat(Infinity), r, f32x4.eq(x, f32x4.splat(Infinity)));
  r = v128.bitselect(f32x4.splat(NaN), r, f32x4.lt(x, f32x4.splat(0)));
  return v128.bitselect(x, r, f32x4.ne(x, x)); // NaN in, NaN out
}

/**
 * log(1 + u) per lane for u in [0, 1] (the softplus / logistic-loss range). Uses the
 * w = 1 + u; log(w) · u / (w - 1) correction, which keeps full relative accuracy for tiny u.
 */
// @ts-ignore: decorator
@inline export function log1p4(u: v128): v128 {
  const w = f32x4.add(u, f32x4.splat(1));
  const wm1 = f32x4.sub(w, f32x4.splat(1));
  const corrected = f32x4.div(f32x4.mul(log4(w), u), wm1);
  return v128.bitselect(u, corrected, f32x4.eq(wm1, f32x4.splat(0)));
}

/** tanh per lane: Eigen's odd/even rational approximation on [-7.9, 7.9], x itself near 0. */
// @ts-ignore: decorator
@inline export function tanh4(x: v128): v128 {
  const xc = f32x4.max(f32x4.min(x, f32x4.splat(TANH_CLAMP)), f32x4.splat(-TANH_CLAMP));
  const x2 = f32x4.mul(xc, xc);
  let p = f32x4.splat(-2.76076847742355e-16);
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(2.00018790482477e-13));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(-8.60467152213735e-11));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(5.12229709037114e-8));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(1.48572235717979e-5));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(6.37261928875436e-4));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(4.89352455891786e-3));
  p = f32x4.mul(p, xc);
  let q = f32x4.splat(1.19825839466702e-6);
  q = f32x4.add(f32x4.mul(q, x2), f32x4.splat(1.18534705686654e-4));
  q = f32x4.add(f32x4.mul(q, x2), f32x4.splat(2.26843463243900e-3));
  q = f32x4.add(f32x4.mul(q, x2), f32x4.splat(4.89352518554385e-3));
  const r = f32x4.div(p, q);
  return v128.bitselect(x, r, f32x4.lt(f32x4.abs(x), f32x4.splat(TANH_TINY)));
}

/** Logistic sigmoid per lane: 1 / (1 + e^-x); exact limits 0 and 1 at ∓Infinity. */
// @ts-ignore: decorator
@inline export function sigmoid4(x: v128): v128 {
  return f32x4.div(f32x4.splat(1), f32x4.add(f32x4.splat(1), exp4(f32x4.neg(x))));
}

/**
 * The scaled complementary error function erfcx(a) = e^(a²)·erfc(a) per lane, for a ≥ 0, by
 * Numerical Recipes' erfcc (fractional error < 1.2e-7 in exact arithmetic, everywhere):
 * t·e^P(t), t = 1 / (1 + a/2). The caller multiplies by e^(−a²) computed as precisely as it
 * can (gaussian4); a relative bound keeps small values accurate, so GELU takes 1 + erf(z) =
 * erfc(−z) for z < 0, where 1 − erfc would cancel. +Infinity → 0; NaN stays NaN.
 */
// @ts-ignore: decorator
@inline export function erfcx4(a: v128): v128 {
  const t = f32x4.div(f32x4.splat(1), f32x4.add(f32x4.splat(1), f32x4.mul(f32x4.splat(0.5), a)));
  let p = f32x4.splat(0.17087277);
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(-0.82215223));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(1.48851587));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(-1.13520398));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(0.27886807));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(-0.18628806));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(0.09678418));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(0.37409196));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(1.00002368));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(-1.26551223));
  return f32x4.mul(t, exp4(p));
}

/**
 * e^(−x²/2) per lane, to a few ulp even where it is tiny: as e^(−hi²/2)·e^(−lo·(x + hi)/2) with
 * hi = |x| cut to 12 significant bits (hi² exact), since x² rounded to float32 would carry an
 * error of up to x²·2^-24, which e^(−x²/2) keeps in relative terms (4e-6 at x = 12). |x| is
 * capped at 15 (e^-112.5 underflows to 0 either way), so ±Infinity give 0; NaN stays NaN.
 */
// @ts-ignore: decorator
@inline export function gaussian4(x: v128): v128 {
  const a = f32x4.min(f32x4.abs(x), f32x4.splat(15));
  const hi = v128.and(a, i32x4.splat(0xfffff000)), lo = f32x4.sub(a, hi);
  const half = f32x4.splat(-0.5);
  return f32x4.mul(exp4(f32x4.mul(half, f32x4.mul(hi, hi))), exp4(f32x4.mul(half, f32x4.mul(lo, f32x4.add(a, hi)))));
}

/** Rows [0, 4) of the 4×4 block whose row r is the vector `r`, transposed: lane q of the result t is row q's lane t. */
// @ts-ignore: decorator
@inline export function store4x4T(dst: usize, stride: usize, x0: v128, x1: v128, x2: v128, x3: v128): void {
  const t0 = i32x4.shuffle(x0, x1, 0, 4, 1, 5), t1 = i32x4.shuffle(x0, x1, 2, 6, 3, 7);
  const t2 = i32x4.shuffle(x2, x3, 0, 4, 1, 5), t3 = i32x4.shuffle(x2, x3, 2, 6, 3, 7);
  v128.store(dst, i32x4.shuffle(t0, t2, 0, 1, 4, 5));
  v128.store(dst + stride, i32x4.shuffle(t0, t2, 2, 3, 6, 7));
  v128.store(dst + 2 * stride, i32x4.shuffle(t1, t3, 0, 1, 4, 5));
  v128.store(dst + 3 * stride, i32x4.shuffle(t1, t3, 2, 3, 6, 7));
}

/** Test hooks: each function applied to n floats at xPtr, written to yPtr. */
export function vexp(n: i32, xPtr: usize, yPtr: usize): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(yPtr + (<usize>i << 2), exp4(v128.load(xPtr + (<usize>i << 2))));
  if (i < n) storePartial(yPtr + (<usize>i << 2), exp4(loadPartial(xPtr + (<usize>i << 2), n - i)), n - i);
}

export function vlog(n: i32, xPtr: usize, yPtr: usize): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(yPtr + (<usize>i << 2), log4(v128.load(xPtr + (<usize>i << 2))));
  if (i < n) storePartial(yPtr + (<usize>i << 2), log4(loadPartial(xPtr + (<usize>i << 2), n - i)), n - i);
}

export function vtanh(n: i32, xPtr: usize, yPtr: usize): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(yPtr + (<usize>i << 2), tanh4(v128.load(xPtr + (<usize>i << 2))));
  if (i < n) storePartial(yPtr + (<usize>i << 2), tanh4(loadPartial(xPtr + (<usize>i << 2), n - i)), n - i);
}
