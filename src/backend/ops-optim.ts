/**
 * The optimizer updates at tensor level: each takes the flat parameter block, its gradient block
 * and the parallel state blocks (optim/parameter-block.ts) and runs one kernel over all of them,
 * split across threads when large (elementwise: every split gives the same bits). Part of ops.ts
 * (which re-exports it); the hyper-parameters arrive checked by the optimizer classes.
 */
import type { TensorRef } from './storage.js';
import type { KernelName } from './kernels.js';
import { parallelFor, worthSplitting, type Split } from './parallel.js';
import { kernels } from './runtime.js';
import { GRANULE, NS, SPLIT_1_3, SPLIT_1_5, ptr, ptrOrZero as p0 } from './ops-base.js';

/** An optimizer kernel over n = args[0] parameters, split across threads when large. */
function update(kernel: KernelName, split: Split, args: number[]): void {
  const n = args[0]!;
  parallelFor(kernel, args, n, GRANULE, split, n * NS.optimizer);
}

/** One SGD step (torch.optim.SGD's rule); `buf` is the momentum buffer, null without momentum. */
export function sgdStep(param: TensorRef, grad: TensorRef, buf: TensorRef | null, h: {
  lr: number; momentum: number; dampening: number; weightDecay: number; nesterov: boolean; maximize: boolean;
}, firstStep: boolean): void {
  update('sgdStep', SPLIT_1_3, [param.size, ptr(param, 'SGD.step'), ptr(grad, 'SGD.step'), p0(buf, 'SGD.step'), h.lr,
    h.momentum, h.dampening, h.weightDecay, +h.nesterov, +h.maximize, +firstStep]);
}

/**
 * One Adam / AdamW step (`decoupled`); stepSize and bias2Sqrt carry the bias corrections of this
 * step. Too small to split (the seed network's 1 428 values), the kernel is called directly:
 * no argument array and spread per step (elementwise: the same bits either way).
 */
export function adamStep(param: TensorRef, grad: TensorRef, expAvg: TensorRef, expAvgSq: TensorRef, maxExpAvgSq: TensorRef | null, h: {
  lr: number; beta1: number; beta2: number; eps: number; weightDecay: number; decoupled: boolean;
  amsgrad: boolean; maximize: boolean; stepSize: number; bias2Sqrt: number;
}): void {
  if (!worthSplitting(param.size * NS.optimizer)) {
    kernels().adamStep(param.size, ptr(param, 'Adam.step'), ptr(grad, 'Adam.step'), ptr(expAvg, 'Adam.step'),
      ptr(expAvgSq, 'Adam.step'), p0(maxExpAvgSq, 'Adam.step'), h.lr, h.beta1, h.beta2, h.eps, h.weightDecay,
      +h.decoupled, +h.amsgrad, +h.maximize, h.stepSize, h.bias2Sqrt);
    return;
  }
  update('adamStep', SPLIT_1_5, [param.size, ptr(param, 'Adam.step'), ptr(grad, 'Adam.step'), ptr(expAvg, 'Adam.step'),
    ptr(expAvgSq, 'Adam.step'), p0(maxExpAvgSq, 'Adam.step'), h.lr, h.beta1, h.beta2, h.eps, h.weightDecay,
    +h.decoupled, +h.amsgrad, +h.maximize, h.stepSize, h.bias2Sqrt]);
}

/** One Adagrad step; `clr` is this step's decayed learning rate. */
export function adagradStep(param: TensorRef, grad: TensorRef, stateSum: TensorRef, h: {
  clr: number; weightDecay: number; eps: number; maximize: boolean;
}): void {
  update('adagradStep', SPLIT_1_3, [param.size, ptr(param, 'Adagrad.step'), ptr(grad, 'Adagrad.step'),
    ptr(stateSum, 'Adagrad.step'), h.clr, h.weightDecay, h.eps, +h.maximize]);
}

/** One RMSprop step; `gradAvg` only when centered, `buf` only with momentum. */
export function rmspropStep(param: TensorRef, grad: TensorRef, squareAvg: TensorRef, gradAvg: TensorRef | null, buf: TensorRef | null, h: {
  lr: number; alpha: number; eps: number; weightDecay: number; momentum: number; centered: boolean; maximize: boolean;
}): void {
  update('rmspropStep', SPLIT_1_5, [param.size, ptr(param, 'RMSprop.step'), ptr(grad, 'RMSprop.step'),
    ptr(squareAvg, 'RMSprop.step'), p0(gradAvg, 'RMSprop.step'), p0(buf, 'RMSprop.step'), h.lr, h.alpha, h.eps,
    h.weightDecay, h.momentum, +h.centered, +h.maximize]);
}
