/**
 * Tensor-level zero padding at the bottom / right of NCHW planes and its inverse crop, for
 * Conv2d's padding 'same' with an even total padding (torch adds the odd zero at the end). Each
 * plane is moved with the copy / fill kernels: one call per plane when only rows are added, one
 * per image row otherwise.
 */
import type { TensorRef as Tensor } from './storage.js';
import { kernels } from './runtime.js';
import { ptr } from './ops-base.js';

/** How many planes, their size, and the rows / columns added at the bottom / right. */
export interface PadGeometry { planes: number; H: number; W: number; EH: number; EW: number }

/** xp [planes, H + EH, W + EW] = x [planes, H, W] in the top-left corner, zeros elsewhere. */
export function padBottomRight(x: Tensor, xp: Tensor, g: PadGeometry): void {
  const k = kernels(), src = ptr(x, 'forward'), dst = ptr(xp, 'forward');
  const { planes, H, W, EH, EW } = g, W2 = W + EW, H2 = H + EH;
  for (let p = 0; p < planes; p++) {
    const s = src + p * H * W * 4, d = dst + p * H2 * W2 * 4;
    if (EW === 0) k.copy(H * W, s, d);
    else {
      for (let h = 0; h < H; h++) {
        k.copy(W, s + h * W * 4, d + h * W2 * 4);
        k.fill(EW, d + (h * W2 + W) * 4, 0);
      }
    }
    if (EH > 0) k.fill(EH * W2, d + H * W2 * 4, 0);
  }
}

/** dx [planes, H, W] = the top-left corner of dxp [planes, H + EH, W + EW]. */
export function cropBottomRight(dxp: Tensor, dx: Tensor, g: PadGeometry): void {
  const k = kernels(), src = ptr(dxp, 'backward'), dst = ptr(dx, 'backward');
  const { planes, H, W, EH, EW } = g, W2 = W + EW, H2 = H + EH;
  for (let p = 0; p < planes; p++) {
    const s = src + p * H2 * W2 * 4, d = dst + p * H * W * 4;
    if (EW === 0) k.copy(H * W, s, d);
    else for (let h = 0; h < H; h++) k.copy(W, s + h * W2 * 4, d + h * W * 4);
  }
}
