/**
 * Splitting one kernel call across the pool's threads, for the tensor-level wrappers (ops.ts)
 * and any kernel with a `[begin, end)` range or a `(count, pointers…)` signature.
 *
 * - parallelFor: outputs are partitioned (each element written by one thread, computed exactly
 *   as in one call), so any split gives bit-identical results; it runs on the calling thread
 *   alone when the estimated work is below MIN_PARALLEL_NS.
 * - parallelSum: a reduction. The units are cut in chunks whose size the caller fixes from the
 *   shape alone, and the chunks' values are summed in chunk order — on one thread exactly as on
 *   many, so the sum does not depend on the thread count.
 */
import type { KernelName } from './kernels.js';
import { MAX_CHUNKS, writeJob, type Split } from './pool.js';
import { CTRL_INTS, LAYOUT, JOB_SLOTS, runChunks, type PoolKernel } from './pool-worker.js';
import { StateError } from '../errors.js';
import { runtime } from './runtime.js';

export type { Split } from './pool.js';

/**
 * Work (estimated single-thread nanoseconds) below which a call stays on the calling thread.
 * Splitting W on 2 threads pays once W/2 + hand-off < W; the hand-off (publish, wake, claim,
 * wait) costs a few µs on an idle machine and far more on a loaded one (bench/threads.mjs
 * measures it). 50 µs keeps every call of the seed network on one thread (it cannot get slower),
 * and of mid (64-128-128-10, batch 64) all but its 128→128 products (gemmNs ≈ 74 µs: split, the
 * step 1.27–1.29× on 2 threads in quiet runs), while every GEMM of mnist and wide (≥ 1.5 ms) and
 * their optimizer steps are split. Checked against the hand-off table of a quiet run (bench/RESULTS.md, end of
 * round 4): a 64³ GEMM (estimated 11.9 µs, 17.8 µs real) loses on 2 threads (0.77×), a 96³ one
 * (40.2 µs estimated, 56 µs real) gains 1.38×: the break-even lies near 40 µs of real work, and
 * since the estimates run ≈ 0.7× real, 50 µs estimated (≈ 70 µs real) sits just above it. Kept.
 */
export const MIN_PARALLEL_NS = 50_000;
let minParallelNs = MIN_PARALLEL_NS;

/** @internal For tests and bench/: the threshold in ns (0 splits every call), or the default. */
export function setParallelThreshold(ns: number = MIN_PARALLEL_NS): void {
  minParallelNs = ns;
}

/** Threads a parallel call would use now (1 without a pool or with the reference kernels). */
export function threadCount(): number {
  const rt = runtime();
  return rt.pool !== null && rt.active === rt.wasm ? rt.pool.threads : 1;
}

/** Whether `ns` of single-thread work is worth splitting across the pool now. */
export function worthSplitting(ns: number): boolean {
  return ns >= minParallelNs && threadCount() > 1;
}

/**
 * Runs `kernel(args)` over the units [0, units) split in `perThread` chunks per thread (sizes
 * a multiple of `granule`; several per thread let the others finish a slow thread's share), or
 * as one call on the calling thread when `ns` (the estimated single-thread time) is too small.
 * `scratchBytes`: per-thread scratch (see Split.scratch).
 */
export function parallelFor(
  kernel: KernelName, args: number[], units: number, granule: number, split: Split, ns: number, scratchBytes = 0,
  perThread = 4,
): void {
  const rt = runtime();
  const threads = threadCount();
  if (threads > 1 && ns >= minParallelNs && units > granule) {
    const chunk = Math.ceil(Math.ceil(units / (threads * perThread)) / granule) * granule;
    rt.pool!.run(kernel, args, units, chunk, split, scratchBytes, false);
    return;
  }
  const fn = rt.active[kernel] as PoolKernel;
  fn(...args);
}

// The calling thread's private job, for reductions of several chunks without the pool.
const local = {
  ctrl: new Int32Array(CTRL_INTS),
  job: new Float64Array(JOB_SLOTS),
  results: new Float64Array(MAX_CHUNKS),
  args: new Float64Array(LAYOUT.MAX_ARGS),
};

/**
 * Σ over chunks of `kernel(args restricted to the chunk)`, in chunk order, with chunks of
 * `chunk` units: the caller derives `chunk` from the shape only, never from the thread count.
 */
export function parallelSum(kernel: KernelName, args: number[], units: number, chunk: number, split: Split, ns: number): number {
  const rt = runtime();
  const fn = rt.active[kernel] as PoolKernel;
  if (units <= chunk) return Number(fn(...args));
  const size = Math.max(chunk, Math.ceil(units / MAX_CHUNKS));
  if (worthSplitting(ns)) return rt.pool!.run(kernel, args, units, size, split, 0, true);
  const chunks = writeJob(local.job, 0, args, units, size, split, 0, true);
  const ctrl = local.ctrl;
  ctrl[LAYOUT.TOTAL] = chunks;
  ctrl[LAYOUT.NEXT] = 0;
  ctrl[LAYOUT.DONE] = 0;
  ctrl[LAYOUT.ERROR] = 0;
  ctrl[LAYOUT.SLOTS] = 0;
  ctrl[LAYOUT.GEN]! += 1;
  runChunks([fn], ctrl, local.job, local.results, local.args, 0, LAYOUT);
  if (ctrl[LAYOUT.ERROR] !== 0) throw new StateError(`internal: kernel ${kernel} failed`);
  let total = 0;
  for (let c = 0; c < chunks; c++) total += local.results[c]!;
  return total;
}
