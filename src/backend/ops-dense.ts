/**
 * TensorRef-level entry points to dense-small.ts: a small Linear's forward (optionally with the
 * following ReLU) and its backward (optionally with the preceding ReLU's) as one kernel call each.
 * Only for layers whose products are too small to pay for a thread hand-off and whose features
 * fit in L1 (`denseSmallFits`); larger ones take ops.ts's gemm path, which splits and packs.
 * Both paths give bit-identical results (the kernels sum each element in gemm's order).
 */
import { Storage, type TensorRef } from './storage.js';
import { kernels } from './runtime.js';
import { worthSplitting } from './parallel.js';
import { ptr } from './ops.js';

/** Largest in/out feature count of the small path: W, Wᵀ and a few rows of x stay in L1. */
const MAX_FEATURES = 32;
/** Single-thread ns per multiply-add (as ops.ts's NS.mac): the three products of a backward. */
const NS_PER_MAC = 1 / 22;

/** Scratch for Wᵀ and the padded tail panels: allocated on need, grown, never freed. */
let scratch: Storage | null = null;

/** @internal kernels().denseScratchSize(m, n, k), without a call into WASM (a test checks they agree). */
export function denseScratchFloats(m: number, n: number, k: number): number {
  return Math.max(k * ((n + 3) & ~3), 4 * Math.max(m, n));
}

function scratchPtr(m: number, n: number, k: number): number {
  const floats = denseScratchFloats(m, n, k);
  scratch ??= new Storage(floats);
  scratch.ensureCapacity(floats);
  return scratch.ptr();
}

let enabled = true;

/** @internal For tests and bench/: turn the small path off (every Linear takes the gemm path) or on. */
export function setDenseSmallPath(on: boolean): void {
  enabled = on;
}

/** Whether a Linear(k → n) over m rows takes the one-call small path (never split across threads). */
export function denseSmallFits(m: number, k: number, n: number): boolean {
  return enabled && k <= MAX_FEATURES && n <= MAX_FEATURES && !worthSplitting(3 * m * n * k * NS_PER_MAC);
}

/** z[m, n] = x[m, k]·wᵀ + bias; y = ReLU(z) when y is given (y has z's shape). */
export function denseForward(x: TensorRef, w: TensorRef, bias: TensorRef | null, z: TensorRef, y: TensorRef | null): void {
  const [n, k] = w.shape as [number, number];
  const m = x.size / k;
  const s = scratchPtr(m, n, k); // may grow memory: take it before the pointers below
  kernels().denseForward(m, n, k, ptr(x, 'forward'), ptr(w, 'forward'), bias ? ptr(bias, 'forward') : 0,
    ptr(z, 'forward'), y ? ptr(y, 'forward') : 0, s);
}

/**
 * The backward of denseForward: with `z` (the ReLU's input) the gradient dy of y is masked into
 * dz first (the ReLU's input gradient), else dy is the gradient of z; db += Σ rows, dw += gᵀ·x,
 * dx = g·w (skipped when dx is null: backwardParameters).
 */
export function denseBackward(
  x: TensorRef, w: TensorRef, dy: TensorRef, relu: { z: TensorRef; dz: TensorRef } | null,
  dw: TensorRef, db: TensorRef | null, dx: TensorRef | null,
): void {
  const [n, k] = w.shape as [number, number];
  const m = x.size / k;
  const s = scratchPtr(m, n, k);
  kernels().denseBackward(m, n, k, ptr(x, 'backward'), ptr(w, 'backward'), ptr(dy, 'backward'),
    relu ? ptr(relu.z, 'backward') : 0, relu ? ptr(relu.dz, 'backward') : 0, ptr(dw, 'backward'),
    db ? ptr(db, 'backward') : 0, dx ? ptr(dx, 'backward') : 0, s);
}
