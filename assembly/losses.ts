// Loss functions: the value and the gradient w.r.t. the prediction in one pass.
//
// Elementwise losses: (n, predPtr, targetPtr, gradPtr, scale, p0) → Σ loss terms · scale.
//   pred, target and grad each point to n floats; grad[i] = scale · ∂loss_i/∂pred_i.
//   scale is 1 for reduction 'sum' and 1/n for 'mean' (chosen by the TypeScript side).
// Cross-entropy with probability targets works on [rows, cols] logits, row-wise (class-index
// targets: class-index.ts).
// Values are accumulated in float64; gradients are float32.
import { exp4, log4, log1p4, sigmoid4, loadPartial, storePartial, partialMask, sumLanes } from "./simdmath";
import { softmaxRow } from "./softmax-row";

// @ts-ignore: decorator
@inline function w(weight: usize, hasWeight: i32, c: i32): f32 { return hasWeight ? load<f32>(at(weight, c)) : 1; }

// @ts-ignore: decorator
@inline function at(ptr: usize, i: i32): usize { return ptr + (<usize>i << 2); }

const ZERO = f32x4.splat(0);
const ONE = f32x4.splat(1);

/** +1, -1 or 0 per lane (0 for 0 and NaN). */
// @ts-ignore: decorator
@inline function sign4(d: v128): v128 {
  return v128.or(v128.and(ONE, f32x4.gt(d, ZERO)), v128.and(f32x4.splat(-1), f32x4.lt(d, ZERO)));
}

// ---- MSE: (p - t)²; grad 2·(p - t) -----------------------------------------------------------
export function mseLoss(n: i32, pred: usize, target: usize, grad: usize, scale: f32, p0: f32): f64 {
  const s2 = f32x4.splat(2 * scale);
  let total: f64 = 0;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const d = f32x4.sub(v128.load(at(pred, i)), v128.load(at(target, i)));
    total += sumLanes(f32x4.mul(d, d));
    v128.store(at(grad, i), f32x4.mul(d, s2));
  }
  if (i < n) {
    const d = f32x4.sub(loadPartial(at(pred, i), n - i), loadPartial(at(target, i), n - i));
    total += sumLanes(f32x4.mul(d, d));
    storePartial(at(grad, i), f32x4.mul(d, s2), n - i);
  }
  return total * scale;
}

// ---- L1: |p - t|; grad sign(p - t) (0 at 0, as PyTorch) ---------------------------------------
export function l1Loss(n: i32, pred: usize, target: usize, grad: usize, scale: f32, p0: f32): f64 {
  const s = f32x4.splat(scale);
  let total: f64 = 0;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const d = f32x4.sub(v128.load(at(pred, i)), v128.load(at(target, i)));
    total += sumLanes(f32x4.abs(d));
    v128.store(at(grad, i), f32x4.mul(sign4(d), s));
  }
  if (i < n) {
    const d = f32x4.sub(loadPartial(at(pred, i), n - i), loadPartial(at(target, i), n - i));
    total += sumLanes(f32x4.abs(d));
    storePartial(at(grad, i), f32x4.mul(sign4(d), s), n - i);
  }
  return total * scale;
}

// ---- Huber(delta = p0): ½d² if |d| < delta else delta·(|d| - ½delta); grad clamp(d, ±delta) --
// @ts-ignore: decorator
@inline function huberTerm(d: v128, delta: v128): v128 {
  const a = f32x4.abs(d);
  const quad = f32x4.mul(f32x4.splat(0.5), f32x4.mul(d, d));
  const lin = f32x4.mul(delta, f32x4.sub(a, f32x4.mul(f32x4.splat(0.5), delta)));
  return v128.bitselect(quad, lin, f32x4.lt(a, delta));
}
export function huberLoss(n: i32, pred: usize, target: usize, grad: usize, scale: f32, p0: f32): f64 {
  const delta = f32x4.splat(p0), s = f32x4.splat(scale);
  let total: f64 = 0;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const d = f32x4.sub(v128.load(at(pred, i)), v128.load(at(target, i)));
    total += sumLanes(huberTerm(d, delta));
    v128.store(at(grad, i), f32x4.mul(f32x4.max(f32x4.min(d, delta), f32x4.neg(delta)), s));
  }
  if (i < n) {
    const d = f32x4.sub(loadPartial(at(pred, i), n - i), loadPartial(at(target, i), n - i));
    total += sumLanes(huberTerm(d, delta));
    storePartial(at(grad, i), f32x4.mul(f32x4.max(f32x4.min(d, delta), f32x4.neg(delta)), s), n - i);
  }
  return total * scale;
}

