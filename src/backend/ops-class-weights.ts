/**
 * Tensor-level entry points to class-weights.ts: class-index losses with torch's weight,
 * ignore_index and label_smoothing. Single-threaded (these run only when an option is in use;
 * the plain losses keep ops.ts's threaded path). `weight` is null for "every class weighs 1".
 */
import type { TensorRef as Tensor } from './storage.js';
import { kernels } from './runtime.js';
import { ptr } from './ops-base.js';

const W = 'loss';
const weightArgs = (weight: Tensor | null): [number, number] => (weight ? [ptr(weight, W), 1] : [0, 0]);

/** Σ weight[t] over the targets not equal to `ignore`; NaN when a target is not a class index. */
export function classWeightSum(targets: Tensor, classes: number, weight: Tensor | null, ignore: number): number {
  return kernels().classWeightSum(targets.size, classes, ptr(targets, W), ...weightArgs(weight), ignore);
}

/** Cross-entropy with index targets: a·(weighted NLL) + b·(smoothing term); see class-weights.ts. */
export function crossEntropyWeighted(logits: Tensor, targets: Tensor, weight: Tensor | null, ignore: number, a: number,
  b: number, grad: Tensor): number {
  const [rows, cols] = logits.shape as [number, number];
  return kernels().crossEntropyWeighted(rows, cols, ptr(logits, W), ptr(targets, W), ...weightArgs(weight), ignore, a, b, ptr(grad, W));
}

/** NLL of log-probabilities with index targets, class weights and an ignored value. */
export function nllWeighted(input: Tensor, targets: Tensor, weight: Tensor | null, ignore: number, scale: number, grad: Tensor): number {
  const [rows, cols] = input.shape as [number, number];
  return kernels().nllWeighted(rows, cols, ptr(input, W), ptr(targets, W), ...weightArgs(weight), ignore, scale, ptr(grad, W));
}

/** Cross-entropy with probability targets, class weights and label smoothing. */
export function crossEntropySoftWeighted(logits: Tensor, targets: Tensor, weight: Tensor | null, smoothing: number,
  scale: number, grad: Tensor): number {
  const [rows, cols] = logits.shape as [number, number];
  return kernels().crossEntropySoftWeighted(rows, cols, ptr(logits, W), ptr(targets, W), ...weightArgs(weight), smoothing, scale, ptr(grad, W));
}
