import { layerNormBackward, layerNormForward } from '../backend/ops-norm.js';
import { ShapeError, StateError, ValueError, formatShape } from '../errors.js';
import { sizeOf } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { checkBoolean, checkGradOutput, checkNumber, checkOptions, checkTensor, describe, sameShape } from '../validate.js';
import { Workspace } from '../workspace.js';
import { MAX_DIM, pyBool, pyFloat, pyRepr } from './layer-args.js';
import { optionsArg, type JsonValue } from './config.js';
import { Module } from './module.js';
import { Parameter } from './parameter.js';

/** Options of LayerNorm. */
export interface LayerNormOptions {
  /** Added to the variance for stability. Default 1e-5. */
  eps?: number;
  /** Learn a per-element scale (weight, ones) and shift (bias, zeros). Default true. */
  elementwiseAffine?: boolean;
}

/**
 * Layer normalisation over the last dimensions, after torch.nn.LayerNorm: each group of
 * D = Π normalizedShape trailing values is normalised with its own mean and biased variance,
 * then scaled by weight and shifted by bias (both of shape normalizedShape). Same computation
 * in training and eval().
 *
 * Shape: input [..., *normalizedShape] (any leading dimensions, none included: one sample, as torch) → same shape.
 *
 * @example
 * const ln = new LayerNorm(84);
 * ln.forward(Tensor.zeros([64, 84]));
 */
export class LayerNorm extends Module {
  static override readonly typeName: string = 'LayerNorm';
  /** The `normalizedShape` given to the constructor (or its default): torch's `normalized_shape`. */
  readonly normalizedShape: readonly number[];
  /** The `eps` given to the constructor (or its default): torch's `eps`. */
  readonly eps: number;
  /** The learnable scale (γ, torch's `weight`), or null when not affine. */
  readonly weight: Parameter | null;
  /** The learnable shift (β, torch's `bias`), or null when not affine. */
  readonly bias: Parameter | null;
  private readonly size: number;
  private readonly output: Workspace;
  private readonly gradInput: Workspace;
  private readonly mean: Workspace;
  private readonly invstd: Workspace;
  private saved: { x: Tensor; mean: Tensor; invstd: Tensor; rows: number } | null = null;

  /** @internal See Module._forgetForward: backward refuses until the next forward. */
  override _forgetForward(): void {
    this.saved = null;
    super._forgetForward();
  }

  constructor(normalizedShape: number | readonly number[], options: LayerNormOptions = {}) {
    super();
    const where = 'LayerNorm';
    const dims = typeof normalizedShape === 'number' ? [normalizedShape] : normalizedShape;
    if (!Array.isArray(dims) || dims.length === 0) {
      throw new ValueError(`${where}: normalizedShape must be a positive integer or a non-empty array of them, got ${describe(normalizedShape)}`);
    }
    dims.forEach((d, i) => checkNumber(where, `normalizedShape[${i}]`, d, { integer: true, min: 1, max: MAX_DIM }));
    checkOptions(where, options, ['eps', 'elementwiseAffine']);
    this.eps = checkNumber(where, 'eps', options.eps ?? 1e-5, { min: 0, minExclusive: true, max: 1e10 });
    const affine = checkBoolean(where, 'elementwiseAffine', options.elementwiseAffine ?? true);
    this.normalizedShape = Object.freeze([...dims]);
    this.size = sizeOf(dims);
    if (this.size > 2 ** 28) throw new ValueError(`${where}: normalizedShape ${formatShape(dims)} has ${this.size} elements (at most 2^28)`);
    const name = `LayerNorm(${formatShape(dims)})`;
    this.weight = affine ? this.registerParameter('weight', new Parameter(dims, name)) : null;
    this.bias = affine ? this.registerParameter('bias', new Parameter(dims, name)) : null;
    this.weight?.fill(1);
    this.output = this.registerWorkspace(new Workspace(`${name}.forward`));
    this.gradInput = this.registerWorkspace(new Workspace(`${name}.backward`));
    this.mean = this.registerWorkspace(new Workspace(`${name} (mean)`));
    this.invstd = this.registerWorkspace(new Workspace(`${name} (invstd)`));
  }

  forward(input: Tensor): Tensor {
    const where = 'LayerNorm.forward';
    this.saved = null; // a rejected forward leaves nothing for backward to use
    this.checkUsable('forward');
    const x = checkTensor(where, 'input', input);
    this.output.checkNotHeld(where, x);
    const k = this.normalizedShape.length;
    if (x.ndim < k || !sameShape(x.shape.slice(x.ndim - k), this.normalizedShape) || x.size === 0) {
      throw new ShapeError(`${where}: input must have shape [..., ${this.normalizedShape.join(', ')}] (non-empty), got ${formatShape(x.shape)}`);
    }
    const rows = x.size / this.size;
    const mean = this.mean.next([rows]), invstd = this.invstd.next([rows]);
    const y = this.output.next(x.shape);
    layerNormForward(x, rows, this.size, this.weight, this.bias, this.eps, y, mean, invstd);
    this.saved = { x, mean, invstd, rows };
    return y;
  }

  backward(gradOutput: Tensor): Tensor {
    const where = 'LayerNorm.backward';
    this._checkBackwardReady('backward');
    const saved = this.saved!;
    checkGradOutput(where, gradOutput, saved.x.shape);
    const dx = this.gradInput.next(saved.x.shape);
    layerNormBackward(saved.x, gradOutput, saved.rows, this.size, this.weight, saved.mean, saved.invstd, dx,
      this.weight?.grad ?? null, this.bias?.grad ?? null);
    return dx;
  }

  override _checkBackwardReady(where: string): void {
    super._checkBackwardReady(where);
    if (!this.saved) throw new StateError(`LayerNorm.${where}: called before a successful forward()`);
    this.saved.x._check(`LayerNorm.${where}: the input of the last forward()`);
  }

  override extraRepr(): string {
    return `${pyRepr(this.normalizedShape)}, eps=${pyFloat(this.eps)}, elementwise_affine=${pyBool(this.weight !== null)}`;
  }

  /**
   * 2·Π normalizedShape with elementwiseAffine (weight and bias), else 0, from toConfig()
   * arguments; undefined for arguments the constructor refuses anyway.
   */
  static override parameterCount(args: readonly JsonValue[]): number | undefined {
    if (!Array.isArray(args)) return undefined;
    const [shape, options] = args;
    const dims = typeof shape === 'number' ? [shape] : Array.isArray(shape) && shape.length > 0 ? shape : null;
    if (!dims || !dims.every((d) => Number.isInteger(d) && (d as number) >= 1)) return undefined;
    const o = optionsArg(options);
    return o.elementwiseAffine !== false ? 2 * (dims as number[]).reduce((a, b) => a * b, 1) : 0;
  }

  /** Constructor arguments that rebuild this layer. */
  override toConfig(): { args: [number[], { eps: number; elementwiseAffine: boolean }] } {
    return { args: [[...this.normalizedShape], { eps: this.eps, elementwiseAffine: this.weight !== null }] };
  }
}
