/**
 * What the tensor-level wrappers (ops.ts and its ops-*.ts parts) share: `ptr`, the one place a
 * TensorRef becomes a pointer; the single-thread cost table that decides whether a call is worth
 * splitting across threads; and the Split shapes of the common argument lists.
 */
import type { TensorRef } from './storage.js';
import type { Split } from './parallel.js';

/** @internal Pointer of a usable tensor (throws for a disposed or stale one, naming `what`). */
export function ptr(t: TensorRef, what: string): number {
  t._check(what);
  return t._storage.ptr(t._offset);
}

/** Pointer of an optional tensor, 0 for null (the kernels' "absent"). */
export const ptrOrZero = (t: TensorRef | null, what: string): number => (t ? ptr(t, what) : 0);

/** Single-thread nanoseconds per unit of work, from the kernel benchmarks. */
export const NS = {
  /** per multiply-add of a large GEMM (≈ 32 GFLOP/s on the 2026-12 host; see gemmNs for narrow ones) */
  mac: 1 / 16,
  /** per element moved by transpose / gather / fill / column sums */
  move: 0.25,
  /** per element of a loss (value + gradient) */
  loss: 0.3,
  /** per element of softmax / cross-entropy rows (exp, log) */
  softmax: 3,
  /** per element of a dropout mask drawn by the counter-based generator (random.ts) */
  random: 1,
  /** per element of an optimizer step */
  optimizer: 1,
};

/** Elements per chunk of an elementwise reduction (a loss, a sum of squares): fixed, so sums never depend on threads. */
export const SUM_CHUNK = 16384;

/** Rows per chunk of a row-wise reduction over `cols` columns (fixed by the shape). */
export const rowChunk = (cols: number): number => Math.max(1, Math.floor(SUM_CHUNK / cols));

/** Bytes per float: Split offsets are in bytes. */
export const F = 4;
/** Elementwise splits keep 16-float (64-byte) chunks. */
export const GRANULE = 16;

// How each kernel's arguments follow a chunk of its units (see Split): elementwise kernels whose
// pointer arguments 1, 1–2, … advance by one float per unit.
export const SPLIT_1: Split = { count: 0, offsets: [[1, F]] };
export const SPLIT_1_2: Split = { count: 0, offsets: [[1, F], [2, F]] };
export const SPLIT_1_3: Split = { count: 0, offsets: [[1, F], [2, F], [3, F]] };
export const SPLIT_1_4: Split = { count: 0, offsets: [[1, F], [2, F], [3, F], [4, F]] };
export const SPLIT_1_5: Split = { count: 0, offsets: [[1, F], [2, F], [3, F], [4, F], [5, F]] };
