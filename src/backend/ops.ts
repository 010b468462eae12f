/**
 * Tensor-level entry points to the kernels: the only code above the allocator that turns tensors
 * into pointers. Callers (nn/, losses/, optim/) validate shapes and options first; these
 * functions assume valid arguments but still refuse disposed or stale tensors.
 */
import { Storage, type TensorRef } from './storage.js';
import { kernels } from './runtime.js';
import type { ActivationBackwardKernel, ActivationForwardKernel, ElementwiseLossKernel, Kernels } from './kernels.js';

/** Scratch for packing B in large products: allocated on first need, grown, never freed. */
let packScratch: Storage | null = null;

/** @internal Pointer to scratch for gemm(m, n, k), or 0 when the product will not pack. */
export function pack(m: number, n: number, k: number): number {
  const floats = kernels().gemmPackSize(m, n, k);
  if (floats === 0) return 0;
  packScratch ??= new Storage(floats);
  packScratch.ensureCapacity(floats);
  return packScratch.ptr();
}

/** @internal Pointer of a usable tensor. */
export function ptr(t: TensorRef, what: string): number {
  t._check(what);
  return t._storage.ptr(t._offset);
}

/**
 * c[m, n] (+)= op(a)·b (+ bias): op(a) is a [m, k] itself, or a [k, m] transposed. One place
 * picks the strides and the packing scratch for the three products of a dense layer.
 */
function gemm(a: TensorRef, transposeA: boolean, b: TensorRef, c: TensorRef, bias: TensorRef | null, accumulate: boolean, what: string): void {
  const [rows, cols] = a.shape as [number, number];
  const [m, k] = transposeA ? [cols, rows] : [rows, cols];
  const n = b.shape[1]!;
  const scratch = pack(m, n, k);
  kernels().gemm(m, n, k, ptr(a, what), transposeA ? 1 : k, transposeA ? m : 1, ptr(b, what), ptr(c, what),
    bias ? ptr(bias, what) : 0, +accumulate, scratch);
}

/** y[m, n] = x[m, k]·wT[k, n] + bias[n] (bias optional). */
export function matmulBias(x: TensorRef, wT: TensorRef, bias: TensorRef | null, y: TensorRef): void {
  gemm(x, false, wT, y, bias, false, 'forward');
}

/** c[m, n] = a[m, k]·b[k, n]. */
export function matmul(a: TensorRef, b: TensorRef, c: TensorRef): void {
  gemm(a, false, b, c, null, false, 'matmul');
}

/** c[m, n] += a[k, m]ᵀ·b[k, n] (the weight gradient dW += dYᵀ·X). */
export function matmulTransposedAAccumulate(a: TensorRef, b: TensorRef, c: TensorRef): void {
  gemm(a, true, b, c, null, true, 'backward');
}

/** dst[cols, rows] = src[rows, cols]ᵀ. */
export function transpose(src: TensorRef, dst: TensorRef): void {
  const [rows, cols] = src.shape as [number, number];
  kernels().transpose(rows, cols, ptr(src, 'transpose'), ptr(dst, 'transpose'));
}

/** dst[n] += Σ_rows src[rows, n]. */
export function addColumnSums(src: TensorRef, dst: TensorRef): void {
  const [rows, cols] = src.shape as [number, number];
  kernels().columnSums(rows, cols, ptr(src, 'backward'), ptr(dst, 'backward'), 1);
}

export function activationForward(kernel: keyof Kernels, x: TensorRef, y: TensorRef, p0: number, p1: number): void {
  (kernels()[kernel] as ActivationForwardKernel)(x.size, ptr(x, 'forward'), ptr(y, 'forward'), p0, p1);
}

export function activationBackward(
  kernel: keyof Kernels, x: TensorRef, y: TensorRef, dy: TensorRef, dx: TensorRef, p0: number, p1: number,
): void {
  (kernels()[kernel] as ActivationBackwardKernel)(
    x.size, ptr(x, 'backward'), ptr(y, 'backward'), ptr(dy, 'backward'), ptr(dx, 'backward'), p0, p1);
}

export function softmaxForward(x: TensorRef, y: TensorRef): void {
  const [rows, cols] = x.shape as [number, number];
  kernels().softmaxForward(rows, cols, ptr(x, 'forward'), ptr(y, 'forward'));
}

export function softmaxBackward(y: TensorRef, dy: TensorRef, dx: TensorRef): void {
  const [rows, cols] = y.shape as [number, number];
  kernels().softmaxBackward(rows, cols, ptr(y, 'backward'), ptr(dy, 'backward'), ptr(dx, 'backward'));
}

/** Runs an elementwise loss kernel; returns scale · Σ terms and writes the gradient. */
export function elementwiseLoss(
  kernel: keyof Kernels, pred: TensorRef, target: TensorRef, grad: TensorRef, scale: number, p0: number,
): number {
  return (kernels()[kernel] as ElementwiseLossKernel)(
    pred.size, ptr(pred, 'loss'), ptr(target, 'loss'), ptr(grad, 'loss'), scale, p0);
}

