// Optimizer updates over one flat parameter block: one call updates every parameter.
//
// param, grad and each state buffer point to n floats laid out in parallel (element i of each
// belongs to the same scalar parameter). The math is torch.optim's documented algorithm for each
// optimizer, in its element-wise form; scalar factors that depend only on the step count (bias
// corrections, decayed learning rates) are computed by the TypeScript side in float64.
// Flags (nesterov, maximize, ...) are i32 0/1.
import { loadPartial, storePartial } from "./simdmath";

// @ts-ignore: decorator
@inline function at(ptr: usize, i: i32): usize { return ptr + (<usize>i << 2); }

/** `count` elements (4: a whole vector, no test; 1–3: the tail) from element i. */
// @ts-ignore: decorator
@inline function ldc(ptr: usize, i: i32, count: i32): v128 {
  return count == 4 ? v128.load(at(ptr, i)) : loadPartial(at(ptr, i), count);
}
// @ts-ignore: decorator
@inline function stc(ptr: usize, i: i32, count: i32, v: v128): void {
  if (count == 4) v128.store(at(ptr, i), v);
  else storePartial(at(ptr, i), v, count);
}

/** g, negated for maximize, plus weightDecay·θ (L2 penalty). */
// @ts-ignore: decorator
@inline function effectiveGrad(g: v128, p: v128, weightDecay: f32, maximize: i32): v128 {
  let r = maximize ? f32x4.neg(g) : g;
  if (weightDecay != 0) r = f32x4.add(r, f32x4.mul(p, f32x4.splat(weightDecay)));
  return r;
}

/**
 * SGD (torch.optim.SGD): g ← ∇ + λθ; with momentum μ: b ← g on the first step, else
 * b ← μb + (1 - dampening)g; g ← nesterov ? g + μb : b. θ ← θ - lr·g.
 * buf may be 0 when momentum is 0. Loop shape as adamStep's (whole vectors in a do-while loop,
 * the last n % 4 in one partial pass) so V8 keeps the splats out of the loop.
 */
export function sgdStep(
  n: i32, param: usize, grad: usize, buf: usize,
  lr: f32, momentum: f32, dampening: f64, weightDecay: f32,
  nesterov: i32, maximize: i32, firstStep: i32,
): void {
  // 1 − dampening in float64, rounded once (torch forms its alpha = 1 − dampening in Python).
  const keep: f32 = <f32>(1 - dampening);
  const full = n & ~3;
  let i = 0;
  if (full > 0) {
    do {
      sgdAt(i, 4, param, grad, buf, lr, momentum, keep, weightDecay, nesterov, maximize, firstStep);
      i += 4;
    } while (i < full);
  }
  if (i < n) sgdAt(i, n - i, param, grad, buf, lr, momentum, keep, weightDecay, nesterov, maximize, firstStep);
}

/** `count` (4, or 1–3 at the end) elements of an SGD step from element i. */
// @ts-ignore: decorator
@inline function sgdAt(
  i: i32, count: i32, param: usize, grad: usize, buf: usize,
  lr: f32, momentum: f32, keep: f32, weightDecay: f32,
  nesterov: i32, maximize: i32, firstStep: i32,
): void {
  const p = ldc(param, i, count);
  let g = effectiveGrad(ldc(grad, i, count), p, weightDecay, maximize);
  if (momentum != 0) {
    const vmu = f32x4.splat(momentum);
    const b = firstStep ? g : f32x4.add(f32x4.mul(ldc(buf, i, count), vmu), f32x4.mul(g, f32x4.splat(keep)));
    stc(buf, i, count, b);
    g = nesterov ? f32x4.add(g, f32x4.mul(b, vmu)) : b;
  }
  stc(param, i, count, f32x4.sub(p, f32x4.mul(g, f32x4.splat(lr))));
}

