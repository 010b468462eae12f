// Activation functions, forward and backward, over n contiguous float32 values.
//
// Memory layout: xPtr (input), yPtr (output), dyPtr (gradient w.r.t. the output) and dxPtr
// (gradient w.r.t. the input) each point to n floats. Every kernel has the same signature so
// the TypeScript side can describe an activation as a (forward, backward) pair from a table:
//   forward (n, xPtr, yPtr, p0, p1)
//   backward(n, xPtr, yPtr, dyPtr, dxPtr, p0, p1)
// p0/p1 are the activation's hyper-parameters (negative slope, alpha, beta, threshold), unused
// where it has none. dxPtr may equal dyPtr (in-place backward).
// Which of x / y the backward reads is stated above each kernel.
import { exp4, erfcx4, gaussian4, tanh4, sigmoid4, log1p4, loadPartial, storePartial, partialMask } from "./simdmath";
import { softmaxRow } from "./softmax-row";

// @ts-ignore: decorator
@inline function at(ptr: usize, i: i32): usize { return ptr + (<usize>i << 2); }

const ZERO = f32x4.splat(0);
const ONE = f32x4.splat(1);

// ---- ReLU: y = max(x, 0); dx = dy · [x > 0] (reads x) -------------------------------------
// @ts-ignore: decorator
@inline function relu4(x: v128): v128 {
  // x where x > 0, else 0; written as a select so that NaN stays NaN like PyTorch.
  return v128.bitselect(ZERO, x, f32x4.lt(x, ZERO));
}
// @ts-ignore: decorator
@inline function reluGrad4(x: v128, dy: v128): v128 { return v128.and(dy, f32x4.gt(x, ZERO)); }

export function reluForward(n: i32, x: usize, y: usize, p0: f32, p1: f32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(y, i), relu4(v128.load(at(x, i))));
  if (i < n) storePartial(at(y, i), relu4(loadPartial(at(x, i), n - i)), n - i);
}
export function reluBackward(n: i32, x: usize, y: usize, dy: usize, dx: usize, p0: f32, p1: f32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(dx, i), reluGrad4(v128.load(at(x, i)), v128.load(at(dy, i))));
  if (i < n) storePartial(at(dx, i), reluGrad4(loadPartial(at(x, i), n - i), loadPartial(at(dy, i), n - i)), n - i);
}

// ---- LeakyReLU(slope = p0): y = x > 0 ? x : slope·x; dx = dy · (x > 0 ? 1 : slope) (reads x) --
// @ts-ignore: decorator
@inline function leaky4(x: v128, slope: v128): v128 {
  return v128.bitselect(x, f32x4.mul(x, slope), f32x4.gt(x, ZERO));
}
export function leakyReluForward(n: i32, x: usize, y: usize, p0: f32, p1: f32): void {
  const s = f32x4.splat(p0);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(y, i), leaky4(v128.load(at(x, i)), s));
  if (i < n) storePartial(at(y, i), leaky4(loadPartial(at(x, i), n - i), s), n - i);
}
// @ts-ignore: decorator
@inline function leakyGrad4(x: v128, dy: v128, slope: v128): v128 {
  return v128.bitselect(dy, f32x4.mul(dy, slope), f32x4.gt(x, ZERO));
}
export function leakyReluBackward(n: i32, x: usize, y: usize, dy: usize, dx: usize, p0: f32, p1: f32): void {
  const s = f32x4.splat(p0);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(dx, i), leakyGrad4(v128.load(at(x, i)), v128.load(at(dy, i)), s));
  if (i < n) storePartial(at(dx, i), leakyGrad4(loadPartial(at(x, i), n - i), loadPartial(at(dy, i), n - i), s), n - i);
}

// ---- Tanh: y = tanh(x); dx = dy · (1 - y²) (reads y) ----------------------------------------
// @ts-ignore: decorator
@inline function tanhGrad4(y: v128, dy: v128): v128 { return f32x4.mul(dy, f32x4.sub(ONE, f32x4.mul(y, y))); }
export function tanhForward(n: i32, x: usize, y: usize, p0: f32, p1: f32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(y, i), tanh4(v128.load(at(x, i))));
  if (i < n) storePartial(at(y, i), tanh4(loadPartial(at(x, i), n - i)), n - i);
}
export function tanhBackward(n: i32, x: usize, y: usize, dy: usize, dx: usize, p0: f32, p1: f32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(dx, i), tanhGrad4(v128.load(at(y, i)), v128.load(at(dy, i))));
  if (i < n) storePartial(at(dx, i), tanhGrad4(loadPartial(at(y, i), n - i), loadPartial(at(dy, i), n - i)), n - i);
}