// ---- BCE on probabilities, as PyTorch's binary_cross_entropy --------------------------------
// loss = -(t·max(log p, -100) + (1 - t)·max(log(1 - p), -100))
// grad = (p - t) / max(p·(1 - p), 1e-12)
// @ts-ignore: decorator
@inline function bceTerm(p: v128, t: v128): v128 {
  const floor = f32x4.splat(-100);
  const logP = f32x4.max(log4(p), floor);
  const log1mP = f32x4.max(log4(f32x4.sub(ONE, p)), floor);
  return f32x4.neg(f32x4.add(f32x4.mul(t, logP), f32x4.mul(f32x4.sub(ONE, t), log1mP)));
}
// @ts-ignore: decorator
@inline function bceGrad(p: v128, t: v128, s: v128): v128 {
  const denom = f32x4.max(f32x4.mul(p, f32x4.sub(ONE, p)), f32x4.splat(1e-12));
  return f32x4.mul(f32x4.div(f32x4.sub(p, t), denom), s);
}
export function bceLoss(n: i32, pred: usize, target: usize, grad: usize, scale: f32, p0: f32): f64 {
  const s = f32x4.splat(scale);
  let total: f64 = 0;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const p = v128.load(at(pred, i)), t = v128.load(at(target, i));
    total += sumLanes(bceTerm(p, t));
    v128.store(at(grad, i), bceGrad(p, t, s));
  }
  if (i < n) {
    const p = loadPartial(at(pred, i), n - i), t = loadPartial(at(target, i), n - i);
    total += sumLanes(v128.and(bceTerm(p, t), partialMask(n - i)));
    storePartial(at(grad, i), bceGrad(p, t, s), n - i);
  }
  return total * scale;
}

// ---- BCE with logits: max(x, 0) - x·t + log1p(e^-|x|); grad sigmoid(x) - t ------------------
// @ts-ignore: decorator
@inline function bceLogitsTerm(x: v128, t: v128): v128 {
  const soft = log1p4(exp4(f32x4.neg(f32x4.abs(x))));
  return f32x4.add(f32x4.sub(f32x4.max(x, ZERO), f32x4.mul(x, t)), soft);
}
export function bceWithLogitsLoss(n: i32, pred: usize, target: usize, grad: usize, scale: f32, p0: f32): f64 {
  const s = f32x4.splat(scale);
  let total: f64 = 0;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const x = v128.load(at(pred, i)), t = v128.load(at(target, i));
    total += sumLanes(bceLogitsTerm(x, t));
    v128.store(at(grad, i), f32x4.mul(f32x4.sub(sigmoid4(x), t), s));
  }
  if (i < n) {
    const x = loadPartial(at(pred, i), n - i), t = loadPartial(at(target, i), n - i);
    total += sumLanes(v128.and(bceLogitsTerm(x, t), partialMask(n - i)));
    storePartial(at(grad, i), f32x4.mul(f32x4.sub(sigmoid4(x), t), s), n - i);
  }
  return total * scale;
}

// ---- Cross-entropy over softmax of [rows, cols] logits, probability targets ------------------

/**
 * Probability targets [rows, cols]: loss_r = Σ_j t_rj·(logsumexp(x_r) - x_rj);
 * grad_r = scale · (softmax(x_r)·Σ_j t_rj - t_r).
 */
export function crossEntropySoftLoss(rows: i32, cols: i32, logits: usize, targets: usize, grad: usize, scale: f32): f64 {
  let total: f64 = 0;
  const stride = <usize>cols << 2;
  for (let r = 0; r < rows; r++) {
    const x = logits + <usize>r * stride, g = grad + <usize>r * stride, t = targets + <usize>r * stride;
    const lse = softmaxRow(cols, x, g);
    let tSum: f32 = 0;
    for (let j = 0; j < cols; j++) {
      const tj = load<f32>(at(t, j));
      tSum += tj;
      total += <f64>(tj * (lse - load<f32>(at(x, j))));
    }
    for (let j = 0; j < cols; j++) store<f32>(at(g, j), (load<f32>(at(g, j)) * tSum - load<f32>(at(t, j))) * scale);
  }
  return total * scale;
}

/**
 * Cross-entropy on logits [rows, cols] with probability targets, class weights and label
 * smoothing: t'_c = (1 − ε)·t_c + ε/cols; loss = scale·Σ_r Σ_c w_c·t'_c·(lse − x_c);
 * grad_rc = scale·(p_c·Σ_j w_j·t'_j − w_c·t'_c). (torch's mean divides by the rows: scale = 1/rows.)
 */
export function crossEntropySoftWeighted(
  rows: i32, cols: i32, logits: usize, targets: usize, weight: usize, hasWeight: i32, smoothing: f32,
  scale: f32, grad: usize,
): f64 {
  const keep: f32 = 1 - smoothing, spread: f32 = smoothing / <f32>cols;
  let total: f64 = 0;
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    const x = logits + (<usize>o << 2), g = grad + (<usize>o << 2), t = targets + (<usize>o << 2);
    const lse = softmaxRow(cols, x, g);
    let mass: f32 = 0;
    for (let c = 0; c < cols; c++) {
      const wt = w(weight, hasWeight, c) * (keep * load<f32>(at(t, c)) + spread);
      mass += wt;
      total += <f64>(wt * (lse - load<f32>(at(x, c))));
    }
    for (let c = 0; c < cols; c++) {
      const wt = w(weight, hasWeight, c) * (keep * load<f32>(at(t, c)) + spread);
      store<f32>(at(g, c), (load<f32>(at(g, c)) * mass - wt) * scale);
    }
  }
  return total * <f64>scale;
}
