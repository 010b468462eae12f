/**
 * Tensor-level batch norm over [N, C, L] and layer norm over rows [R, D]. With init({ threads })
 * a large call is split over outputs: batch norm over channels (each channel's statistics and
 * dγ / dβ are summed on one thread, in the single-thread order), layer norm over rows, and its
 * dγ / dβ over columns (each column summed over the rows in order) — bit-identical for any split.
 */
import type { TensorRef as Tensor } from './storage.js';
import { parallelFor, type Split } from './parallel.js';
import { ptr, ptrOrZero as opt } from './ops-base.js';

/** Every kernel here takes its [begin, end) range of channels, rows or columns first. */
const RANGE: Split = { range: 0 };
/** Single-thread ns per element and pass over it (the kernels make two or three passes). */
const NS_PER_ELEMENT = 0.5;

/** Batch statistics (mean, invstd per channel); updates the running ones when given. */
export function batchNormStats(x: Tensor, N: number, C: number, L: number, eps: number, mean: Tensor, invstd: Tensor,
  running: { mean: Tensor; var: Tensor; momentum: number } | null): void {
  const M = N * L, w = 'BatchNorm.forward';
  parallelFor('batchNormStats', [0, C, N, C, L, ptr(x, w), eps, ptr(mean, w), ptr(invstd, w),
    running ? ptr(running.mean, w) : 0, running ? ptr(running.var, w) : 0, running?.momentum ?? 0, M > 1 ? M / (M - 1) : 1],
  C, 1, RANGE, 2 * N * C * L * NS_PER_ELEMENT);
}

/** y = (x − mean)·invstd·γ + β per channel (γ, β optional), from batchNormStats' or the running statistics. */
export function batchNormForward(x: Tensor, N: number, C: number, L: number, mean: Tensor, invstd: Tensor,
  gamma: Tensor | null, beta: Tensor | null, y: Tensor): void {
  const w = 'BatchNorm.forward';
  parallelFor('batchNormForward', [0, C, N, C, L, ptr(x, w), ptr(mean, w), ptr(invstd, w), opt(gamma, w), opt(beta, w),
    ptr(y, w)], C, 1, RANGE, N * C * L * NS_PER_ELEMENT);
}

/** dx (and dγ, dβ when given) of batch norm; batchStatistics: the forward used the batch's own statistics (training). */
export function batchNormBackward(x: Tensor, dy: Tensor, N: number, C: number, L: number, mean: Tensor, invstd: Tensor,
  gamma: Tensor | null, dx: Tensor, dgamma: Tensor | null, dbeta: Tensor | null, batchStatistics: boolean): void {
  const w = 'BatchNorm.backward';
  parallelFor('batchNormBackward', [0, C, N, C, L, ptr(x, w), ptr(dy, w), ptr(mean, w), ptr(invstd, w), opt(gamma, w),
    ptr(dx, w), opt(dgamma, w), opt(dbeta, w), +batchStatistics], C, 1, RANGE, 2 * N * C * L * NS_PER_ELEMENT);
}

/** y = (x − mean)·invstd·γ + β per row of D; writes each row's mean and invstd for backward. */
export function layerNormForward(x: Tensor, R: number, D: number, gamma: Tensor | null, beta: Tensor | null, eps: number,
  y: Tensor, mean: Tensor, invstd: Tensor): void {
  const w = 'LayerNorm.forward';
  parallelFor('layerNormForward', [0, R, D, ptr(x, w), opt(gamma, w), opt(beta, w), eps, ptr(y, w), ptr(mean, w),
    ptr(invstd, w)], R, 1, RANGE, 3 * R * D * NS_PER_ELEMENT);
}

/** dx of layer norm per row, and dγ / dβ per column when given (a separate split, see below). */
export function layerNormBackward(x: Tensor, dy: Tensor, R: number, D: number, gamma: Tensor | null, mean: Tensor,
  invstd: Tensor, dx: Tensor, dgamma: Tensor | null, dbeta: Tensor | null): void {
  const w = 'LayerNorm.backward';
  const xp = ptr(x, w), dyp = ptr(dy, w), mp = ptr(mean, w), ip = ptr(invstd, w), ns = 2 * R * D * NS_PER_ELEMENT;
  parallelFor('layerNormBackward', [0, R, D, xp, dyp, opt(gamma, w), mp, ip, ptr(dx, w)], R, 1, RANGE, ns);
  // Columns in 4-float granules: the kernel's vector lanes then match the single call's.
  if (dgamma && dbeta) parallelFor('layerNormParamGrad', [0, D, R, D, xp, dyp, mp, ip, ptr(dgamma, w), ptr(dbeta, w)], D, 4, RANGE, ns);
}