// ---- Sigmoid: y = 1 / (1 + e^-x); dx = dy · y · (1 - y) (reads y) ---------------------------
// @ts-ignore: decorator
@inline function sigmoidGrad4(y: v128, dy: v128): v128 { return f32x4.mul(dy, f32x4.mul(y, f32x4.sub(ONE, y))); }
export function sigmoidForward(n: i32, x: usize, y: usize, p0: f32, p1: f32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(y, i), sigmoid4(v128.load(at(x, i))));
  if (i < n) storePartial(at(y, i), sigmoid4(loadPartial(at(x, i), n - i)), n - i);
}
export function sigmoidBackward(n: i32, x: usize, y: usize, dy: usize, dx: usize, p0: f32, p1: f32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(dx, i), sigmoidGrad4(v128.load(at(y, i)), v128.load(at(dy, i))));
  if (i < n) storePartial(at(dx, i), sigmoidGrad4(loadPartial(at(y, i), n - i), loadPartial(at(dy, i), n - i)), n - i);
}

// ---- ELU(alpha = p0): y = x > 0 ? x : alpha·(e^x - 1); dx = dy · (x > 0 ? 1 : alpha·e^x) ----
// (reads x, as torch's elu_backward: y + alpha lost the gradient's digits, 0 below x ≈ -17 and
// 4e-4 off at -10; a NaN x gives NaN)
// @ts-ignore: decorator
@inline function elu4(x: v128, alpha: v128): v128 {
  return v128.bitselect(x, f32x4.mul(alpha, f32x4.sub(exp4(x), ONE)), f32x4.gt(x, ZERO));
}
// @ts-ignore: decorator
@inline function eluGrad4(x: v128, y: v128, dy: v128, alpha: v128): v128 {
  return v128.bitselect(dy, f32x4.mul(dy, f32x4.mul(alpha, exp4(x))), f32x4.gt(x, ZERO));
}
export function eluForward(n: i32, x: usize, y: usize, p0: f32, p1: f32): void {
  const a = f32x4.splat(p0);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(y, i), elu4(v128.load(at(x, i)), a));
  if (i < n) storePartial(at(y, i), elu4(loadPartial(at(x, i), n - i), a), n - i);
}
export function eluBackward(n: i32, x: usize, y: usize, dy: usize, dx: usize, p0: f32, p1: f32): void {
  const a = f32x4.splat(p0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    v128.store(at(dx, i), eluGrad4(v128.load(at(x, i)), v128.load(at(y, i)), v128.load(at(dy, i)), a));
  }
  if (i < n) {
    const k = n - i;
    storePartial(at(dx, i), eluGrad4(loadPartial(at(x, i), k), loadPartial(at(y, i), k), loadPartial(at(dy, i), k), a), k);
  }
}

// ---- GELU, tanh approximation (PyTorch's GELU(approximate='tanh')) --------------------------
// u = √(2/π)·(x + 0.044715·x³); y = ½·x·(1 + tanh u), computed as the identical x·σ(2u), which
// avoids the cancellation in 1 + tanh u for negative x.
// dy/dx = σ(2u) + 2·x·σ(2u)·(1 - σ(2u))·√(2/π)·(1 + 3·0.044715·x²)   (reads x)
// For |x| past ≈ 1.8e19 float32's x² is infinite while σ(2u)·(1 − σ(2u)) is 0: x² is capped at
// the largest float32, so the second term is then 0 (its limit; float64 and the reference give
// it), not 0·∞ = NaN, for every finite x; ±∞ (σ(2u)·(1 − σ(2u)) = 0 times ∞) and NaN stay NaN.
const GELU_C: f32 = 0.7978845608028654;
const GELU_K: f32 = 0.044715;
// @ts-ignore: decorator
@inline function geluGate(x: v128): v128 {
  const x3 = f32x4.mul(f32x4.mul(x, x), x);
  const u = f32x4.mul(f32x4.splat(GELU_C), f32x4.add(x, f32x4.mul(f32x4.splat(GELU_K), x3)));
  return sigmoid4(f32x4.add(u, u));
}
// @ts-ignore: decorator
@inline function gelu4(x: v128): v128 {
  return f32x4.mul(x, geluGate(x));
}
// @ts-ignore: decorator
@inline function geluGrad4(x: v128, dy: v128): v128 {
  const s = geluGate(x);
  // pmin(x², max) is x² below the cap and NaN for a NaN x (pmin keeps its first operand then).
  const x2 = f32x4.pmin(f32x4.mul(x, x), f32x4.splat(F32.MAX_VALUE));
  const du = f32x4.mul(f32x4.splat(2 * GELU_C), f32x4.add(ONE, f32x4.mul(f32x4.splat(3 * GELU_K), x2)));
  const slope = f32x4.add(s, f32x4.mul(f32x4.mul(x, f32x4.mul(s, f32x4.sub(ONE, s))), du));
  return f32x4.mul(dy, slope);
}
export function geluForward(n: i32, x: usize, y: usize, p0: f32, p1: f32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(y, i), gelu4(v128.load(at(x, i))));
  if (i < n) storePartial(at(y, i), gelu4(loadPartial(at(x, i), n - i)), n - i);
}
export function geluBackward(n: i32, x: usize, y: usize, dy: usize, dx: usize, p0: f32, p1: f32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(dx, i), geluGrad4(v128.load(at(x, i)), v128.load(at(dy, i))));
  if (i < n) storePartial(at(dx, i), geluGrad4(loadPartial(at(x, i), n - i), loadPartial(at(dy, i), n - i)), n - i);
}

