/**
 * TensorRef-level entry points to dense-small.ts: a small Linear's forward (optionally with the
 * following ReLU) and its backward (optionally with the preceding ReLU's) as one kernel call each.
 * Only for layers whose products are too small to pay for a thread hand-off and whose features
 * fit in L1 (`denseSmallFits`); larger ones take ops-gemm.ts's path, which splits and packs.
 * Both paths give bit-identical results (the kernels sum each element in gemm's order).
 */
import { StateError } from '../errors.js';
import type { TensorRef } from './storage.js';
import { kernels } from './runtime.js';
import { worthSplitting } from './parallel.js';
import { ptr } from './ops-base.js';

/** Largest in/out feature count of the small path: W, Wᵀ and a few rows of x stay in L1. */
const MAX_FEATURES = 32;
/** Single-thread ns per multiply-add of the small kernels (the packed GEMM's is NS.mac in ops-base.ts): the three products of a backward. */
const NS_PER_MAC = 1 / 22;

/**
 * @internal kernels().denseScratchSize(m, n, k), without a call into WASM (a test checks they
 * agree): the larger of the two passes' scratch.
 */
export function denseScratchFloats(m: number, n: number, k: number): number {
  return Math.max(denseForwardScratch(n, k), denseBackwardScratch(m, n));
}
/** Scratch floats of denseForward: Wᵀ padded to a multiple of 4 columns. */
export const denseForwardScratch = (n: number, k: number): number => k * ((n + 3) & ~3);
/** Scratch floats of denseBackward: the zero-padded [rows][4] tail panels. */
export const denseBackwardScratch = (m: number, n: number): number => 4 * Math.max(m, n);

let enabled = true;

/** @internal For tests and bench/: turn the small path off (every Linear takes the gemm path) or on. */
export function setDenseSmallPath(on: boolean): void {
  enabled = on;
}

/** Whether a Linear(k → n) over m rows takes the one-call small path (never split across threads). */
export function denseSmallFits(m: number, k: number, n: number): boolean {
  return enabled && k <= MAX_FEATURES && n <= MAX_FEATURES && !worthSplitting(3 * m * n * k * NS_PER_MAC);
}

/**
 * z[m, n] = x[m, k]·wᵀ + bias; y = ReLU(z) when y is given (y has z's shape). `scratch`: at least
 * denseForwardScratch(n, k) floats (the layer's own workspace, freed with it).
 */
export function denseForward(x: TensorRef, w: TensorRef, bias: TensorRef | null, z: TensorRef, y: TensorRef | null, scratch: TensorRef): void {
  const n = w.shape[0]!, k = w.shape[1]!, m = x.size / k;
  kernels().denseForward(m, n, k, ptr(x, 'forward'), ptr(w, 'forward'), bias ? ptr(bias, 'forward') : 0,
    ptr(z, 'forward'), y ? ptr(y, 'forward') : 0, ptr(scratch, 'forward'));
}

/**
 * The backward of denseForward: with `z` (the ReLU's input) the gradient dy of y is masked into
 * `dz` first (the ReLU's input gradient), else dy is the gradient of z; db += Σ rows, dw += gᵀ·x,
 * dx = g·w (skipped when dx is null: backwardParameters). `scratch`: at least
 * denseBackwardScratch(m, n) floats.
 */
export function denseBackward(
  x: TensorRef, w: TensorRef, dy: TensorRef, z: TensorRef | null, dz: TensorRef | null,
  dw: TensorRef, db: TensorRef | null, dx: TensorRef | null, scratch: TensorRef,
): void {
  // The kernel writes dz whenever z is given: a z without a dz would write through address 0.
  if ((z === null) !== (dz === null)) throw new StateError('internal: denseBackward takes z and dz together');
  const n = w.shape[0]!, k = w.shape[1]!, m = x.size / k;
  kernels().denseBackward(m, n, k, ptr(x, 'backward'), ptr(w, 'backward'), ptr(dy, 'backward'),
    z ? ptr(z, 'backward') : 0, dz ? ptr(dz, 'backward') : 0, ptr(dw, 'backward'),
    db ? ptr(db, 'backward') : 0, dx ? ptr(dx, 'backward') : 0, ptr(scratch, 'backward'));
}
