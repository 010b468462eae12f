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
import { Storage, type TensorRef } from './storage.js';
import { kernels } from './runtime.js';
import type { ActivationBackwardKernel, ActivationForwardKernel, ElementwiseLossKernel, KernelName } from './kernels.js';
import { parallelFor, parallelSum, threadCount, worthSplitting, type Split } from './parallel.js';

/** Scratch for packing B in large products (one slice per thread): allocated on need, grown, never freed. */
let packScratch: Storage | null = null;

/** @internal Pointer to scratch for gemm(m, n, k) on `threads` threads (one slice each), or 0 when the product will not pack. */
export function pack(m: number, n: number, k: number, threads = 1): number {
  const floats = kernels().gemmPackSize(m, n, k);
  if (floats === 0) return 0;
  packScratch ??= new Storage(floats * threads);
  packScratch.ensureCapacity(floats * threads);
  return packScratch.ptr();
}

/** @internal Pointer of a usable tensor. */
export function ptr(t: TensorRef, what: string): number {
  t._check(what);
  return t._storage.ptr(t._offset);
}

/** Single-thread nanoseconds per unit of work, from the kernel benchmarks. */
const NS = {
  /** per multiply-add of a large GEMM (≈ 32 GFLOP/s on the 2026-12 host; see gemmNs for narrow ones) */
  mac: 1 / 16,
  /** per element moved by transpose / gather / fill / column sums */
  move: 0.25,
  /** per element of a loss (value + gradient) */
  loss: 0.3,
  /** per element of softmax / cross-entropy rows (exp, log) */
  softmax: 3,
  /** per element of an optimizer step */
  optimizer: 1,
};
/** Per element of an activation kernel (the transcendental ones cost 1–4 ns, the rest ≈ 0.1). */
const ACTIVATION_NS: Partial<Record<KernelName, number>> = {
  tanhForward: 1.4, sigmoidForward: 2.1, eluForward: 2, geluForward: 2.8, geluBackward: 3.2,
  softplusForward: 4, softplusBackward: 2.2,
};

// How each kernel's arguments follow a chunk of its units (see Split).
const F = 4; // bytes per float
const SPLIT_GEMM_ROWS: Split = { range: 13, scratch: 12 };
const SPLIT_GEMM_COLS: Split = { range: 15, scratch: 12 };
const SPLIT_RANGE_4: Split = { range: 4 };
const SPLIT_RANGE_5: Split = { range: 5 };
const SPLIT_1: Split = { count: 0, offsets: [[1, F]] };
const SPLIT_1_2: Split = { count: 0, offsets: [[1, F], [2, F]] };
const SPLIT_1_3: Split = { count: 0, offsets: [[1, F], [2, F], [3, F]] };
const SPLIT_1_4: Split = { count: 0, offsets: [[1, F], [2, F], [3, F], [4, F]] };
const SPLIT_1_5: Split = { count: 0, offsets: [[1, F], [2, F], [3, F], [4, F], [5, F]] };
/** Rows of `cols` floats: pointer arguments `args` advance by a row; `perRow1` ones by one float. */
const rowsSplit = (cols: number, args: number[], perRow1: number[] = []): Split =>
  ({ count: 0, offsets: [...args.map((a) => [a, cols * F] as const), ...perRow1.map((a) => [a, F] as const)] });

/** Elements per chunk of an elementwise reduction (a loss, a sum of squares): fixed, so sums never depend on threads. */
const SUM_CHUNK = 16384;
/** Elementwise splits keep 16-float (64-byte) chunks. */
const GRANULE = 16;

/** Column chunks per thread of a GEMM with a plain A (see gemm below). */
let gemmChunksPerThread = 2;

/** @internal For bench/: column chunks per thread of a split GEMM with a plain A. */
export function setGemmChunksPerThread(chunks = 2): void {
  gemmChunksPerThread = chunks;
}

/**
 * Estimated single-thread ns of a GEMM: NS.mac per multiply-add, more for narrow products (a
 * dimension under ~32 runs at half speed or less: the mnist output layer's 128×10×512 products
 * take ≈ 70 µs, not 41).
 */
function gemmNs(m: number, n: number, k: number): number {
  return m * n * k * NS.mac * (1 + 8 / Math.min(m, n, k));
}

/** B of a product: a [k, n] row-major tensor, or (transposed) the transpose of a [n, k] one. */
interface Operand {
  t: TensorRef;
  transposed: boolean;
}

/**
 * c[m, n] (+)= op(a)·op(b) (+ bias): op(a) is a [m, k] itself, or a [k, m] transposed; op(b) a
 * [k, n] itself or a [n, k] transposed. One place picks the strides, the packing scratch and the
 * split of the three products of a dense layer.
 */
