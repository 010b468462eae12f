/**
 * Parameter initialisation, after torch.nn.init. Each function fills a tensor in place (and
 * returns it), drawing from `generator` or the default generator seeded by manualSeed().
 */
import { ShapeError, ValueError, formatShape } from '../errors.js';
import { Generator, defaultGenerator } from '../random.js';
import { sizeOf } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { checkChoice, checkGenerator, checkNumber, checkOptions, checkTensor, describe } from '../validate.js';

/** Nonlinearities known to calculateGain: torch's names (the linear ones, conv*, gain 1). */
export type Nonlinearity = 'linear' | 'conv1d' | 'conv2d' | 'conv3d' | 'conv_transpose1d' | 'conv_transpose2d' | 'conv_transpose3d' |
  'sigmoid' | 'tanh' | 'relu' | 'leaky_relu' | 'selu';

/** Gain of each nonlinearity (PyTorch's table); leaky_relu takes its negative slope. */
const GAINS: Record<Nonlinearity, (param: number) => number> = {
  linear: () => 1,
  conv1d: () => 1,
  conv2d: () => 1,
  conv3d: () => 1,
  conv_transpose1d: () => 1,
  conv_transpose2d: () => 1,
  conv_transpose3d: () => 1,
  sigmoid: () => 1,
  tanh: () => 5 / 3,
  relu: () => Math.SQRT2,
  leaky_relu: (slope) => Math.sqrt(2 / (1 + slope * slope)),
  selu: () => 3 / 4,
};
const NONLINEARITIES = Object.keys(GAINS) as Nonlinearity[];

/** The recommended gain for a nonlinearity (torch.nn.init.calculate_gain). */
export function calculateGain(nonlinearity: Nonlinearity, param = 0.01): number {
  checkChoice('calculateGain', 'nonlinearity', nonlinearity, NONLINEARITIES);
  checkNumber('calculateGain', 'param', param);
  return GAINS[nonlinearity](param);
}

/** fan_in and fan_out of a weight [out, in, ...]; `where` names the caller in messages. */
export function computeFans(t: Tensor, where = 'init.computeFans'): { fanIn: number; fanOut: number } {
  checkTensor(where, 'the tensor', t);
  if (t.ndim < 2) {
    throw new ShapeError(`${where}: fan in and fan out can not be computed for a tensor with fewer than 2 dimensions (torch's rule), got ${formatShape(t.shape)}`);
  }
  const receptive = sizeOf(t.shape.slice(2));
  return { fanIn: t.shape[1]! * receptive, fanOut: t.shape[0]! * receptive };
}

function fillWith(t: Tensor, draw: () => number, where: string): Tensor {
  // Drawn into a copy first: a generator-like object (anything with uniform / normal passes
  // checkGenerator) that returns NaN or a string, or throws part-way, leaves the tensor as it was
  // instead of filled with NaN (silently) or half re-drawn.
  const values = new Float32Array(t.size);
  for (let i = 0; i < values.length; i++) {
    const v: unknown = draw();
    if (typeof v !== 'number' || !Number.isFinite(Math.fround(v))) {
      throw new ValueError(`${where}: the generator returned ${describe(v)} at draw ${i}; a generator must return finite numbers (float32)`);
    }
    values[i] = v;
  }
  t._view().set(values);
  return t;
}

/** Fills with U(low, high). */
export function uniform(t: Tensor, low = 0, high = 1, generator: Generator = defaultGenerator): Tensor {
  checkTensor('init.uniform', 't', t);
  checkGenerator('init.uniform', 'generator', generator);
  checkNumber('init.uniform', 'low', low);
  checkNumber('init.uniform', 'high', high);
  if (!(low <= high)) throw new ValueError(`init.uniform: low (${low}) must be ≤ high (${high})`);
  return fillWith(t, () => generator.uniform(low, high), 'init.uniform');
}

/** Fills with N(mean, std²). */
export function normal(t: Tensor, mean = 0, std = 1, generator: Generator = defaultGenerator): Tensor {
  checkTensor('init.normal', 't', t);
  checkGenerator('init.normal', 'generator', generator);
  checkNumber('init.normal', 'mean', mean);
  checkNumber('init.normal', 'std', std, { min: 0 });
  return fillWith(t, () => generator.normal(mean, std), 'init.normal');
}

