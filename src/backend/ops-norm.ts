/** Tensor-level batch norm over [N, C, L] and layer norm over rows [R, D]. */
import type { TensorRef as Tensor } from './storage.js';
import { kernels } from './runtime.js';
import { ptr } from './ops.js';

const opt = (t: Tensor | null, what: string): number => (t ? ptr(t, what) : 0);

/** Batch statistics (mean, invstd per channel); updates the running ones when given. */
export function batchNormStats(x: Tensor, N: number, C: number, L: number, eps: number, mean: Tensor, invstd: Tensor,
  running: { mean: Tensor; var: Tensor; momentum: number } | null): void {
  const M = N * L, w = 'BatchNorm.forward';
  kernels().batchNormStats(0, C, N, C, L, ptr(x, w), eps, ptr(mean, w), ptr(invstd, w),
    running ? ptr(running.mean, w) : 0, running ? ptr(running.var, w) : 0, running?.momentum ?? 0, M > 1 ? M / (M - 1) : 1);
}

export function batchNormForward(x: Tensor, N: number, C: number, L: number, mean: Tensor, invstd: Tensor,
  gamma: Tensor | null, beta: Tensor | null, y: Tensor): void {
  const w = 'BatchNorm.forward';
  kernels().batchNormForward(0, C, N, C, L, ptr(x, w), ptr(mean, w), ptr(invstd, w), opt(gamma, w), opt(beta, w), ptr(y, w));
}

export function batchNormBackward(x: Tensor, dy: Tensor, N: number, C: number, L: number, mean: Tensor, invstd: Tensor,
  gamma: Tensor | null, dx: Tensor, dgamma: Tensor | null, dbeta: Tensor | null, batchStatistics: boolean): void {
  const w = 'BatchNorm.backward';
  kernels().batchNormBackward(0, C, N, C, L, ptr(x, w), ptr(dy, w), ptr(mean, w), ptr(invstd, w), opt(gamma, w),
    ptr(dx, w), opt(dgamma, w), opt(dbeta, w), +batchStatistics);
}

export function layerNormForward(x: Tensor, R: number, D: number, gamma: Tensor | null, beta: Tensor | null, eps: number,
  y: Tensor, mean: Tensor, invstd: Tensor): void {
  const w = 'LayerNorm.forward';
  kernels().layerNormForward(0, R, D, ptr(x, w), opt(gamma, w), opt(beta, w), eps, ptr(y, w), ptr(mean, w), ptr(invstd, w));
}

export function layerNormBackward(x: Tensor, dy: Tensor, R: number, D: number, gamma: Tensor | null, mean: Tensor,
  invstd: Tensor, dx: Tensor, dgamma: Tensor | null, dbeta: Tensor | null): void {
  const w = 'LayerNorm.backward';
  const k = kernels(), xp = ptr(x, w), dyp = ptr(dy, w), mp = ptr(mean, w), ip = ptr(invstd, w);
  k.layerNormBackward(0, R, D, xp, dyp, opt(gamma, w), mp, ip, ptr(dx, w));
  if (dgamma && dbeta) k.layerNormParamGrad(0, D, R, D, xp, dyp, mp, ip, ptr(dgamma, w), ptr(dbeta, w));
}