// ---- GELU, exact (PyTorch's default, approximate='none') ------------------------------------
// y = ½·x·(1 + erf(x/√2)), with 1 + erf(z) = 2 − erfc(|z|) for z ≥ 0 and erfc(|z|) for z < 0 (no
// cancellation for negative x, where y is tiny); erfc(|x|/√2) = erfcx(|x|/√2)·e^(−x²/2).
// dy/dx = ½·(1 + erf(x/√2)) + x·e^(−x²/2)/√(2π)   (reads x)
const SQRT_HALF: f32 = 0.7071067811865476;
const INV_SQRT_2PI: f32 = 0.3989422804014327;
/** ½·(1 + erf(x/√2)), given g = e^(−x²/2). */
// @ts-ignore: decorator
@inline function halfOnePlusErf(x: v128, g: v128): v128 {
  const c = f32x4.mul(erfcx4(f32x4.mul(f32x4.abs(x), f32x4.splat(SQRT_HALF))), g);
  const onePlusErf = v128.bitselect(f32x4.sub(f32x4.splat(2), c), c, f32x4.ge(x, ZERO));
  return f32x4.mul(f32x4.splat(0.5), onePlusErf);
}
// @ts-ignore: decorator
@inline function geluErf4(x: v128): v128 {
  return f32x4.mul(x, halfOnePlusErf(x, gaussian4(x)));
}
// @ts-ignore: decorator
@inline function geluErfGrad4(x: v128, dy: v128): v128 {
  const g = gaussian4(x);
  return f32x4.mul(dy, f32x4.add(halfOnePlusErf(x, g), f32x4.mul(x, f32x4.mul(f32x4.splat(INV_SQRT_2PI), g))));
}
export function geluErfForward(n: i32, x: usize, y: usize, p0: f32, p1: f32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(y, i), geluErf4(v128.load(at(x, i))));
  if (i < n) storePartial(at(y, i), geluErf4(loadPartial(at(x, i), n - i)), n - i);
}
export function geluErfBackward(n: i32, x: usize, y: usize, dy: usize, dx: usize, p0: f32, p1: f32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(dx, i), geluErfGrad4(v128.load(at(x, i)), v128.load(at(dy, i))));
  if (i < n) storePartial(at(dx, i), geluErfGrad4(loadPartial(at(x, i), n - i), loadPartial(at(dy, i), n - i)), n - i);
}