function gemm(a: TensorRef, transposeA: boolean, b: Operand, c: TensorRef, bias: TensorRef | null, accumulate: boolean, what: string): void {
  const [rows, cols] = a.shape as [number, number];
  const [m, k] = transposeA ? [cols, rows] : [rows, cols];
  const n = b.transposed ? b.t.shape[0]! : b.t.shape[1]!;
  const pa = ptr(a, what), pb = ptr(b.t, what), pc = ptr(c, what), pbias = bias ? ptr(bias, what) : 0;
  const ars = transposeA ? 1 : k, acs = transposeA ? m : 1;
  const brs = b.transposed ? 1 : n, bcs = b.transposed ? k : 1;
  const ns = gemmNs(m, n, k);
  if (!worthSplitting(ns)) {
    kernels().gemmStrided(m, n, k, pa, ars, acs, pb, brs, bcs, pc, pbias, +accumulate, pack(m, n, k, 1));
    return;
  }
  // Split C by columns (each thread packs only its panels of B) unless there are too few, or
  // a transposed A (packed whole by every column split) is the larger operand: then by rows.
  const threads = threadCount();
  const byRows = n < 8 * threads || (transposeA && m > n && m >= 4 * threads);
  const scratch = pack(m, n, k, threads);
  const args = [m, n, k, pa, ars, acs, pb, brs, bcs, pc, pbias, +accumulate, scratch, 0, m, 0, n];
  // Each chunk packs its own operands: its panels of B and all of A's bands (or, split by rows,
  // all of B and its bands of A). A column chunk of a plain A repacks A, half as much work as
  // packing its panels of B for the mnist shapes: two chunks per thread keep that small while
  // still letting a thread take over part of the work of one that is descheduled; chunks of a
  // transposed A or of a row split are one per thread.
  const perThread = byRows || transposeA ? 1 : gemmChunksPerThread;
  parallelFor('gemmStridedRange', args, byRows ? m : n, byRows ? 4 : 8, byRows ? SPLIT_GEMM_ROWS : SPLIT_GEMM_COLS, ns,
    kernels().gemmPackSize(m, n, k) * F, perThread);
}

/**
 * y[m, n] = x[m, k]·w[n, k]ᵀ + bias[n] (bias optional), the forward of a dense layer. A product
 * large enough to pack reads W through strides; a smaller one first transposes W into `wT`
 * [k, n] (the caller's workspace) and reads that.
 */
export function linearForward(x: TensorRef, w: TensorRef, wT: TensorRef, bias: TensorRef | null, y: TensorRef): void {
  const [m, k] = x.shape as [number, number];
  const n = w.shape[0]!;
  if (kernels().gemmPackSize(m, n, k) > 0) {
    gemm(x, false, { t: w, transposed: true }, y, bias, false, 'forward');
    return;
  }
  transpose(w, wT);
  gemm(x, false, { t: wT, transposed: false }, y, bias, false, 'forward');
}

/** y[m, n] = x[m, k]·wT[k, n] + bias[n] (bias optional). */
export function matmulBias(x: TensorRef, wT: TensorRef, bias: TensorRef | null, y: TensorRef): void {
  gemm(x, false, { t: wT, transposed: false }, y, bias, false, 'forward');
}

/** c[m, n] = a[m, k]·b[k, n]. */
export function matmul(a: TensorRef, b: TensorRef, c: TensorRef): void {
  gemm(a, false, { t: b, transposed: false }, c, null, false, 'matmul');
}

/** c[m, n] += a[k, m]ᵀ·b[k, n] (the weight gradient dW += dYᵀ·X). */
export function matmulTransposedAAccumulate(a: TensorRef, b: TensorRef, c: TensorRef): void {
  gemm(a, true, { t: b, transposed: false }, c, null, true, 'backward');
}

/** dst[cols, rows] = src[rows, cols]ᵀ. */
export function transpose(src: TensorRef, dst: TensorRef): void {
  const [rows, cols] = src.shape as [number, number];
  const ps = ptr(src, 'transpose'), pd = ptr(dst, 'transpose'), ns = rows * cols * NS.move;
  if (worthSplitting(ns)) parallelFor('transposeRange', [rows, cols, ps, pd, 0, rows], rows, 8, SPLIT_RANGE_4, ns);
  else kernels().transpose(rows, cols, ps, pd);
}

/** dst[n] += Σ_rows src[rows, n]. */
export function addColumnSums(src: TensorRef, dst: TensorRef): void {
  const [rows, cols] = src.shape as [number, number];
  const ps = ptr(src, 'backward'), pd = ptr(dst, 'backward'), ns = rows * cols * NS.move;
  if (worthSplitting(ns)) parallelFor('columnSumsRange', [rows, cols, ps, pd, 1, 0, cols], cols, 4, SPLIT_RANGE_5, ns);
  else kernels().columnSums(rows, cols, ps, pd, 1);
}

