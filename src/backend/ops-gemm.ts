/**
 * The dense products at tensor level: one `gemm` picks the strides, the packing scratch and the
 * thread split of the three products of a dense layer (forward X·Wᵀ, weight gradient dYᵀ·X,
 * input gradient dY·W), plus the transpose and column sums around them. Part of ops.ts (which
 * re-exports it); every split sums each element over k in the same order, so results are
 * bit-identical for every thread count.
 */
import { Storage, type TensorRef } from './storage.js';
import { kernels } from './runtime.js';
import { parallelFor, threadCount, worthSplitting, type Split } from './parallel.js';
import { F, NS, ptr } from './ops-base.js';

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

// How gemmStridedRange's / transposeRange's / columnSumsRange's arguments follow a chunk.
const SPLIT_GEMM_ROWS: Split = { range: 13, scratch: 12 };
const SPLIT_GEMM_COLS: Split = { range: 15, scratch: 12 };
const SPLIT_RANGE_4: Split = { range: 4 };
const SPLIT_RANGE_5: Split = { range: 5 };

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

/** dst[n] += Σ_rows src[rows, n] (a dense layer's bias gradient). */
export function addColumnSums(src: TensorRef, dst: TensorRef): void {
  const [rows, cols] = src.shape as [number, number];
  const ps = ptr(src, 'backward'), pd = ptr(dst, 'backward'), ns = rows * cols * NS.move;
  if (worthSplitting(ns)) parallelFor('columnSumsRange', [rows, cols, ps, pd, 1, 0, cols], cols, 4, SPLIT_RANGE_5, ns);
  else kernels().columnSums(rows, cols, ps, pd, 1);
}
