/**
 * Tensor-level entry points to class-index.ts: CrossEntropyLoss / NLLLoss on class indices with
 * torch's weight, ignore_index and label_smoothing, one kernel call per forward. Each call also
 * leaves D = Σ weight[target] over the rows kept (torch's weighted-mean denominator; the row count
 * without weights) in a one-float Storage the loss owns, read back with `weightSum`.
 * `weight` is null for "every class weighs 1".
 */
import type { Storage, TensorRef as Tensor } from './storage.js';
import { kernels, runtime } from './runtime.js';
import { parallelSum } from './parallel.js';
import { F, NS, ptr } from './ops-base.js';

const W = 'loss';
const weightArgs = (weight: Tensor | null): [number, number] => (weight ? [ptr(weight, W), 1] : [0, 0]);

/** Rows per chunk of the threaded cross-entropy (fixed by the shape: sums never depend on threads). */
const rowChunk = (cols: number): number => Math.max(1, Math.floor(16384 / cols));

/** D of the last call that wrote `stats` (NaN when a target was not a class index). */
export function weightSum(stats: Storage): number {
  return runtime().allocator.f32()[stats.ptr() >>> 2]!;
}

/**
 * Cross-entropy of logits [rows, cols] with float32 class indices: 'mean' (mean = true) divides by
 * D, 'sum' does not; NaN for a bad target, or for a mean over D = 0. Batches of more than one
 * chunk of rows are summed chunk by chunk (threaded when worth it), after one pass over the
 * targets for the whole batch's D.
 */
export function crossEntropyIndices(logits: Tensor, targets: Tensor, weight: Tensor | null, ignore: number,
  smoothing: number, mean: boolean, grad: Tensor, stats: Storage): number {
  const [rows, cols] = logits.shape as [number, number];
  const [pw, hasWeight] = weightArgs(weight), pt = ptr(targets, W), pl = ptr(logits, W), pg = ptr(grad, W);
  const chunk = rowChunk(cols);
  if (rows <= chunk) {
    return kernels().crossEntropyIndices(rows, cols, pl, pt, pw, hasWeight, ignore, smoothing, mean ? 1 : 0, 1, pg, stats.ptr());
  }
  const d = kernels().classIndexWeightSum(rows, cols, pt, pw, hasWeight, ignore);
  runtime().allocator.f32()[stats.ptr() >>> 2] = d;
  if (Number.isNaN(d) || (mean && !(d > 0))) return NaN;
  const scale = mean ? Math.fround(1 / d) : 1;
  const args = [rows, cols, pl, pt, pw, hasWeight, ignore, smoothing, 0, scale, pg, 0];
  const split = { count: 0, offsets: [[2, cols * F], [10, cols * F], [3, F]] as const };
  return parallelSum('crossEntropyIndices', args, rows, chunk, split, rows * cols * NS.softmax);
}

/** NLL of log-probabilities [rows, cols] with float32 class indices; as crossEntropyIndices (one call). */
export function nllIndices(input: Tensor, targets: Tensor, weight: Tensor | null, ignore: number, mean: boolean,
  grad: Tensor, stats: Storage): number {
  const [rows, cols] = input.shape as [number, number];
  return kernels().nllIndices(rows, cols, ptr(input, W), ptr(targets, W), ...weightArgs(weight), ignore, mean ? 1 : 0, 1,
    ptr(grad, W), stats.ptr());
}
