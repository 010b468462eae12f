/**
 * Tensor-level convolution: im2col + the packed GEMM, one image at a time. The caller owns the
 * scratch (scratchSize(g) floats): one image's patches col (K·P floats, K = C·KH·KW,
 * P = OH·OW) and, when O is not a multiple of 4, room to pad the output channels to a multiple
 * of 4 so that the GEMM runs on full 4-row bands (its single-row tail is several times slower).
 */
import type { TensorRef } from './storage.js';
import { kernels } from './runtime.js';
import { pack, ptr } from './ops.js';

/** Sizes of one Conv2d call: input [N, C, H, W], weight [O, C, KH, KW], output [N, O, OH, OW]. */
export interface ConvGeometry {
  N: number; C: number; H: number; W: number; O: number;
  KH: number; KW: number; SH: number; SW: number; PH: number; PW: number; DH: number; DW: number;
  OH: number; OW: number;
}

/** Output channels rounded up to the GEMM's 4-row bands. */
const bands = (O: number): number => Math.ceil(O / 4) * 4;

/** Floats of scratch conv2dForward / conv2dBackward need. */
export function scratchSize(g: ConvGeometry): number {
  const K = g.C * g.KH * g.KW, P = g.OH * g.OW, O4 = bands(g.O);
  const padding = O4 === g.O ? 0 : O4 * K + O4 + O4 * P;
  return K * P + padding;
}

/** Pointers into the scratch: col [K, P], then padded weight [O4, K], bias [O4], rows [O4, P]. */
function carve(g: ConvGeometry, scratch: number): { col: number; w4: number; b4: number; y4: number; O4: number } {
  const K = g.C * g.KH * g.KW, P = g.OH * g.OW, O4 = bands(g.O);
  const w4 = scratch + 4 * K * P, b4 = w4 + 4 * O4 * K;
  return { col: scratch, w4, b4, y4: b4 + 4 * O4, O4 };
}

function im2col(g: ConvGeometry, x: number, col: number, transposed: number): void {
  kernels().im2col(0, g.C, g.C, g.H, g.W, g.KH, g.KW, g.SH, g.SW, g.PH, g.PW, g.DH, g.DW, g.OH, g.OW, x, col, transposed);
}

/** y[N, O, OH, OW] = conv(x, w) + bias. */
export function conv2dForward(x: TensorRef, w: TensorRef, bias: TensorRef | null, y: TensorRef, scratch: TensorRef, g: ConvGeometry): void {
  const K = g.C * g.KH * g.KW, P = g.OH * g.OW;
  const what = 'Conv2d.forward';
  const k = kernels(), packed = pack(bands(g.O), P, K);
  const xp = ptr(x, what), yp = ptr(y, what), s = carve(g, ptr(scratch, what));
  let wp = ptr(w, what), bp = bias ? ptr(bias, what) : 0;
  if (s.O4 !== g.O) {
    // Zero-padded copies of the weight and bias: the GEMM then writes O4 rows into y4.
    k.fill(s.O4 * K + s.O4, s.w4, 0);
    k.copy(g.O * K, wp, s.w4);
    if (bp) k.copy(g.O, bp, s.b4);
    wp = s.w4;
    bp = s.b4;
  } else {
    k.convBiasInit(0, g.N * g.O, g.O, P, bp, yp);
  }
  for (let n = 0; n < g.N; n++) {
    const yn = yp + 4 * n * g.O * P;
    im2col(g, xp + 4 * n * g.C * g.H * g.W, s.col, 0);
    if (s.O4 === g.O) {
      k.gemm(g.O, P, K, wp, K, 1, s.col, yn, 0, 1, packed);
    } else {
      k.convBiasInit(0, s.O4, s.O4, P, bp, s.y4);
      k.gemm(s.O4, P, K, wp, K, 1, s.col, s.y4, 0, 1, packed);
      k.copy(g.O * P, s.y4, yn);
    }
  }
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
  // One shared pack scratch: size it for both products before taking either pointer.
  const scratchW0 = pack(s.O4, K, P);
  const scratchX = dx ? pack(K, P, g.O) : 0;
  const scratchW = scratchW0 && pack(s.O4, K, P);
  const xp = ptr(x, what), wp = ptr(w, what), dyp = ptr(dy, what), dwp = ptr(dw, what);
  if (db) k.convBiasGrad(0, g.O, g.N, g.O, P, dyp, ptr(db, what));
  const dxp = dx ? ptr(dx, what) : 0;
  if (dx) k.fill(g.N * image, dxp, 0);
  const padded = s.O4 !== g.O;
  // Padded: dw accumulates in w4 (rows past O stay zero), dy_n is copied into the first rows of y4.
  if (padded) {
    k.fill(s.O4 * K, s.w4, 0);
    k.copy(g.O * K, dwp, s.w4);
    k.fill(s.O4 * P, s.y4, 0);
  }
  for (let n = 0; n < g.N; n++) {
    const dyn = dyp + 4 * n * g.O * P;
    // dw[O, K] += dy_n[O, P]·colᵀ[P, K]
    im2col(g, xp + 4 * n * image, s.col, 1);
    if (padded) {
      k.copy(g.O * P, dyn, s.y4);
      k.gemm(s.O4, K, P, s.y4, P, 1, s.col, s.w4, 0, 1, scratchW);
    } else {
      k.gemm(g.O, K, P, dyn, P, 1, s.col, dwp, 0, 1, scratchW);
    }
    if (!dx) continue;
    // dcol[K, P] = wᵀ[K, O]·dy_n[O, P] (w read transposed), then added back into dx_n.
    k.gemm(K, P, g.O, wp, 1, K, dyn, s.col, 0, 0, scratchX);
    k.col2im(0, g.C, g.C, g.H, g.W, g.KH, g.KW, g.SH, g.SW, g.PH, g.PW, g.DH, g.DW, g.OH, g.OW, s.col, dxp + 4 * n * image);
  }
  if (padded) k.copy(g.O * K, s.w4, dwp);
}
