/**
 * TensorRef-level entry points to the kernels: the only code above the allocator that turns tensors
 * into pointers. Callers (nn/, losses/, optim/) validate shapes and options first; these
 * functions assume valid arguments but still refuse disposed or stale tensors.
 *
 * With init({ threads }), work large enough to pay for a hand-off is split across threads
 * (parallel.ts): outputs are partitioned, reductions are summed over chunks of a size fixed by
 * the shape, so results are bit-identical for every thread count. The `NS` figures estimate a
 * call's single-thread time (measured here, bench/RESULTS.md) to decide whether to split.
 */
import type { Storage, TensorRef } from './storage.js';
import { kernels } from './runtime.js';
import type { ActivationBackwardKernel, ActivationForwardKernel, ElementwiseLossKernel, KernelName } from './kernels.js';
import { parallelFor, parallelSum, worthSplitting, type Split } from './parallel.js';
import { F, GRANULE, NS, SPLIT_1, SPLIT_1_2, SPLIT_1_3, SPLIT_1_4, SUM_CHUNK, ptr, rowChunk } from './ops-base.js';

// The parts in files of their own, re-exported so that `import * as ops from './ops.js'` and
// `import { ptr } from './ops.js'` keep working.
export { ptr } from './ops-base.js';
export * from './ops-gemm.js';
export * from './ops-optim.js';

/** Per element of an activation kernel (the transcendental ones cost 1–4 ns, the rest ≈ 0.1). */
const ACTIVATION_NS: Partial<Record<KernelName, number>> = {
  tanhForward: 1.4, sigmoidForward: 2.1, eluForward: 2, geluForward: 2.8, geluBackward: 3.2,
  softplusForward: 4, softplusBackward: 2.2,
};

/** Rows of `cols` floats: pointer arguments `args` advance by a row; `perRow1` ones by one float. */
const rowsSplit = (cols: number, args: number[], perRow1: number[] = []): Split =>
  ({ count: 0, offsets: [...args.map((a) => [a, cols * F] as const), ...perRow1.map((a) => [a, F] as const)] });


/** y = f(x) elementwise by an activation kernel; p0, p1 are its parameters (e.g. LeakyReLU's slope). */
export function activationForward(kernel: KernelName, x: TensorRef, y: TensorRef, p0: number, p1: number): void {
  const n = x.size, px = ptr(x, 'forward'), py = ptr(y, 'forward');
  const ns = n * (ACTIVATION_NS[kernel] ?? 0.1);
  if (worthSplitting(ns)) parallelFor(kernel, [n, px, py, p0, p1], n, GRANULE, SPLIT_1_2, ns);
  else (kernels()[kernel] as ActivationForwardKernel)(n, px, py, p0, p1);
}

/** dx = dy·f′ from the activation's input x and output y (each kernel reads the one its formula needs). */
export function activationBackward(
  kernel: KernelName, x: TensorRef, y: TensorRef, dy: TensorRef, dx: TensorRef, p0: number, p1: number,
): void {
  const n = x.size, px = ptr(x, 'backward'), py = ptr(y, 'backward'), pdy = ptr(dy, 'backward'), pdx = ptr(dx, 'backward');
  const ns = n * (ACTIVATION_NS[kernel] ?? 0.15);
  if (worthSplitting(ns)) parallelFor(kernel, [n, px, py, pdy, pdx, p0, p1], n, GRANULE, SPLIT_1_4, ns);
  else (kernels()[kernel] as ActivationBackwardKernel)(n, px, py, pdy, pdx, p0, p1);
}

/** Softmax along the last axis of x (rows of it: [rows, cols] for any rank ≥ 1). */
export function softmaxForward(x: TensorRef, y: TensorRef): void {
  const [rows, cols] = lastAxis(x);
  parallelFor('softmaxForward', [rows, cols, ptr(x, 'forward'), ptr(y, 'forward')], rows, 1, rowsSplit(cols, [2, 3]),
    rows * cols * NS.softmax);
}

/** dx = y ⊙ (dy − Σ_row dy·y), the softmax's backward from its output. */
export function softmaxBackward(y: TensorRef, dy: TensorRef, dx: TensorRef): void {
  const [rows, cols] = lastAxis(y);
  parallelFor('softmaxBackward', [rows, cols, ptr(y, 'backward'), ptr(dy, 'backward'), ptr(dx, 'backward')], rows, 1,
    rowsSplit(cols, [2, 3, 4]), rows * cols * NS.move);
}

/** Rows of the last axis: [rows, cols] for a tensor of any rank ≥ 1. */
function lastAxis(t: TensorRef): [number, number] {
  const cols = t.shape[t.shape.length - 1]!;
  return [cols === 0 ? 0 : t.size / cols, cols];
}

/** Log-softmax over the last axis. */
export function logSoftmaxForward(x: TensorRef, y: TensorRef): void {
  const [rows, cols] = lastAxis(x);
  parallelFor('logSoftmaxForward', [rows, cols, ptr(x, 'forward'), ptr(y, 'forward')], rows, 1, rowsSplit(cols, [2, 3]),
    rows * cols * NS.softmax);
}

/** dx = dy − softmax · Σ_row dy, from the log-softmax's output y. */
export function logSoftmaxBackward(y: TensorRef, dy: TensorRef, dx: TensorRef): void {
  const [rows, cols] = lastAxis(y);
  parallelFor('logSoftmaxBackward', [rows, cols, ptr(y, 'backward'), ptr(dy, 'backward'), ptr(dx, 'backward')], rows, 1,
    rowsSplit(cols, [2, 3, 4]), rows * cols * NS.softmax);
}

