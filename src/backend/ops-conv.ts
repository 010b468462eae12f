/**
 * Tensor-level convolution: im2col + the packed GEMM, one image at a time (the col scratch, owned
 * by the caller, holds one image's patches: K·P floats with K = C·KH·KW and P = OH·OW).
 */
import type { Tensor } from '../tensor.js';
import { kernels } from './runtime.js';
import { pack, ptr } from './ops.js';

/** Sizes of one Conv2d call: input [N, C, H, W], weight [O, C, KH, KW], output [N, O, OH, OW]. */
export interface ConvGeometry {
  N: number; C: number; H: number; W: number; O: number;
  KH: number; KW: number; SH: number; SW: number; PH: number; PW: number; DH: number; DW: number;
  OH: number; OW: number;
}

/** Floats of the col scratch for one image. */
export function colSize(g: ConvGeometry): number {
  return g.C * g.KH * g.KW * g.OH * g.OW;
}

function im2col(g: ConvGeometry, x: number, col: number, transposed: number): void {
  kernels().im2col(0, g.C, g.C, g.H, g.W, g.KH, g.KW, g.SH, g.SW, g.PH, g.PW, g.DH, g.DW, g.OH, g.OW, x, col, transposed);
}

/** y[N, O, OH, OW] = conv(x, w) + bias. */
export function conv2dForward(x: Tensor, w: Tensor, bias: Tensor | null, y: Tensor, col: Tensor, g: ConvGeometry): void {
  const K = g.C * g.KH * g.KW, P = g.OH * g.OW;
  const k = kernels(), scratch = pack(g.O, P, K);
  const xp = ptr(x, 'Conv2d.forward'), wp = ptr(w, 'Conv2d.forward'), yp = ptr(y, 'Conv2d.forward'), cp = ptr(col, 'Conv2d.forward');
  k.convBiasInit(0, g.N * g.O, g.O, P, bias ? ptr(bias, 'Conv2d.forward') : 0, yp);
  for (let n = 0; n < g.N; n++) {
    im2col(g, xp + 4 * n * g.C * g.H * g.W, cp, 0);
    k.gemm(g.O, P, K, wp, K, 1, cp, yp + 4 * n * g.O * P, 0, 1, scratch);
  }
}

/**
 * Given dy[N, O, OH, OW]: dw += Σ_n dy_n·col_nᵀ, db += Σ dy, and (when dx is given)
 * dx = Σ col2im(wᵀ·dy_n).
 */
export function conv2dBackward(
  x: Tensor, w: Tensor, dy: Tensor, dw: Tensor, db: Tensor | null, dx: Tensor | null, col: Tensor, g: ConvGeometry,
): void {
  const K = g.C * g.KH * g.KW, P = g.OH * g.OW, image = g.C * g.H * g.W;
  const k = kernels();
  // One shared pack scratch: size it for both products before taking either pointer.
  const scratchW0 = pack(g.O, K, P);
  const scratchX = dx ? pack(K, P, g.O) : 0;
  const scratchW = scratchW0 && pack(g.O, K, P);
  const what = 'Conv2d.backward';
  const xp = ptr(x, what), wp = ptr(w, what), dyp = ptr(dy, what), dwp = ptr(dw, what), cp = ptr(col, what);
  if (db) k.convBiasGrad(0, g.O, g.N, g.O, P, dyp, ptr(db, what));
  const dxp = dx ? ptr(dx, what) : 0;
  if (dx) k.fill(g.N * image, dxp, 0);
  for (let n = 0; n < g.N; n++) {
    const dyn = dyp + 4 * n * g.O * P;
    // dw[O, K] += dy_n[O, P]·colᵀ[P, K]
    im2col(g, xp + 4 * n * image, cp, 1);
    k.gemm(g.O, K, P, dyn, P, 1, cp, dwp, 0, 1, scratchW);
    if (!dx) continue;
    // dcol[K, P] = wᵀ[K, O]·dy_n[O, P] (w read transposed), then added back into dx_n.
    k.gemm(K, P, g.O, wp, 1, K, dyn, cp, 0, 0, scratchX);
    k.col2im(0, g.C, g.C, g.H, g.W, g.KH, g.KW, g.SH, g.SW, g.PH, g.PW, g.DH, g.DW, g.OH, g.OW, cp, dxp + 4 * n * image);
  }
}
