import * as ops from '../backend/ops.js';
import { ShapeError, StateError, formatShape } from '../errors.js';
import { defaultGenerator, type Generator } from '../random.js';
import type { Tensor } from '../tensor.js';
import { checkBoolean, checkGenerator, checkGradOutput, checkNumber, checkOptions, checkTensor } from '../validate.js';
import { Workspace } from '../workspace.js';
import type { JsonValue, LayerConfig } from './config.js';
import * as init from './init.js';
import { Module } from './module.js';
import { Parameter } from './parameter.js';

/** Options of Linear. */
export interface LinearOptions {
  /** Learn an additive bias. Default true. */
  bias?: boolean;
  /** Generator for the initial weights. Default: the generator seeded by manualSeed(). */
  generator?: Generator;
}

/**
 * Fully connected layer: y = x·Wᵀ + b, after torch.nn.Linear.
 *
 * Args: inFeatures, outFeatures, options.bias.
 * Shape: input [..., inFeatures] (any rank ≥ 1: applied to the last dimension, as torch) →
 * output [..., outFeatures]; weight [outFeatures, inFeatures]; bias [outFeatures].
 * Init (PyTorch's default): weight and bias ~ U(-1/√inFeatures, 1/√inFeatures).
 *
 * @example
 * const layer = new Linear(2, 8);
 * const y = layer.forward(Tensor.from([[0.5, -1]]));   // shape [1, 8]
 */
export class Linear extends Module {
  static override readonly typeName: string = 'Linear';
  readonly weight: Parameter;
  readonly bias: Parameter | null;
  private readonly weightT: Workspace;
  private readonly output: Workspace;
  private readonly gradInput: Workspace;
  private input: Tensor | null = null;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    options: LinearOptions = {},
  ) {
    super();
    // Every argument is checked before anything is allocated.
    checkNumber('Linear', 'inFeatures', inFeatures, { integer: true, min: 1 });
    checkNumber('Linear', 'outFeatures', outFeatures, { integer: true, min: 1 });
    checkOptions('Linear', options, ['bias', 'generator']);
    const useBias = checkBoolean('Linear', 'bias', options.bias ?? true);
    const generator = checkGenerator<Generator>('Linear', 'generator', options.generator ?? defaultGenerator);
    const name = `Linear(${inFeatures}, ${outFeatures})`;
    this.weightT = this.registerWorkspace(new Workspace(`${name} (transposed weight)`));
    this.output = this.registerWorkspace(new Workspace(`${name}.forward`));
    this.gradInput = this.registerWorkspace(new Workspace(`${name}.backward`));
    try {
      this.weight = this.registerParameter('weight', new Parameter([outFeatures, inFeatures], name));
      this.bias = useBias ? this.registerParameter('bias', new Parameter([outFeatures], name)) : null;
      this.resetParameters(generator);
    } catch (e) {
      this.dispose(); // an OutOfMemoryError for the bias keeps no weight behind
      throw e;
    }
  }

  /** Re-draws weight and bias with PyTorch's default initialisation. */
  resetParameters(generator: Generator = defaultGenerator): void {
    this.checkUsable('resetParameters');
    checkGenerator('Linear.resetParameters', 'generator', generator);
    // kaiming_uniform_(a=√5) reduces to U(-1/√fanIn, 1/√fanIn).
    init.kaimingUniform(this.weight, { a: Math.sqrt(5), generator });
    if (this.bias) {
      const bound = 1 / Math.sqrt(this.inFeatures);
      init.uniform(this.bias, -bound, bound, generator);
    }
  }

  forward(input: Tensor): Tensor {
    this.input = null; // a rejected forward leaves nothing for backward to use
    checkTensor('Linear.forward', 'input', input);
    if (input.ndim < 1 || input.shape[input.ndim - 1] !== this.inFeatures || input.size === 0) {
      throw new ShapeError(`Linear.forward: input must have shape [batch, ${this.inFeatures}] (or any rank [..., ${this.inFeatures}]) with at least one row, got ${formatShape(input.shape)}`);
    }
    const wT = this.weightT.next([this.inFeatures, this.outFeatures]);
    const rows = input.size / this.inFeatures;
    const y = this.output.next([rows, this.outFeatures]);
    ops.linearForward(matrix(input, rows, this.inFeatures), this.weight, wT, this.bias, y);
    this.input = input;
    return input.ndim === 2 ? y : y.view([...input.shape.slice(0, -1), this.outFeatures]);
  }

  backward(gradOutput: Tensor): Tensor {
    const input = this.input;
    if (!input) throw new StateError('Linear.backward: called before a successful forward()');
    const want = [...input.shape.slice(0, -1), this.outFeatures];
    checkGradOutput('Linear.backward', gradOutput, want);
    this._checkBackwardReady('backward');
    const rows = input.size / this.inFeatures;
    const dy = matrix(gradOutput, rows, this.outFeatures);
    // Allocate before accumulating: an OutOfMemoryError leaves the gradients as they were.
    const dx = this.gradInput.next([rows, this.inFeatures]);
    ops.matmulTransposedAAccumulate(dy, matrix(input, rows, this.inFeatures), this.weight.grad);
    if (this.bias) ops.addColumnSums(dy, this.bias.grad);
    ops.matmul(dy, this.weight, dx);
    return input.ndim === 2 ? dx : dx.view(input.shape);
  }

  override _checkBackwardReady(where: string): void {
    super._checkBackwardReady(where);
    if (!this.input) throw new StateError(`Linear.${where}: called before a successful forward()`);
    this.input._check(`Linear.${where}: the input of the last forward()`);
  }

  /** `[inFeatures, outFeatures, { bias }]`. */
  override toConfig(): LayerConfig {
    return { args: [this.inFeatures, this.outFeatures, { bias: this.bias !== null }] };
  }

  /** inFeatures·outFeatures (+ outFeatures with a bias), however large; undefined for arguments the constructor refuses anyway. */
  static override parameterCount(args: readonly JsonValue[]): number | undefined {
    const [inF, outF, options] = args;
    if (!Number.isInteger(inF) || !Number.isInteger(outF) || (inF as number) < 1 || (outF as number) < 1) return undefined;
    const bias = options && typeof options === 'object' && !Array.isArray(options) ? options.bias !== false : true;
    return (inF as number) * (outF as number) + (bias ? (outF as number) : 0);
  }

  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${this.bias !== null}`;
  }
}

/** t as a [rows, cols] matrix (itself when it already is one). */
function matrix(t: Tensor, rows: number, cols: number): Tensor {
  return t.ndim === 2 ? t : t.view([rows, cols]);
}