/** Cross-entropy with class indices (float32, one per row); NaN when an index is invalid. */
export function crossEntropyIndices(logits: TensorRef, targets: TensorRef, grad: TensorRef, scale: number): number {
  const [rows, cols] = logits.shape as [number, number];
  return kernels().crossEntropyLoss(rows, cols, ptr(logits, 'loss'), ptr(targets, 'loss'), ptr(grad, 'loss'), scale);
}

/** Cross-entropy with probability targets of the logits' shape. */
export function crossEntropyProbabilities(logits: TensorRef, targets: TensorRef, grad: TensorRef, scale: number): number {
  const [rows, cols] = logits.shape as [number, number];
  return kernels().crossEntropySoftLoss(rows, cols, ptr(logits, 'loss'), ptr(targets, 'loss'), ptr(grad, 'loss'), scale);
}

/** Writes argmax of each row of x (int32) into `out`. */
export function argmaxRows(x: TensorRef, out: Storage): void {
  const [rows, cols] = x.shape as [number, number];
  kernels().argmaxRows(rows, cols, ptr(x, 'argmax'), out.ptr());
}

/** dst[r] = src[index[first + r]] for r < count; `index` holds int32 row numbers of src. */
export function gatherRows(src: TensorRef, index: Storage, first: number, count: number, dst: TensorRef): void {
  const rowLen = src.size / src.shape[0]!;
  kernels().gatherRows(count, rowLen, ptr(src, 'gather'), index.ptr(first), ptr(dst, 'gather'));
}

export function fill(t: TensorRef, value: number): void {
  kernels().fill(t.size, ptr(t, 'fill'), value);
}

export function scale(t: TensorRef, factor: number): void {
  kernels().scale(t.size, ptr(t, 'scale'), factor);
}

export function sumOfSquares(t: TensorRef): number {
  return kernels().sumOfSquares(t.size, ptr(t, 'sumOfSquares'));
}

/** Index of the first NaN/±Infinity element, or -1. */
export function firstNonFinite(t: TensorRef): number {
  return kernels().firstNonFinite(t.size, ptr(t, 'check'));
}

// ---- optimizer updates: each takes the flat parameter block and its parallel state ---------
const p0 = (t: TensorRef | null, what: string): number => (t ? ptr(t, what) : 0);

export function sgdStep(param: TensorRef, grad: TensorRef, buf: TensorRef | null, h: {
  lr: number; momentum: number; dampening: number; weightDecay: number; nesterov: boolean; maximize: boolean;
}, firstStep: boolean): void {
  kernels().sgdStep(param.size, ptr(param, 'SGD.step'), ptr(grad, 'SGD.step'), p0(buf, 'SGD.step'), h.lr,
    h.momentum, h.dampening, h.weightDecay, +h.nesterov, +h.maximize, +firstStep);
}

export function adamStep(param: TensorRef, grad: TensorRef, expAvg: TensorRef, expAvgSq: TensorRef, maxExpAvgSq: TensorRef | null, h: {
  lr: number; beta1: number; beta2: number; eps: number; weightDecay: number; decoupled: boolean;
  amsgrad: boolean; maximize: boolean; stepSize: number; bias2Sqrt: number;
}): void {
  kernels().adamStep(param.size, ptr(param, 'Adam.step'), ptr(grad, 'Adam.step'), ptr(expAvg, 'Adam.step'),
    ptr(expAvgSq, 'Adam.step'), p0(maxExpAvgSq, 'Adam.step'), h.lr, h.beta1, h.beta2, h.eps, h.weightDecay,
    +h.decoupled, +h.amsgrad, +h.maximize, h.stepSize, h.bias2Sqrt);
}

export function adagradStep(param: TensorRef, grad: TensorRef, stateSum: TensorRef, h: {
  clr: number; weightDecay: number; eps: number; maximize: boolean;
}): void {
  kernels().adagradStep(param.size, ptr(param, 'Adagrad.step'), ptr(grad, 'Adagrad.step'),
    ptr(stateSum, 'Adagrad.step'), h.clr, h.weightDecay, h.eps, +h.maximize);
}

export function rmspropStep(param: TensorRef, grad: TensorRef, squareAvg: TensorRef, gradAvg: TensorRef | null, buf: TensorRef | null, h: {
  lr: number; alpha: number; eps: number; weightDecay: number; momentum: number; centered: boolean; maximize: boolean;
}): void {
  kernels().rmspropStep(param.size, ptr(param, 'RMSprop.step'), ptr(grad, 'RMSprop.step'),
    ptr(squareAvg, 'RMSprop.step'), p0(gradAvg, 'RMSprop.step'), p0(buf, 'RMSprop.step'), h.lr, h.alpha, h.eps,
    h.weightDecay, h.momentum, +h.centered, +h.maximize);
}