/**
 * x with its subnormal lanes (0 < |x| < 2^-126) replaced by a zero of the same sign; zeros,
 * normals, infinities and NaN unchanged. Adam's moments of a parameter whose gradient stays 0 (a
 * dead ReLU unit's weights) decay into the subnormal range and, in float32, never leave it
 * (m·(1 - β1) rounds back to m there): ≈ 10 % of the seed network's expAvg sat there in training,
 * and each arithmetic operation on a subnormal takes a slow path on x86 (adamStep 0.69 → 1.67 µs
 * over 1 428 values with subnormal moments). Stored as 0 instead (what torch does under
 * torch.set_flush_denormal(True)), they cost nothing; the update they would have made,
 * stepSize·m/(…+ eps) with |m| < 2^-126 and eps ≥ 1e-8-ish, is below any normal parameter's ulp.
 */
// @ts-ignore: decorator
@inline function flushSubnormal(x: v128): v128 {
  // Exponent bits all 0: a zero or a subnormal; keep only its sign bit (a zero stays itself).
  const expZero = i32x4.eq(v128.and(x, i32x4.splat(0x7f800000)), i32x4.splat(0));
  return v128.andnot(x, v128.and(expZero, i32x4.splat(0x7fffffff)));
}

/**
 * Adam / AdamW (torch.optim.Adam, torch.optim.AdamW):
 *   decoupled (AdamW): θ ← θ·(1 - lr·λ); else g ← ∇ + λθ
 *   m ← m + (1 - β1)(g - m);  v ← β2·v + ((1 - β2)·g)·g  (torch's addcmul order: a gradient
 *   of 1e20 gives v = 1e37, where g² first overflowed float32 and the step was lost)
 *   amsgrad: vmax ← max(vmax, v), use vmax for v
 *   θ ← θ - stepSize · m / (√v / bias2Sqrt + eps)
 * with stepSize = lr / (1 - β1^t) and bias2Sqrt = √(1 - β2^t). vmax may be 0 without amsgrad.
 *
 * 1 − β1, 1 − β2 and AdamW's 1 − lr·λ are formed in float64 and rounded once, as torch forms them
 * in Python: in float32 from a float32 β2 = 0.999, 1 − β2 was 1.3e-5 too small (v, and so the
 * step, drifted from torch's by ~1e-6 over 25 steps, 3–5× torch's own float32 error).
 *
 * √v / bias2Sqrt is computed as √v · (1 / bias2Sqrt): one division per element instead of two
 * (the divider bounds this loop). That differs from reference-optimizers.ts, which divides, by
 * an ulp at most: the reference is the float64 mathematical definition and the tests compare
 * within a tolerance, never bit for bit; bit-identity holds between WASM runs (any thread count,
 * any split: the factor depends on the step only).
 *
 * Whole vectors run in a do-while loop with no tail test per load (the last 1–3 elements take one
 * partial pass after it): with the loop body dominating the exit, V8 hoists the factors computed
 * before the loop (splats, 1 / bias2Sqrt) out of it instead of re-computing them per vector.
 * Plain Adam (no weight decay, amsgrad or maximize: the usual case) has a loop of its own, the
 * same operations with the flags folded away: the general loop tests each flag per vector and
 * keeps fewer values in registers.
 */
export function adamStep(
  n: i32, param: usize, grad: usize, expAvg: usize, expAvgSq: usize, maxExpAvgSq: usize,
  lr: f64, beta1: f64, beta2: f64, eps: f32, weightDecay: f64,
  decoupled: i32, amsgrad: i32, maximize: i32, stepSize: f32, bias2Sqrt: f32,
): void {
  const invB2s: f32 = <f32>1 / bias2Sqrt;
  const c1: f32 = <f32>(1 - beta1), b2: f32 = <f32>beta2, c2: f32 = <f32>(1 - beta2);
  const decay: f32 = <f32>(1 - lr * weightDecay), wd: f32 = <f32>weightDecay;
  if (weightDecay == 0 && !amsgrad && !maximize) {
    adamLoop(n, param, grad, expAvg, expAvgSq, 0, c1, b2, c2, eps, 0, 1, 0, 0, 0, stepSize, invB2s);
  } else {
    adamLoop(n, param, grad, expAvg, expAvgSq, maxExpAvgSq, c1, b2, c2, eps, wd, decay, decoupled, amsgrad, maximize, stepSize, invB2s);
  }
}