// ---- Softplus(beta = p0, threshold = p1), as PyTorch ----------------------------------------
// z = beta·x; y = z > threshold ? x : (max(z, 0) + log1p(e^-|z|)) / beta
// dx = dy · (z > threshold ? 1 : sigmoid(z))   (reads x)
// @ts-ignore: decorator
@inline function softplus4(x: v128, beta: v128, threshold: v128): v128 {
  const z = f32x4.mul(x, beta);
  const soft = f32x4.add(f32x4.max(z, ZERO), log1p4(exp4(f32x4.neg(f32x4.abs(z)))));
  return v128.bitselect(x, f32x4.div(soft, beta), f32x4.gt(z, threshold));
}
// @ts-ignore: decorator
@inline function softplusGrad4(x: v128, dy: v128, beta: v128, threshold: v128): v128 {
  const z = f32x4.mul(x, beta);
  return v128.bitselect(dy, f32x4.mul(dy, sigmoid4(z)), f32x4.gt(z, threshold));
}
export function softplusForward(n: i32, x: usize, y: usize, p0: f32, p1: f32): void {
  const b = f32x4.splat(p0), t = f32x4.splat(p1);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(y, i), softplus4(v128.load(at(x, i)), b, t));
  if (i < n) storePartial(at(y, i), softplus4(loadPartial(at(x, i), n - i), b, t), n - i);
}
export function softplusBackward(n: i32, x: usize, y: usize, dy: usize, dx: usize, p0: f32, p1: f32): void {
  const b = f32x4.splat(p0), t = f32x4.splat(p1);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(dx, i), softplusGrad4(v128.load(at(x, i)), v128.load(at(dy, i)), b, t));
  if (i < n) storePartial(at(dx, i), softplusGrad4(loadPartial(at(x, i), n - i), loadPartial(at(dy, i), n - i), b, t), n - i);
}

// ---- Softmax over the last axis of a [rows, cols] matrix ------------------------------------
// y_ij = e^(x_ij - max_i) / Σ_k e^(x_ik - max_i)
// dx_ij = y_ij · (dy_ij - Σ_k dy_ik·y_ik)   (reads y)

export function softmaxForward(rows: i32, cols: i32, x: usize, y: usize): void {
  const stride = <usize>cols << 2;
  for (let i = 0; i < rows; i++) softmaxRow(cols, x + <usize>i * stride, y + <usize>i * stride);
}

export function softmaxBackward(rows: i32, cols: i32, y: usize, dy: usize, dx: usize): void {
  const stride = <usize>cols << 2;
  for (let i = 0; i < rows; i++) {
    const yr = y + <usize>i * stride, dyr = dy + <usize>i * stride, dxr = dx + <usize>i * stride;
    let dot: f32 = 0;
    for (let j = 0; j < cols; j++) dot += load<f32>(at(dyr, j)) * load<f32>(at(yr, j));
    const d = f32x4.splat(dot);
    let j = 0;
    for (; j + 4 <= cols; j += 4) {
      v128.store(at(dxr, j), f32x4.mul(v128.load(at(yr, j)), f32x4.sub(v128.load(at(dyr, j)), d)));
    }
    if (j < cols) {
      const k = cols - j;
      storePartial(at(dxr, j), f32x4.mul(loadPartial(at(yr, j), k), f32x4.sub(loadPartial(at(dyr, j), k), d)), k);
    }
  }
}

// ---- LogSoftmax over the last axis of a [rows, cols] matrix ---------------------------------
// y_ij = x_ij - log Σ_k e^(x_ik)     (the log-sum-exp from softmaxRow, max-shifted)
// dx_ij = dy_ij - e^(y_ij) · Σ_k dy_ik   (reads y)
export function logSoftmaxForward(rows: i32, cols: i32, x: usize, y: usize): void {
  const stride = <usize>cols << 2;
  for (let i = 0; i < rows; i++) {
    const xr = x + <usize>i * stride, yr = y + <usize>i * stride;
    const lse = f32x4.splat(softmaxRow(cols, xr, yr));
    let j = 0;
    for (; j + 4 <= cols; j += 4) v128.store(at(yr, j), f32x4.sub(v128.load(at(xr, j)), lse));
    if (j < cols) storePartial(at(yr, j), f32x4.sub(loadPartial(at(xr, j), cols - j), lse), cols - j);
  }
}

export function logSoftmaxBackward(rows: i32, cols: i32, y: usize, dy: usize, dx: usize): void {
  const stride = <usize>cols << 2;
  for (let i = 0; i < rows; i++) {
    const yr = y + <usize>i * stride, dyr = dy + <usize>i * stride, dxr = dx + <usize>i * stride;
    let sum: f32 = 0;
    for (let j = 0; j < cols; j++) sum += load<f32>(at(dyr, j));
    const s = f32x4.splat(sum);
    let j = 0;
    for (; j + 4 <= cols; j += 4) {
      v128.store(at(dxr, j), f32x4.sub(v128.load(at(dyr, j)), f32x4.mul(exp4(v128.load(at(yr, j))), s)));
    }
    if (j < cols) {
      const k = cols - j;
      storePartial(at(dxr, j), f32x4.sub(loadPartial(at(dyr, j), k), f32x4.mul(exp4(loadPartial(at(yr, j), k)), s)), k);
    }
  }
}