export function activationForward(kernel: KernelName, x: TensorRef, y: TensorRef, p0: number, p1: number): void {
  const n = x.size, px = ptr(x, 'forward'), py = ptr(y, 'forward');
  const ns = n * (ACTIVATION_NS[kernel] ?? 0.1);
  if (worthSplitting(ns)) parallelFor(kernel, [n, px, py, p0, p1], n, GRANULE, SPLIT_1_2, ns);
  else (kernels()[kernel] as ActivationForwardKernel)(n, px, py, p0, p1);
}

export function activationBackward(
  kernel: KernelName, x: TensorRef, y: TensorRef, dy: TensorRef, dx: TensorRef, p0: number, p1: number,
): void {
  const n = x.size, px = ptr(x, 'backward'), py = ptr(y, 'backward'), pdy = ptr(dy, 'backward'), pdx = ptr(dx, 'backward');
  const ns = n * (ACTIVATION_NS[kernel] ?? 0.15);
  if (worthSplitting(ns)) parallelFor(kernel, [n, px, py, pdy, pdx, p0, p1], n, GRANULE, SPLIT_1_4, ns);
  else (kernels()[kernel] as ActivationBackwardKernel)(n, px, py, pdy, pdx, p0, p1);
}

export function softmaxForward(x: TensorRef, y: TensorRef): void {
  const [rows, cols] = x.shape as [number, number];
  parallelFor('softmaxForward', [rows, cols, ptr(x, 'forward'), ptr(y, 'forward')], rows, 1, rowsSplit(cols, [2, 3]),
    rows * cols * NS.softmax);
}

export function softmaxBackward(y: TensorRef, dy: TensorRef, dx: TensorRef): void {
  const [rows, cols] = y.shape as [number, number];
  parallelFor('softmaxBackward', [rows, cols, ptr(y, 'backward'), ptr(dy, 'backward'), ptr(dx, 'backward')], rows, 1,
    rowsSplit(cols, [2, 3, 4]), rows * cols * NS.move);
}

// ---- mnist branch: log-softmax and NLL over rows (the last axis), dropout ------------------
/** Rows of the last axis: [rows, cols] for a tensor of any rank ≥ 1. */
function lastAxis(t: TensorRef): [number, number] {
  const cols = t.shape[t.shape.length - 1]!;
  return [cols === 0 ? 0 : t.size / cols, cols];
}

export function logSoftmaxForward(x: TensorRef, y: TensorRef): void {
  const [rows, cols] = lastAxis(x);
  kernels().logSoftmaxForward(rows, cols, ptr(x, 'forward'), ptr(y, 'forward'));
}

export function logSoftmaxBackward(y: TensorRef, dy: TensorRef, dx: TensorRef): void {
  const [rows, cols] = lastAxis(y);
  kernels().logSoftmaxBackward(rows, cols, ptr(y, 'backward'), ptr(dy, 'backward'), ptr(dx, 'backward'));
}

/** NLL of log-probabilities [rows, cols] with float32 class indices; NaN when an index is invalid. */
export function nllLoss(input: TensorRef, targets: TensorRef, grad: TensorRef, scale: number): number {
  const [rows, cols] = input.shape as [number, number];
  return kernels().nllLoss(rows, cols, ptr(input, 'loss'), ptr(targets, 'loss'), ptr(grad, 'loss'), scale);
}

/** y = x·mask with mask[i] = u(key0, key1, i) ≥ p ? scale : 0 (written to `mask`). */
export function dropoutForward(x: TensorRef, y: TensorRef, mask: TensorRef, key0: number, key1: number, p: number, scale: number): void {
  kernels().dropoutForward(0, x.size, ptr(x, 'forward'), ptr(y, 'forward'), ptr(mask, 'forward'), key0, key1, p, scale);
}

/** dx = dy·mask. */
export function dropoutBackward(dy: TensorRef, mask: TensorRef, dx: TensorRef): void {
  kernels().dropoutBackward(0, dy.size, ptr(dy, 'backward'), ptr(mask, 'backward'), ptr(dx, 'backward'));
}
// ---- end mnist branch ----------------------------------------------------------------------

/** Runs an elementwise loss kernel; returns scale · Σ terms (summed per fixed chunk) and writes the gradient. */
export function elementwiseLoss(
  kernel: KernelName, pred: TensorRef, target: TensorRef, grad: TensorRef, scale: number, p0: number,
): number {
  const n = pred.size, args = [n, ptr(pred, 'loss'), ptr(target, 'loss'), ptr(grad, 'loss'), scale, p0];
  if (n <= SUM_CHUNK) return (kernels()[kernel] as ElementwiseLossKernel)(n, args[1]!, args[2]!, args[3]!, scale, p0);
  return parallelSum(kernel, args, n, SUM_CHUNK, SPLIT_1_3, n * NS.loss);
}

