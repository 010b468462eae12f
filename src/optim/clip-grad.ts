import * as ops from '../backend/ops.js';
import type { Parameter } from '../nn/parameter.js';
import { checkNumber } from '../validate.js';

/**
 * Scales all gradients so that their joint L2 norm is at most maxNorm (torch.nn.utils.
 * clip_grad_norm_): factor maxNorm / (norm + 1e-6) when the norm exceeds maxNorm. Returns the
 * norm before clipping.
 */
export function clipGradNorm(params: readonly Parameter[], maxNorm: number): number {
  checkNumber('clipGradNorm', 'maxNorm', maxNorm, { min: 0, minExclusive: true });
  let total = 0;
  for (const p of params) total += ops.sumOfSquares(p.grad);
  const norm = Math.sqrt(total);
  const factor = maxNorm / (norm + 1e-6);
  if (factor < 1) for (const p of params) ops.scale(p.grad, factor);
  return norm;
}
