import * as ops from '../backend/ops.js';
import { ValueError } from '../errors.js';
import { Parameter } from '../nn/parameter.js';
import { checkBoolean, checkNumber, checkOptions, describe } from '../validate.js';

/** Options of clipGradNorm (torch's norm_type and error_if_nonfinite, in camelCase). */
export interface ClipGradNormOptions {
  /** The p of the p-norm: any number > 0, or Infinity (the largest |gradient|). Default 2. */
  normType?: number;
  /** Throw a ValueError (changing nothing) when the norm is NaN or infinite. Default false, as torch. */
  errorIfNonfinite?: boolean;
}

/**
 * The float32 p-norm torch computes from a sum of float32 p-th powers: each |g|^p is rounded to
 * float32 (so it overflows to Infinity or underflows to 0 where torch's does) and a sum beyond the
 * float32 range is Infinity, as torch's float32 accumulator is; the sum itself is kept in float64.
 */
function pNorm(params: readonly Parameter[], p: number): number {
  let total = 0;
  if (p === 2) {
    for (const param of params) total += ops.sumOfSquares(param.grad); // float32 squares, float64 sum
  } else {
    for (const param of params) {
      const g = param.grad._view();
      for (let i = 0; i < g.length; i++) total += Math.fround(Math.abs(g[i]!) ** p);
    }
  }
  if (Number.isNaN(total)) return NaN;
  return Math.fround(total) === Infinity ? Infinity : total ** (1 / p);
}

/** The largest |gradient| (NaN if any gradient is NaN, as torch's max). */
function infNorm(params: readonly Parameter[]): number {
  let max = 0;
  for (const param of params) {
    const g = param.grad._view();
    for (let i = 0; i < g.length; i++) {
      const a = Math.abs(g[i]!);
      if (Number.isNaN(a)) return NaN;
      if (a > max) max = a;
    }
  }
  return max;
}

/**
 * Scales all gradients so that their joint p-norm is at most maxNorm, exactly as
 * torch.nn.utils.clip_grad_norm_(params, max_norm, norm_type, error_if_nonfinite): the factor is
 * maxNorm / (norm + 1e-6), applied when below 1. Returns the norm before clipping. maxNorm 0 sets
 * every gradient to zero (torch's factor 0). A NaN norm (a NaN gradient) makes every gradient NaN
 * and an infinite one (an infinite gradient, or float32 overflow of the sum of powers, e.g. a
 * gradient of 1e20 in the 2-norm) scales by 0 — finite gradients become zeros, infinite ones NaN —
 * as torch does by default; with `errorIfNonfinite` such a norm throws a ValueError instead and
 * nothing is scaled. Every argument is checked before any gradient is read or scaled.
 *
 * @example
 * clipGradNorm(model.parameters(), 1);                         // the 2-norm
 * clipGradNorm(model.parameters(), 0.5, { normType: Infinity }); // the largest |gradient|
 */
export function clipGradNorm(params: readonly Parameter[], maxNorm: number, options: ClipGradNormOptions = {}): number {
  if (!Array.isArray(params)) throw new ValueError(`clipGradNorm: params must be an array of parameters (model.parameters()), got ${describe(params)}`);
  for (let i = 0; i < params.length; i++) {
    const p: unknown = params[i];
    if (!(p instanceof Parameter)) throw new ValueError(`clipGradNorm: params[${i}] must be a Parameter, got ${describe(p)}`);
    if (p.isDisposed) p._check(`clipGradNorm: params[${i}]`); // messages built only on failure
  }
  checkNumber('clipGradNorm', 'maxNorm', maxNorm, { min: 0 });
  checkOptions('clipGradNorm', options, ['normType', 'errorIfNonfinite']);
  const normType = options.normType === Infinity ? Infinity : checkNumber('clipGradNorm', 'normType', options.normType ?? 2, { min: 0, minExclusive: true });
  const errorIfNonfinite = checkBoolean('clipGradNorm', 'errorIfNonfinite', options.errorIfNonfinite ?? false);
  const norm = normType === Infinity ? infNorm(params) : pNorm(params, normType);
  if (errorIfNonfinite && !Number.isFinite(norm)) {
    throw new ValueError(`clipGradNorm: the total norm of order ${normType} of the gradients is ${norm} (errorIfNonfinite is set); nothing was scaled`);
  }
  const factor = maxNorm / (norm + 1e-6);
  if (!(factor >= 1)) for (const p of params) ops.scale(p.grad, factor); // NaN scales too, as torch's clamp keeps it
  return norm;
}