/** Rows per chunk of a row-wise reduction over `cols` columns (fixed by the shape). */
const rowChunk = (cols: number): number => Math.max(1, Math.floor(SUM_CHUNK / cols));

/** Cross-entropy with class indices (float32, one per row); NaN when an index is invalid. */
export function crossEntropyIndices(logits: TensorRef, targets: TensorRef, grad: TensorRef, scale: number): number {
  const [rows, cols] = logits.shape as [number, number];
  const args = [rows, cols, ptr(logits, 'loss'), ptr(targets, 'loss'), ptr(grad, 'loss'), scale];
  return parallelSum('crossEntropyLoss', args, rows, rowChunk(cols), rowsSplit(cols, [2, 4], [3]), rows * cols * NS.softmax);
}

/** Cross-entropy with probability targets of the logits' shape. */
export function crossEntropyProbabilities(logits: TensorRef, targets: TensorRef, grad: TensorRef, scale: number): number {
  const [rows, cols] = logits.shape as [number, number];
  const args = [rows, cols, ptr(logits, 'loss'), ptr(targets, 'loss'), ptr(grad, 'loss'), scale];
  return parallelSum('crossEntropySoftLoss', args, rows, rowChunk(cols), rowsSplit(cols, [2, 3, 4]), rows * cols * NS.softmax);
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

export function fill(t: TensorRef, value: number): void {
  const n = t.size, p = ptr(t, 'fill');
  if (worthSplitting(n * NS.move)) parallelFor('fill', [n, p, value], n, GRANULE, SPLIT_1, n * NS.move);
  else kernels().fill(n, p, value);
}

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

// ---- optimizer updates: each takes the flat parameter block and its parallel state ---------
const p0 = (t: TensorRef | null, what: string): number => (t ? ptr(t, what) : 0);

/** An optimizer kernel over n parameters, split across threads when large. */
function update(kernel: KernelName, split: Split, args: number[]): void {
  const n = args[0]!;
  parallelFor(kernel, args, n, GRANULE, split, n * NS.optimizer);
}

export function sgdStep(param: TensorRef, grad: TensorRef, buf: TensorRef | null, h: {
  lr: number; momentum: number; dampening: number; weightDecay: number; nesterov: boolean; maximize: boolean;
}, firstStep: boolean): void {
  update('sgdStep', SPLIT_1_3, [param.size, ptr(param, 'SGD.step'), ptr(grad, 'SGD.step'), p0(buf, 'SGD.step'), h.lr,
    h.momentum, h.dampening, h.weightDecay, +h.nesterov, +h.maximize, +firstStep]);
}

export function adamStep(param: TensorRef, grad: TensorRef, expAvg: TensorRef, expAvgSq: TensorRef, maxExpAvgSq: TensorRef | null, h: {
  lr: number; beta1: number; beta2: number; eps: number; weightDecay: number; decoupled: boolean;
  amsgrad: boolean; maximize: boolean; stepSize: number; bias2Sqrt: number;
}): void {
  update('adamStep', SPLIT_1_5, [param.size, ptr(param, 'Adam.step'), ptr(grad, 'Adam.step'), ptr(expAvg, 'Adam.step'),
    ptr(expAvgSq, 'Adam.step'), p0(maxExpAvgSq, 'Adam.step'), h.lr, h.beta1, h.beta2, h.eps, h.weightDecay,
    +h.decoupled, +h.amsgrad, +h.maximize, h.stepSize, h.bias2Sqrt]);
}

export function adagradStep(param: TensorRef, grad: TensorRef, stateSum: TensorRef, h: {
  clr: number; weightDecay: number; eps: number; maximize: boolean;
}): void {
  update('adagradStep', SPLIT_1_3, [param.size, ptr(param, 'Adagrad.step'), ptr(grad, 'Adagrad.step'),
    ptr(stateSum, 'Adagrad.step'), h.clr, h.weightDecay, h.eps, +h.maximize]);
}

export function rmspropStep(param: TensorRef, grad: TensorRef, squareAvg: TensorRef, gradAvg: TensorRef | null, buf: TensorRef | null, h: {
  lr: number; alpha: number; eps: number; weightDecay: number; momentum: number; centered: boolean; maximize: boolean;
}): void {
  update('rmspropStep', SPLIT_1_5, [param.size, ptr(param, 'RMSprop.step'), ptr(grad, 'RMSprop.step'),
    ptr(squareAvg, 'RMSprop.step'), p0(gradAvg, 'RMSprop.step'), p0(buf, 'RMSprop.step'), h.lr, h.alpha, h.eps,
    h.weightDecay, h.momentum, +h.centered, +h.maximize]);
}