/** adamStep's loops (inlined twice: with the flags as constants, and as arguments). */
// @ts-ignore: decorator
@inline function adamLoop(
  n: i32, param: usize, grad: usize, expAvg: usize, expAvgSq: usize, maxExpAvgSq: usize,
  c1: f32, beta2: f32, c2: f32, eps: f32, weightDecay: f32, decay: f32,
  decoupled: i32, amsgrad: i32, maximize: i32, stepSize: f32, invB2s: f32,
): void {
  const full = n & ~3;
  let i = 0;
  if (full > 0) {
    do {
      adamAt(i, 4, param, grad, expAvg, expAvgSq, maxExpAvgSq, c1, beta2, c2, eps, weightDecay, decay, decoupled, amsgrad, maximize, stepSize, invB2s);
      i += 4;
    } while (i < full);
  }
  if (i < n) {
    adamAt(i, n - i, param, grad, expAvg, expAvgSq, maxExpAvgSq, c1, beta2, c2, eps, weightDecay, decay, decoupled, amsgrad, maximize, stepSize, invB2s);
  }
}

/** `count` (4, or 1–3 at the end) elements of an Adam step from element i. */
// @ts-ignore: decorator
@inline function adamAt(
  i: i32, count: i32, param: usize, grad: usize, expAvg: usize, expAvgSq: usize, maxExpAvgSq: usize,
  c1: f32, beta2: f32, c2: f32, eps: f32, weightDecay: f32, decay: f32,
  decoupled: i32, amsgrad: i32, maximize: i32, stepSize: f32, invB2s: f32,
): void {
    let p = ldc(param, i, count);
  if (decoupled && weightDecay != 0) p = f32x4.mul(p, f32x4.splat(decay));
  const g = effectiveGrad(ldc(grad, i, count), p, decoupled ? 0 : weightDecay, maximize);
  let m = ldc(expAvg, i, count);
  m = flushSubnormal(f32x4.add(m, f32x4.mul(f32x4.sub(g, m), f32x4.splat(c1))));
  let v = flushSubnormal(f32x4.add(f32x4.mul(ldc(expAvgSq, i, count), f32x4.splat(beta2)), f32x4.mul(f32x4.mul(f32x4.splat(c2), g), g)));
  stc(expAvg, i, count, m);
  stc(expAvgSq, i, count, v);
  if (amsgrad) {
    v = f32x4.max(ldc(maxExpAvgSq, i, count), v);
    stc(maxExpAvgSq, i, count, v);
  }
  const denom = f32x4.add(f32x4.mul(f32x4.sqrt(v), f32x4.splat(invB2s)), f32x4.splat(eps));
  stc(param, i, count, f32x4.sub(p, f32x4.mul(f32x4.splat(stepSize), f32x4.div(m, denom))));
}

/**
 * Adagrad (torch.optim.Adagrad): g ← ∇ + λθ; s ← s + g²; θ ← θ - clr · g / (√s + eps),
 * with clr = lr / (1 + (t - 1)·lrDecay). Loop shape as adamStep's.
 */
export function adagradStep(
  n: i32, param: usize, grad: usize, stateSum: usize,
  clr: f32, weightDecay: f32, eps: f32, maximize: i32,
): void {
  const full = n & ~3;
  let i = 0;
  if (full > 0) {
    do {
      adagradAt(i, 4, param, grad, stateSum, clr, weightDecay, eps, maximize);
      i += 4;
    } while (i < full);
  }
  if (i < n) adagradAt(i, n - i, param, grad, stateSum, clr, weightDecay, eps, maximize);
}

/** `count` (4, or 1–3 at the end) elements of an Adagrad step from element i. */
// @ts-ignore: decorator
@inline function adagradAt(
  i: i32, count: i32, param: usize, grad: usize, stateSum: usize,
  clr: f32, weightDecay: f32, eps: f32, maximize: i32,
): void {
  const p = ldc(param, i, count);
  const g = effectiveGrad(ldc(grad, i, count), p, weightDecay, maximize);
  const s = f32x4.add(ldc(stateSum, i, count), f32x4.mul(g, g));
  stc(stateSum, i, count, s);
  stc(param, i, count, f32x4.sub(p, f32x4.mul(f32x4.splat(clr), f32x4.div(g, f32x4.add(f32x4.sqrt(s), f32x4.splat(eps))))));
}

