import * as ops from '../backend/ops.js';
import * as dense from '../backend/ops-dense.js';
import { ShapeError, StateError, formatShape } from '../errors.js';
import { defaultGenerator, type Generator } from '../random.js';
import type { Tensor } from '../tensor.js';
import { checkBoolean, checkGenerator, checkGradOutput, checkNumber, checkOptions, checkTensor } from '../validate.js';
import { Workspace } from '../workspace.js';
import type { ReLU } from './activations.js';
import { optionsArg, type JsonValue, type LayerConfig } from './config.js';
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
  /** The learnable weight [outFeatures, inFeatures] (torch's `weight`). */
  readonly weight: Parameter;
  /** The learnable bias [outFeatures], or null when created with `bias: false`. */
  readonly bias: Parameter | null;
  private readonly weightT: Workspace;
  private readonly output: Workspace;
  private readonly gradInput: Workspace;
  private input: Tensor | null = null;
  private lastOutShape: readonly number[] = [];
  /** [inFeatures, outFeatures]: the transposed weight's shape, one array for every step. */
  private readonly weightTShape: readonly number[];
  private scratchView: Tensor | null = null;

  constructor(
    /** The input feature count (torch's `in_features`). */
    readonly inFeatures: number,
    /** The output feature count (torch's `out_features`). */
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
    this.weightT = this.registerWorkspace(new Workspace(`${name} (transposed weight, scratch)`));
    this.weightTShape = Object.freeze([inFeatures, outFeatures]);
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
    const rows = this.checkInput(input);
    const y = this.output.next(input.ndim === 2 ? this.output2d(input) : [rows, this.outFeatures]);
    const x = matrix(input, rows, this.inFeatures);
    if (dense.denseSmallFits(rows, this.inFeatures, this.outFeatures)) {
      dense.denseForward(x, this.weight, this.bias, y, null, this.scratch(dense.denseForwardScratch(this.outFeatures, this.inFeatures)));
    } else {
      const wT = this.weightT.next(this.weightTShape);
      ops.linearForward(x, this.weight, wT, this.bias, y);
    }
    this.input = input;
    return input.ndim === 2 ? y : y.view([...input.shape.slice(0, -1), this.outFeatures]);
  }

  /** @internal See Module._forgetForward. */
  override _forgetForward(): void {
    this.input = null;
    super._forgetForward();
  }

  /** Checks a forward input (forgetting the last one first); returns its row count. */
  private checkInput(input: Tensor): number {
    this.input = null; // a rejected forward leaves nothing for backward to use
    checkTensor('Linear.forward', 'input', input);
    // Its own last output as input: the call would re-use that memory (checked before the output
    // workspace moves on, which would make the caller's result stale).
    this.output.checkNotHeld('Linear.forward', input);
    if (input.ndim < 1 || input.shape[input.ndim - 1] !== this.inFeatures || input.size === 0) {
      throw new ShapeError(`Linear.forward: input must have shape [batch, ${this.inFeatures}] (or any rank [..., ${this.inFeatures}]) with at least one row, got ${formatShape(input.shape)}`);
    }
    return input.size / this.inFeatures;
  }

  backward(gradOutput: Tensor): Tensor {
    return this.runBackward('backward', gradOutput, true)!;
  }

  /** The weight and bias gradients of backward(), without computing the input gradient. */
  override backwardParameters(gradOutput: Tensor): void {
    this.runBackward('backwardParameters', gradOutput, false);
  }

  /**
   * @internal backward() called by a Sequential whose next layer back is a fused Linear + ReLU
   * pair: the input gradient goes to that pair only, so its view is re-used (nextInternal).
   */
  _backwardToPair(gradOutput: Tensor): Tensor {
    return this.runBackward('backward', gradOutput, true, true)!;
  }

  private runBackward(where: string, gradOutput: Tensor, inputGrad: boolean, internal = false): Tensor | null {
    const input = this.input;
    if (!input) throw new StateError(`Linear.${where}: called before a successful forward() (or after predict, evaluate or loadStateDict)`);
    const want = input.ndim === 2 ? this.output2d(input) : [...input.shape.slice(0, -1), this.outFeatures];
    checkGradOutput(where === 'backward' ? 'Linear.backward' : `Linear.${where}`, gradOutput, want);
    this._checkBackwardReady(where);
    const rows = input.size / this.inFeatures;
    const dy = matrix(gradOutput, rows, this.outFeatures);
    // Allocate before accumulating: an OutOfMemoryError leaves the gradients as they were.
    const dx = !inputGrad ? null : input.ndim !== 2 ? this.gradInput.next([rows, this.inFeatures])
      : internal ? this.gradInput.nextInternal(input.shape) : this.gradInput.next(input.shape);
    const x = matrix(input, rows, this.inFeatures);
    if (dense.denseSmallFits(rows, this.inFeatures, this.outFeatures)) {
      dense.denseBackward(x, this.weight, dy, null, null, this.weight.grad, this.bias?.grad ?? null, dx,
        this.scratch(dense.denseBackwardScratch(rows, this.outFeatures)));
    } else {
      ops.matmulTransposedAAccumulate(dy, x, this.weight.grad);
      if (this.bias) ops.addColumnSums(dy, this.bias.grad);
      if (dx) ops.matmul(dy, this.weight, dx);
    }
    if (!dx) return null;
    return input.ndim === 2 ? dx : dx.view(input.shape);
  }

  /**
   * Scratch of the small path (Wᵀ, tail panels): a view of the transposed-weight workspace, which
   * that path does not otherwise use, kept across calls while it is valid and large enough (its
   * contents mean nothing between calls, so no new view per call).
   */
  private scratch(floats: number): Tensor {
    const v = this.scratchView;
    if (v !== null && v.size >= floats && v._generation === v._storage.generation && !v._storage.isReleased) return v;
    return (this.scratchView = this.weightT.next([floats]));
  }

  /**
   * [rows, outFeatures] of a 2-D input, re-using one frozen array while the row count repeats
   * (the output workspace then keeps it, and recognises it by identity on the next call).
   */
  private output2d(input: Tensor): readonly number[] {
    if (this.lastOutShape[0] !== input.shape[0]) this.lastOutShape = Object.freeze([input.shape[0]!, this.outFeatures]);
    return this.lastOutShape;
  }

  /**
   * @internal `relu.forward(this.forward(input))` in one kernel call when the layer is small (a
   * Sequential calls it for a Linear followed by a ReLU). Both modules end in the state the two
   * calls leave: this layer's output z and the ReLU's input z and output y, bit for bit.
   * z stays between the two modules, and y too when `internal` (the chain passes it to its next
   * Linear, never out): their views are re-used from call to call (Workspace.nextInternal).
   */
  _forwardRelu(input: Tensor, relu: ReLU, internal = false): Tensor {
    if (input instanceof Object && (input as Tensor).ndim === 2 && dense.denseSmallFits(input.shape[0]!, this.inFeatures, this.outFeatures)) {
      this.checkInput(input);
      const z = this.output.nextInternal(this.output2d(input));
      const y = relu._fusedOutput(z.shape, internal);
      dense.denseForward(input, this.weight, this.bias, z, y, this.scratch(dense.denseForwardScratch(this.outFeatures, this.inFeatures)));
      this.input = input;
      relu._fusedForwardDone(z, y);
      return y;
    }
    return relu.forward(this.forward(input));
  }

  /**
   * @internal `this.backward(relu.backward(gradOutput))` (with inputGrad false:
   * `this.backwardParameters(…)`, returning null) in one kernel call when the layer is small and
   * the ReLU's last input has this layer's output shape; the same checks, results and state (the
   * ReLU's input gradient included), bit for bit. `internal`: the input gradient goes to the
   * chain's previous Linear + ReLU pair only (its view is re-used: Workspace.nextInternal).
   * `ready`: the caller checked both modules' _checkBackwardReady, and nothing ran since that
   * could have changed what they saved (Sequential's backward).
   */
  _backwardRelu(gradOutput: Tensor, relu: ReLU, inputGrad = true, internal = false, ready = false): Tensor | null {
    const input = this.input, z = relu._fusedInput();
    if (input && input.ndim === 2 && z && z.ndim === 2 && z.shape[0] === input.shape[0] && z.shape[1] === this.outFeatures &&
        dense.denseSmallFits(input.shape[0]!, this.inFeatures, this.outFeatures)) {
      const dz = relu._fusedBackward(gradOutput, ready);
      if (!ready) this._checkBackwardReady(inputGrad ? 'backward' : 'backwardParameters');
      const dx = !inputGrad ? null : internal ? this.gradInput.nextInternal(input.shape) : this.gradInput.next(input.shape);
      dense.denseBackward(input, this.weight, gradOutput, z, dz, this.weight.grad, this.bias?.grad ?? null, dx,
        this.scratch(dense.denseBackwardScratch(input.shape[0]!, this.outFeatures)));
      return dx;
    }
    const dz = relu.backward(gradOutput);
    if (inputGrad) return this.backward(dz);
    this.backwardParameters(dz);
    return null;
  }

  override _checkBackwardReady(where: string): void {
    super._checkBackwardReady(where);
    if (!this.input) throw new StateError(`Linear.${where}: called before a successful forward() (or after predict, evaluate or loadStateDict)`);
    if (!this.input._usable()) this.input._check(`Linear.${where}: the input of the last forward()`);
  }

  /** `[inFeatures, outFeatures, { bias }]`. */
  override toConfig(): LayerConfig {
    return { args: [this.inFeatures, this.outFeatures, { bias: this.bias !== null }] };
  }

  /** inFeatures·outFeatures (+ outFeatures with a bias), however large; undefined for arguments the constructor refuses anyway. */
  static override parameterCount(args: readonly JsonValue[]): number | undefined {
    if (!Array.isArray(args)) return undefined;
    const [inF, outF, options] = args;
    if (!Number.isInteger(inF) || !Number.isInteger(outF) || (inF as number) < 1 || (outF as number) < 1) return undefined;
    const bias = optionsArg(options).bias !== false;
    return (inF as number) * (outF as number) + (bias ? (outF as number) : 0);
  }

  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${this.bias !== null ? 'True' : 'False'}`;
  }
}

/** t as a [rows, cols] matrix (itself when it already is one). */
function matrix(t: Tensor, rows: number, cols: number): Tensor {
  return t.ndim === 2 ? t : t.view([rows, cols]);
}
