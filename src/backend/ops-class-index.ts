/**
 * Tensor-level entry points to class-index.ts: CrossEntropyLoss / NLLLoss on class indices with
 * torch's weight, ignore_index and label_smoothing. A batch of up to 16384 elements is one kernel
 * call; a larger one gets its D first, then its chunks of rows (fixed by the shape) are summed in
 * order, split across threads when worth it — the same bits on any thread count. Either way D =
 * Σ weight[target] over the rows kept (torch's weighted-mean denominator; the row count without
 * weights) is left in a one-float Storage the loss owns, read back with `weightSum`.
 * `weight` is null for "every class weighs 1".
 */
import type { Storage, TensorRef as Tensor } from './storage.js';
import { kernels, runtime } from './runtime.js';
import { parallelSum } from './parallel.js';
import { F, NS, ptr, rowChunk } from './ops-base.js';

const W = 'loss';


/** D of the last call that wrote `stats` (NaN when a target was not a class index). */
export function weightSum(stats: Storage): number {
  return runtime().allocator.f32()[stats.ptr() >>> 2]!;
}

/**
 * For a batch of several chunks: D of the whole batch (which checks every target), left in
 * `stats`; returns the chunks' factor (1/D for 'mean', 1 for 'sum'), or NaN (bad target, 0/0).
 */
function batchFactor(rows: number, cols: number, targets: number, weight: number, hasWeight: number, ignore: number,
  mean: boolean, stats: Storage): number {
  const d = kernels().classIndexWeightSum(rows, cols, targets, weight, hasWeight, ignore);
  runtime().allocator.f32()[stats.ptr() >>> 2] = d;
  if (Number.isNaN(d) || (mean && !(d > 0))) return NaN;
  return mean ? Math.fround(1 / d) : 1;
}

/**
 * The chunks of a batch with the batch-wide factor (mean 0, scale = factor), summed in chunk
 * order and threaded when worth it: the same bits on any thread count. The logits / input
 * (argument 2) and the gradient (argument `gradAt`) advance by rows, the targets (3) by floats.
 */
function chunks(kernel: 'crossEntropyIndices' | 'nllIndices', args: number[], gradAt: number, rows: number, cols: number, ns: number): number {
  const split = { count: 0, offsets: [[2, cols * F], [gradAt, cols * F], [3, F]] as const };
  return parallelSum(kernel, args, rows, rowChunk(cols), split, ns);
}

/**
 * Cross-entropy of logits [rows, cols] with float32 class indices: 'mean' (mean = true) divides by
 * D, 'sum' does not; NaN for a bad target, or for a mean over D = 0. One kernel call (which finds
 * D itself) unless the batch spans several chunks of rows.
 */
export function crossEntropyIndices(logits: Tensor, targets: Tensor, weight: Tensor | null, ignore: number,
  smoothing: number, mean: boolean, grad: Tensor, stats: Storage): number {
  const [rows, cols] = logits.shape as [number, number];
  const pl = ptr(logits, W), pt = ptr(targets, W), pw = weight ? ptr(weight, W) : 0, hw = weight ? 1 : 0, pg = ptr(grad, W);
  if (rows <= rowChunk(cols)) return kernels().crossEntropyIndices(rows, cols, pl, pt, pw, hw, ignore, smoothing, mean ? 1 : 0, 1, pg, stats.ptr());
  const s = batchFactor(rows, cols, pt, pw, hw, ignore, mean, stats);
  if (Number.isNaN(s)) return NaN;
  return chunks('crossEntropyIndices', [rows, cols, pl, pt, pw, hw, ignore, smoothing, 0, s, pg, 0], 10, rows, cols, rows * cols * NS.softmax);
}

/** NLL of log-probabilities [rows, cols] with float32 class indices; as crossEntropyIndices. */
export function nllIndices(input: Tensor, targets: Tensor, weight: Tensor | null, ignore: number, mean: boolean,
  grad: Tensor, stats: Storage): number {
  const [rows, cols] = input.shape as [number, number];
  const pi = ptr(input, W), pt = ptr(targets, W), pw = weight ? ptr(weight, W) : 0, hw = weight ? 1 : 0, pg = ptr(grad, W);
  if (rows <= rowChunk(cols)) return kernels().nllIndices(rows, cols, pi, pt, pw, hw, ignore, mean ? 1 : 0, 1, pg, stats.ptr());
  const s = batchFactor(rows, cols, pt, pw, hw, ignore, mean, stats);
  if (Number.isNaN(s)) return NaN;
  return chunks('nllIndices', [rows, cols, pi, pt, pw, hw, ignore, 0, s, pg, 0], 9, rows, cols, rows * cols * NS.move);
}
