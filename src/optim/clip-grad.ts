import * as ops from '../backend/ops.js';
import { ValueError } from '../errors.js';
import { Parameter } from '../nn/parameter.js';
import { checkNumber, describe } from '../validate.js';

/**
 * Scales all gradients so that their joint L2 norm is at most maxNorm (torch.nn.utils.
 * clip_grad_norm_): factor maxNorm / (norm + 1e-6) when the norm exceeds maxNorm. Returns the
 * norm before clipping. Every argument is checked before any gradient is read or scaled; a
 * non-finite norm (a NaN or infinite gradient) leaves the gradients unscaled and is returned.
 */
export function clipGradNorm(params: readonly Parameter[], maxNorm: number): number {
  if (!Array.isArray(params)) throw new ValueError(`clipGradNorm: params must be an array of parameters (model.parameters()), got ${describe(params)}`);
  for (let i = 0; i < params.length; i++) {
    const p: unknown = params[i];
    if (!(p instanceof Parameter)) throw new ValueError(`clipGradNorm: params[${i}] must be a Parameter, got ${describe(p)}`);
    if (p.isDisposed) p._check(`clipGradNorm: params[${i}]`); // messages built only on failure
  }
  checkNumber('clipGradNorm', 'maxNorm', maxNorm, { min: 0, minExclusive: true });
  let total = 0;
  for (const p of params) total += ops.sumOfSquares(p.grad);
  const norm = Math.sqrt(total);
  const factor = maxNorm / (norm + 1e-6);
  if (factor < 1) for (const p of params) ops.scale(p.grad, factor);
  return norm;
}
