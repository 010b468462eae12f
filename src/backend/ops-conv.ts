/**
 * Tensor-level convolution: im2col + the packed GEMM, one image at a time. The caller owns the
 * scratch (scratchSize(g) floats, for the thread count at the time of the call): a shared part
 * (when O is not a multiple of 4, the weight and bias zero-padded to O4 rows so that the GEMM
 * runs on full 4-row bands; its single-row tail is several times slower), then one slice per
 * thread: one image's patches col (K·P floats, K = C·KH·KW, P = OH·OW), the padded output rows
 * [O4, P] when O4 ≠ O, and the GEMM's packing scratch.
 *
 * With init({ threads }) the forward and the input gradient are split over the images of the
 * batch (conv-images.ts; each image computed exactly as on one thread). The weight gradient
 * sums over the batch and stays on the calling thread, images in order, so every thread count
 * gives the same bits; the bias gradient is split over output channels.
 */
import type { TensorRef } from './storage.js';
import { kernels } from './runtime.js';
import { parallelFor, threadCount, type Split } from './parallel.js';
import { ptr } from './ops.js';

/** Sizes of one Conv2d call: input [N, C, H, W], weight [O, C, KH, KW], output [N, O, OH, OW]. */
export interface ConvGeometry {
  N: number; C: number; H: number; W: number; O: number;
  KH: number; KW: number; SH: number; SW: number; PH: number; PW: number; DH: number; DW: number;
  OH: number; OW: number;
}

/** Output channels rounded up to the GEMM's 4-row bands. */
const bands = (O: number): number => Math.ceil(O / 4) * 4;
/** Single-thread ns per multiply-add of the convolution's GEMMs (as ops.ts's NS.mac). */
const NS_MAC = 1 / 22;
/** conv2dImagesForward / conv2dImagesInputGrad: images [n0, n1) first, the thread's scratch last. */
const SPLIT_FORWARD: Split = { range: 0, scratch: 21 };
const SPLIT_INPUT_GRAD: Split = { range: 0, scratch: 20 };
const SPLIT_RANGE_0: Split = { range: 0 };

/** Floats of the shared part and of each thread's slice. */
function sizes(g: ConvGeometry): { shared: number; slice: number } {
  const K = g.C * g.KH * g.KW, P = g.OH * g.OW, O4 = bands(g.O), k = kernels();
  const padded = O4 !== g.O;
  const packs = Math.max(k.gemmPackSize(O4, P, K), k.gemmPackSize(O4, K, P), k.gemmPackSize(K, P, g.O));
  return { shared: padded ? O4 * K + O4 : 0, slice: K * P + (padded ? O4 * P : 0) + Math.ceil(packs / 4) * 4 };
}

/** Floats of scratch conv2dForward / conv2dBackward need with the current thread count. */
export function scratchSize(g: ConvGeometry): number {
  const { shared, slice } = sizes(g);
  return shared + threadCount() * slice;
}

/** Pointers into the scratch: padded weight [O4, K], bias [O4], then the calling thread's slice. */
function carve(g: ConvGeometry, scratch: number): { w4: number; b4: number; slice: number; sliceBytes: number; O4: number } {
  const K = g.C * g.KH * g.KW, O4 = bands(g.O), { shared, slice } = sizes(g);
  return { w4: scratch, b4: scratch + 4 * O4 * K, slice: scratch + 4 * shared, sliceBytes: 4 * slice, O4 };
}

/** y[N, O, OH, OW] = conv(x, w) + bias. */
export function conv2dForward(x: TensorRef, w: TensorRef, bias: TensorRef | null, y: TensorRef, scratch: TensorRef, g: ConvGeometry): void {
  const K = g.C * g.KH * g.KW, P = g.OH * g.OW;
  const what = 'Conv2d.forward';
  const k = kernels();
  const xp = ptr(x, what), yp = ptr(y, what), s = carve(g, ptr(scratch, what));
  let wp = ptr(w, what), bp = bias ? ptr(bias, what) : 0;
  if (s.O4 !== g.O) {
    // Zero-padded copies of the weight and bias: the GEMM then writes O4 rows into each slice.
    k.fill(s.O4 * K + s.O4, s.w4, 0);
    k.copy(g.O * K, wp, s.w4);
    if (bp) k.copy(g.O, bp, s.b4);
    wp = s.w4;
    bp = s.b4;
  }
  parallelFor('conv2dImagesForward', [0, g.N, g.C, g.H, g.W, g.O, g.KH, g.KW, g.SH, g.SW, g.PH, g.PW, g.DH, g.DW,
    g.OH, g.OW, xp, wp, bp, yp, s.O4, s.slice], g.N, 1, SPLIT_FORWARD, g.N * s.O4 * P * K * NS_MAC, s.sliceBytes, 1);
}

/**
 * Given dy[N, O, OH, OW]: dw += Σ_n dy_n·col_nᵀ, db += Σ dy, and (when dx is given)
 * dx = Σ col2im(wᵀ·dy_n).
 */
export function conv2dBackward(
  x: TensorRef, w: TensorRef, dy: TensorRef, dw: TensorRef, db: TensorRef | null, dx: TensorRef | null, scratch: TensorRef, g: ConvGeometry,
): void {
  const K = g.C * g.KH * g.KW, P = g.OH * g.OW, image = g.C * g.H * g.W;
  const k = kernels();
  const what = 'Conv2d.backward';
  const s = carve(g, ptr(scratch, what));
  const xp = ptr(x, what), wp = ptr(w, what), dyp = ptr(dy, what), dwp = ptr(dw, what);
  if (db) parallelFor('convBiasGrad', [0, g.O, g.N, g.O, P, dyp, ptr(db, what)], g.O, 1, SPLIT_RANGE_0, g.N * g.O * P * 0.25);
  if (dx) {
    parallelFor('conv2dImagesInputGrad', [0, g.N, g.C, g.H, g.W, g.O, g.KH, g.KW, g.SH, g.SW, g.PH, g.PW, g.DH, g.DW,
      g.OH, g.OW, wp, dyp, ptr(dx, what), s.O4, s.slice], g.N, 1, SPLIT_INPUT_GRAD, g.N * g.O * P * K * NS_MAC, s.sliceBytes, 1);
  }
  // dw[O, K] += dy_n[O, P]·col_nᵀ[P, K], images in order on this thread (in the calling thread's slice).
  const padded = s.O4 !== g.O;
  const col = s.slice, y4 = col + 4 * K * P, packed = y4 + (padded ? 4 * s.O4 * P : 0);
  // Padded: dw accumulates in w4 (rows past O stay zero), dy_n is copied into the first rows of y4.
  if (padded) {
    k.fill(s.O4 * K, s.w4, 0);
    k.copy(g.O * K, dwp, s.w4);
    k.fill(s.O4 * P, y4, 0);
  }
  for (let n = 0; n < g.N; n++) {
    const dyn = dyp + 4 * n * g.O * P;
    k.im2col(0, g.C, g.C, g.H, g.W, g.KH, g.KW, g.SH, g.SW, g.PH, g.PW, g.DH, g.DW, g.OH, g.OW, xp + 4 * n * image, col, 1);
    if (padded) {
      k.copy(g.O * P, dyn, y4);
      k.gemm(s.O4, K, P, y4, P, 1, col, s.w4, 0, 1, packed);
    } else {
      k.gemm(g.O, K, P, dyn, P, 1, col, dwp, 0, 1, packed);
    }
  }
  if (padded) k.copy(g.O * K, s.w4, dwp);
}