/** Fills with one value. */
export function constant(t: Tensor, value: number): Tensor {
  checkTensor('init.constant', 't', t);
  checkNumber('init.constant', 'value', value);
  t._view().fill(value);
  return t;
}

/** Fills with zeros. */
export function zeros(t: Tensor): Tensor {
  return constant(t, 0);
}

/** Fills with ones. */
export function ones(t: Tensor): Tensor {
  return constant(t, 1);
}

/** Options of the Kaiming (He) initialisers. */
export interface KaimingOptions {
  /** Negative slope of the rectifier after this layer (leaky_relu only). Default 0. */
  a?: number;
  /**
   * 'fanIn' keeps the forward variance, 'fanOut' the backward one; torch's spellings 'fan_in' /
   * 'fan_out' are accepted too. Default 'fanIn'.
   */
  mode?: 'fanIn' | 'fanOut' | 'fan_in' | 'fan_out';
  /** Default 'leaky_relu' (with a = 0 this is ReLU's gain √2). */
  nonlinearity?: Nonlinearity;
  generator?: Generator;
}

function kaimingStd(where: string, t: Tensor, options: KaimingOptions): number {
  checkTensor(where, 't', t);
  checkOptions(where, options, ['a', 'mode', 'nonlinearity', 'generator']);
  if (options.generator !== undefined) checkGenerator(where, 'generator', options.generator);
  const a = checkNumber(where, 'a', options.a ?? 0);
  const mode = checkChoice(where, 'mode', options.mode ?? 'fanIn', ['fanIn', 'fanOut', 'fan_in', 'fan_out']);
  const gain = calculateGain(options.nonlinearity ?? 'leaky_relu', a);
  const { fanIn, fanOut } = computeFans(t, where);
  const fan = mode === 'fanIn' || mode === 'fan_in' ? fanIn : fanOut;
  return fan === 0 ? 0 : gain / Math.sqrt(fan);
}

/** He initialisation, uniform: U(-b, b) with b = gain·√(3 / fan). */
export function kaimingUniform(t: Tensor, options: KaimingOptions = {}): Tensor {
  const bound = Math.sqrt(3) * kaimingStd('init.kaimingUniform', t, options);
  const g = options.generator ?? defaultGenerator;
  return fillWith(t, () => g.uniform(-bound, bound), 'init.kaimingUniform');
}

/** He initialisation, normal: N(0, std²) with std = gain / √fan. */
export function kaimingNormal(t: Tensor, options: KaimingOptions = {}): Tensor {
  const std = kaimingStd('init.kaimingNormal', t, options);
  const g = options.generator ?? defaultGenerator;
  return fillWith(t, () => g.normal(0, std), 'init.kaimingNormal');
}

/** Options of the Xavier (Glorot) initialisers. */
export interface XavierOptions {
  /** Scaling factor, e.g. calculateGain('tanh'). Default 1. */
  gain?: number;
  generator?: Generator;
}

function xavierStd(where: string, t: Tensor, options: XavierOptions): number {
  checkTensor(where, 't', t);
  checkOptions(where, options, ['gain', 'generator']);
  if (options.generator !== undefined) checkGenerator(where, 'generator', options.generator);
  const gain = checkNumber(where, 'gain', options.gain ?? 1);
  const { fanIn, fanOut } = computeFans(t, where);
  return fanIn + fanOut === 0 ? 0 : gain * Math.sqrt(2 / (fanIn + fanOut));
}

/** Glorot initialisation, uniform: U(-b, b) with b = gain·√(6 / (fanIn + fanOut)). */
export function xavierUniform(t: Tensor, options: XavierOptions = {}): Tensor {
  const bound = Math.sqrt(3) * xavierStd('init.xavierUniform', t, options);
  const g = options.generator ?? defaultGenerator;
  return fillWith(t, () => g.uniform(-bound, bound), 'init.xavierUniform');
}

/** Glorot initialisation, normal: N(0, std²) with std = gain·√(2 / (fanIn + fanOut)). */
export function xavierNormal(t: Tensor, options: XavierOptions = {}): Tensor {
  const std = xavierStd('init.xavierNormal', t, options);
  const g = options.generator ?? defaultGenerator;
  return fillWith(t, () => g.normal(0, std), 'init.xavierNormal');
}
