/**
 * Conv2d's string paddings, as torch: 'valid' is no padding; 'same' (stride 1 only) keeps the
 * spatial size with a total padding of dilation·(kernel − 1) per dimension, half on each side,
 * the odd zero (even kernels) at the bottom / right. The symmetric part is the convolution's own
 * padding; the odd zero enters the output size only (the convolution kernels read zeros past the
 * image's bottom / right edge, and their input gradient ends at the image's edge).
 */
import { ValueError } from '../errors.js';
import { MAX_DIM, pyRepr } from './layer-args.js';

/** A string padding of Conv2d. */
export type PaddingMode = 'same' | 'valid';

/**
 * The symmetric padding [ph, pw] of a string padding, and the extra zeros [eh, ew] (0 or 1)
 * 'same' needs at the bottom / right. Throws ValueError for 'same' with a stride other than 1, or
 * whose padding would exceed 2^24 on a side (the limit of a number padding).
 */
export function resolvePaddingMode(where: string, mode: PaddingMode, kernel: readonly [number, number],
  stride: readonly [number, number], dilation: readonly [number, number]): { padding: [number, number]; extra: [number, number] } {
  if (mode === 'valid') return { padding: [0, 0], extra: [0, 0] };
  if (stride[0] !== 1 || stride[1] !== 1) {
    throw new ValueError(`${where}: padding 'same' needs stride 1 (as torch), got stride ${pyRepr(stride)}`);
  }
  const total = [dilation[0] * (kernel[0] - 1), dilation[1] * (kernel[1] - 1)];
  const padding: [number, number] = [Math.floor(total[0]! / 2), Math.floor(total[1]! / 2)];
  if (padding[0] > MAX_DIM || padding[1] > MAX_DIM) {
    // The kernels index in 32 bits; a number padding has the same limit.
    throw new ValueError(`${where}: padding 'same' with kernel ${pyRepr(kernel)} and dilation ${pyRepr(dilation)} needs padding ` +
      `${pyRepr(padding)}, more than ${MAX_DIM} (2^24) on a side; use a smaller dilation or kernel`);
  }
  return { padding, extra: [total[0]! - 2 * padding[0], total[1]! - 2 * padding[1]] };
}
