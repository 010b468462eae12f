/** Argument checks and torch-style formatting shared by the convolution, pooling and norm layers. */
import { ShapeError, ValueError, formatShape } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { checkNumber, checkTensor } from '../validate.js';

/** A size given as one number for both spatial dimensions, or as [height, width]. */
export type Size2 = number | readonly [number, number];

/** Largest accepted size, stride, padding, dilation or channel count (a tensor dimension must fit memory). */
export const MAX_DIM = 2 ** 24;

/** Checks a number-or-pair argument (integers in [min, MAX_DIM]) and returns it as [h, w]. */
export function checkPair(where: string, name: string, value: unknown, min: number): [number, number] {
  const values = Array.isArray(value) ? value : [value, value];
  if (Array.isArray(value) && value.length !== 2) {
    throw new ValueError(`${where}: ${name} must be a number or a pair [height, width], got an array of length ${value.length}`);
  }
  const rule = { integer: true, min, max: MAX_DIM };
  return [checkNumber(where, `${name}[0]`, values[0], rule), checkNumber(where, `${name}[1]`, values[1], rule)];
}

/** The argument as given (number or pair copy), for toConfig(). */
export function asGiven(value: Size2): number | [number, number] {
  return typeof value === 'number' ? value : [value[0], value[1]];
}

/** Python's repr of a number or tuple, as torch prints layer arguments: 2, (5, 5), 1e-05, 0.1. */
export function pyRepr(value: number | readonly number[]): string {
  if (typeof value !== 'number') return `(${value.map((v) => pyRepr(v)).join(', ')}${value.length === 1 ? ',' : ''})`;
  return String(value);
}

/** Python's repr of a float: 1e-05, 0.1, 1.0. */
export function pyFloat(value: number): string {
  if (Number.isInteger(value) && Math.abs(value) < 1e16) return `${value}.0`;
  if (value !== 0 && (Math.abs(value) < 1e-4 || Math.abs(value) >= 1e16)) {
    return value.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
  }
  return String(value);
}

/** Python's True / False. */
export const pyBool = (b: boolean): string => (b ? 'True' : 'False');

/** Output length of a sliding window: ⌊(n + 2p − d·(k − 1) − 1) / s⌋ + 1 (may be ≤ 0). */
export function windowOut(n: number, k: number, s: number, p: number, d = 1): number {
  return Math.floor((n + 2 * p - d * (k - 1) - 1) / s) + 1;
}

/**
 * For a rank-3 input, the reshape that makes it an image batch: one image [C, H, W] lacks the
 * batch dimension, a batch of one-channel images [N, H, W] (MNIST as loaded) the channel one;
 * both when the layer takes any channel count and the shape fits either.
 */
function rank3Hint(shape: readonly number[], channels: number | null): string {
  if (shape.length !== 3) return '';
  const [a, h, w] = shape as [number, number, number];
  const unbatched = `one image [channels, height, width] needs its batch dimension: x.reshape([1, ${a}, ${h}, ${w}])`;
  const oneChannel = `a batch of one-channel images [batch, height, width] needs its channel dimension: x.reshape([${a}, 1, ${h}, ${w}])`;
  if (channels === null) return ` (${unbatched}; ${oneChannel})`;
  if (a === channels) return ` (${unbatched})`;
  return channels === 1 ? ` (${oneChannel})` : '';
}

/**
 * Checks an [N, C, H, W] input with N ≥ 1, C = channels, H, W ≥ 1; names the layer, the
 * expected and the actual shape. torch also takes one unbatched image [C, H, W]; here a rank-3
 * input is refused with the reshape that makes it a batch (rank3Hint).
 */
export function checkImageInput(where: string, input: unknown, channels: number | null): Tensor {
  const x = checkTensor(where, 'input', input);
  const want = `[batch, ${channels ?? 'channels'}, height, width]`;
  if (x.ndim !== 4 || x.shape[0] === 0 || x.shape[2] === 0 || x.shape[3] === 0 || (channels !== null && x.shape[1] !== channels)) {
    throw new ShapeError(`${where}: input must have shape ${want} with batch, height, width ≥ 1, got ${formatShape(x.shape)}${rank3Hint(x.shape, channels)}`);
  }
  return x;
}