/**
 * RMSprop (torch.optim.RMSprop): g ← ∇ + λθ; v ← αv + ((1 - α)·g)·g (torch's addcmul order);
 * centered: ḡ ← ḡ + (1 - α)(g - ḡ), avg = √(v - ḡ²) + eps; else avg = √v + eps;
 * momentum μ > 0: b ← μb + g/avg, θ ← θ - lr·b; else θ ← θ - lr·g/avg.
 * gradAvg may be 0 when not centered, buf may be 0 when momentum is 0. Loop shape as adamStep's.
 */
export function rmspropStep(
  n: i32, param: usize, grad: usize, squareAvg: usize, gradAvg: usize, buf: usize,
  lr: f32, alpha: f64, eps: f32, weightDecay: f32, momentum: f32, centered: i32, maximize: i32,
): void {
  // 1 − α in float64, rounded once (torch's value = 1 − alpha, formed in Python).
  const a: f32 = <f32>alpha, c: f32 = <f32>(1 - alpha);
  const full = n & ~3;
  let i = 0;
  if (full > 0) {
    do {
      rmspropAt(i, 4, param, grad, squareAvg, gradAvg, buf, lr, a, c, eps, weightDecay, momentum, centered, maximize);
      i += 4;
    } while (i < full);
  }
  if (i < n) rmspropAt(i, n - i, param, grad, squareAvg, gradAvg, buf, lr, a, c, eps, weightDecay, momentum, centered, maximize);
}

/** `count` (4, or 1–3 at the end) elements of an RMSprop step from element i. */
// @ts-ignore: decorator
@inline function rmspropAt(
  i: i32, count: i32, param: usize, grad: usize, squareAvg: usize, gradAvg: usize, buf: usize,
  lr: f32, alpha: f32, oneMinusAlpha: f32, eps: f32, weightDecay: f32, momentum: f32, centered: i32, maximize: i32,
): void {
  const oneMinusA = f32x4.splat(oneMinusAlpha), vlr = f32x4.splat(lr), veps = f32x4.splat(eps);
  const p = ldc(param, i, count);
  const g = effectiveGrad(ldc(grad, i, count), p, weightDecay, maximize);
  const sq = f32x4.add(f32x4.mul(ldc(squareAvg, i, count), f32x4.splat(alpha)), f32x4.mul(f32x4.mul(oneMinusA, g), g));
  stc(squareAvg, i, count, sq);
  let avg: v128;
  if (centered) {
    let ga = ldc(gradAvg, i, count);
    ga = f32x4.add(ga, f32x4.mul(f32x4.sub(g, ga), oneMinusA));
    stc(gradAvg, i, count, ga);
    // torch's addcmul(ḡ, ḡ, value=-1) is fused on x86 (one rounding): where v is ∞ and ḡ² overflows
    // too (gradients ≳ 1e19), ∞ − ḡ² is ∞ there, not ∞ − ∞ = NaN; v ≥ ḡ² otherwise.
    const inf = f32x4.eq(sq, f32x4.splat(Infinity));
    avg = f32x4.add(f32x4.sqrt(v128.bitselect(sq, f32x4.sub(sq, f32x4.mul(ga, ga)), inf)), veps);
  } else {
    avg = f32x4.add(f32x4.sqrt(sq), veps);
  }
  if (momentum > 0) {
    const b = f32x4.add(f32x4.mul(ldc(buf, i, count), f32x4.splat(momentum)), f32x4.div(g, avg));
    stc(buf, i, count, b);
    stc(param, i, count, f32x4.sub(p, f32x4.mul(vlr, b)));
  } else {
    stc(param, i, count, f32x4.sub(p, f32x4.mul(vlr, f32x4.div(g, avg))));
  }
}