/** Dropout's kernels take an element range [begin, end): the mask of element i depends on (key0, key1, i) only. */
const SPLIT_RANGE: Split = { range: 0 };

/** y = x·mask with mask[i] = u(key0, key1, i) ≥ p ? scale : 0 (written to `mask`). */
export function dropoutForward(x: TensorRef, y: TensorRef, mask: TensorRef, key0: number, key1: number, p: number, scale: number): void {
  const n = x.size;
  parallelFor('dropoutForward', [0, n, ptr(x, 'forward'), ptr(y, 'forward'), ptr(mask, 'forward'), key0, key1, p, scale], n, GRANULE,
    SPLIT_RANGE, n * NS.random);
}

/** dx = dy·mask. */
export function dropoutBackward(dy: TensorRef, mask: TensorRef, dx: TensorRef): void {
  const n = dy.size;
  parallelFor('dropoutBackward', [0, n, ptr(dy, 'backward'), ptr(mask, 'backward'), ptr(dx, 'backward')], n, GRANULE, SPLIT_RANGE,
    n * NS.move);
}

/** Runs an elementwise loss kernel; returns scale · Σ terms (summed per fixed chunk) and writes the gradient. */
export function elementwiseLoss(
  kernel: KernelName, pred: TensorRef, target: TensorRef, grad: TensorRef, scale: number, p0: number,
): number {
  const n = pred.size, pp = ptr(pred, 'loss'), pt = ptr(target, 'loss'), pg = ptr(grad, 'loss');
  // One chunk (every step of a small network): the kernel directly, without an argument array.
  if (n <= SUM_CHUNK) return (kernels()[kernel] as ElementwiseLossKernel)(n, pp, pt, pg, scale, p0);
  return parallelSum(kernel, [n, pp, pt, pg, scale, p0], n, SUM_CHUNK, SPLIT_1_3, n * NS.loss);
}

/** Cross-entropy with probability targets of the logits' shape. */
export function crossEntropyProbabilities(logits: TensorRef, targets: TensorRef, grad: TensorRef, scale: number): number {
  const [rows, cols] = logits.shape as [number, number];
  if (rows <= rowChunk(cols)) return kernels().crossEntropySoftLoss(rows, cols, ptr(logits, 'loss'), ptr(targets, 'loss'), ptr(grad, 'loss'), scale);
  const args = [rows, cols, ptr(logits, 'loss'), ptr(targets, 'loss'), ptr(grad, 'loss'), scale];
  return parallelSum('crossEntropySoftLoss', args, rows, rowChunk(cols), rowsSplit(cols, [2, 3, 4]), rows * cols * NS.softmax);
}

/** Cross-entropy with probability targets, class weights (null: every class weighs 1) and label smoothing. */
export function crossEntropySoftWeighted(logits: TensorRef, targets: TensorRef, weight: TensorRef | null, smoothing: number,
  scale: number, grad: TensorRef): number {
  const [rows, cols] = logits.shape as [number, number];
  const args = [rows, cols, ptr(logits, 'loss'), ptr(targets, 'loss'), weight ? ptr(weight, 'loss') : 0, weight ? 1 : 0, smoothing, scale, ptr(grad, 'loss')];
  return parallelSum('crossEntropySoftWeighted', args, rows, rowChunk(cols), rowsSplit(cols, [2, 3, 8]), rows * cols * NS.softmax);
}

/** Writes argmax of each row of x (int32) into `out`. */
export function argmaxRows(x: TensorRef, out: Storage): void {
  const [rows, cols] = x.shape as [number, number];
  parallelFor('argmaxRows', [rows, cols, ptr(x, 'argmax'), out.ptr()], rows, 1, rowsSplit(cols, [2], [3]), rows * cols * NS.move);
}

/** dst[r] = src[index[first + r]] for r < count; `index` holds int32 row numbers of src. */
export function gatherRows(src: TensorRef, index: Storage, first: number, count: number, dst: TensorRef): void {
  const rowLen = src.size / src.shape[0]!;
  const args = [count, rowLen, ptr(src, 'gather'), index.ptr(first), ptr(dst, 'gather')];
  parallelFor('gatherRows', args, count, 1, { count: 0, offsets: [[3, F], [4, rowLen * F]] }, count * rowLen * NS.move);
}

/** Every element of t = value. */
export function fill(t: TensorRef, value: number): void {
  const n = t.size, p = ptr(t, 'fill');
  if (worthSplitting(n * NS.move)) parallelFor('fill', [n, p, value], n, GRANULE, SPLIT_1, n * NS.move);
  else kernels().fill(n, p, value);
}

/** t ·= factor, in place. */
export function scale(t: TensorRef, factor: number): void {
  const n = t.size, p = ptr(t, 'scale');
  if (worthSplitting(n * NS.move)) parallelFor('scale', [n, p, factor], n, GRANULE, SPLIT_1, n * NS.move);
  else kernels().scale(n, p, factor);
}

/** Σ t², summed per fixed chunk (the same on every thread count). */
export function sumOfSquares(t: TensorRef): number {
  const n = t.size, p = ptr(t, 'sumOfSquares');
  if (n <= SUM_CHUNK) return kernels().sumOfSquares(n, p);
  return parallelSum('sumOfSquares', [n, p], n, SUM_CHUNK, SPLIT_1, n * NS.move);
}

/** Index of the first NaN/±Infinity element, or -1. */
export function firstNonFinite(t: TensorRef): number {
  return kernels().firstNonFinite(t.size, ptr(t, 'check'));
}
