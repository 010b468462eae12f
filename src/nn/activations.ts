import * as ops from '../backend/ops.js';
import type { Kernels } from '../backend/kernels.js';
import { ShapeError, StateError, formatShape } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { checkChoice, checkGradOutput, checkNumber, checkOptions, checkTensor } from '../validate.js';
import { Workspace } from '../workspace.js';
import type { LayerConfig } from './config.js';
import { pyFloat } from './layer-args.js';
import { Module } from './module.js';

/** The forward/backward kernel pair of an elementwise activation. */
interface KernelPair {
  forward: keyof Kernels;
  backward: keyof Kernels;
}

/**
 * An activation applied to every element: each subclass names its kernel pair and up to two
 * hyper-parameters; forward/backward, shape checks and workspaces live here once.
 */
export abstract class ElementwiseActivation extends Module {
  private readonly output: Workspace;
  private readonly gradInput: Workspace;
  private input: Tensor | null = null;
  private lastOutput: Tensor | null = null;

  /** @internal See Module._forgetForward: backward refuses until the next forward. */
  override _forgetForward(): void {
    this.input = null;
    this.lastOutput = null;
    super._forgetForward();
  }
  /** "ReLU.forward", "ReLU.backward": the names in messages, made once rather than per call. */
  private readonly forwardWhere: string;
  private readonly backwardWhere: string;

  protected constructor(
    private readonly kernelPair: KernelPair,
    private readonly p0 = 0,
    private readonly p1 = 0,
  ) {
    super();
    this.forwardWhere = `${this.typeName}.forward`;
    this.backwardWhere = `${this.typeName}.backward`;
    this.output = this.registerWorkspace(new Workspace(this.forwardWhere));
    this.gradInput = this.registerWorkspace(new Workspace(this.backwardWhere));
  }

  /** No arguments; activations with settings override this. */
  override toConfig(): LayerConfig {
    return { args: [] };
  }

  /** Activations hold no parameters. */
  static override parameterCount(): number {
    return 0;
  }

  forward(input: Tensor): Tensor {
    this.input = this.lastOutput = null; // a rejected forward leaves nothing for backward to use
    checkTensor(this.forwardWhere, 'input', input);
    this.output.checkNotHeld(this.forwardWhere, input);
    const y = this.output.next(input.shape);
    ops.activationForward(this.kernelPair.forward, input, y, this.p0, this.p1);
    this.input = input;
    this.lastOutput = y;
    return y;
  }

  backward(gradOutput: Tensor): Tensor {
    const input = this.input, output = this.lastOutput;
    if (!input || !output) throw new StateError(`${this.backwardWhere}: called before a successful forward()`);
    checkGradOutput(this.backwardWhere, gradOutput, input.shape);
    this._checkBackwardReady('backward');
    const dx = this.gradInput.next(input.shape);
    ops.activationBackward(this.kernelPair.backward, input, output, gradOutput, dx, this.p0, this.p1);
    return dx;
  }

  /**
   * @internal For a Linear computing this activation in its own kernel (ReLU only): forgets the
   * last forward, as forward() does, and returns the new output view for the kernel to fill;
   * `internal`: the output goes to the chain's next Linear only (Workspace.nextInternal).
   */
  _fusedOutput(shape: readonly number[], internal: boolean): Tensor {
    this.checkUsable('forward');
    this.input = this.lastOutput = null;
    return internal ? this.output.nextInternal(shape) : this.output.next(shape);
  }

  /** @internal Records the input and output a fused kernel wrote, as forward() would. */
  _fusedForwardDone(input: Tensor, output: Tensor): void {
    this.input = input;
    this.lastOutput = output;
  }

  /** @internal The input of the last forward (null when there is none). */
  _fusedInput(): Tensor | null {
    return this.input;
  }

  /**
   * @internal backward()'s checks, then the input-gradient view for a fused kernel to fill (the
   * preceding Linear computes it with its own backward, and it goes nowhere else:
   * Workspace.nextInternal). `ready`: _checkBackwardReady was called by the caller since
   * anything could have changed this module's saved tensors (Linear._backwardRelu).
   */
  _fusedBackward(gradOutput: Tensor, ready = false): Tensor {
    const input = this.input, output = this.lastOutput;
    if (!input || !output) throw new StateError(`${this.backwardWhere}: called before a successful forward()`);
    checkGradOutput(this.backwardWhere, gradOutput, input.shape);
    if (!ready) this._checkBackwardReady('backward');
    return this.gradInput.nextInternal(input.shape);
  }

  override _checkBackwardReady(where: string): void {
    super._checkBackwardReady(where);
    if (!this.input || !this.lastOutput) throw new StateError(`${this.typeName}.${where}: called before a successful forward()`);
    // The messages are built only when a check fails (this runs several times per step).
    if (!this.input._usable()) this.input._check(`${this.typeName}.${where}: the input of the last forward()`);
    if (!this.lastOutput._usable()) this.lastOutput._check(`${this.typeName}.${where}: the output of the last forward()`);
  }
}

/** ReLU(x) = max(x, 0). */
export class ReLU extends ElementwiseActivation {
  static override readonly typeName: string = 'ReLU';
  constructor() {
    super({ forward: 'reluForward', backward: 'reluBackward' });
  }
}

/** LeakyReLU(x) = x if x > 0 else negativeSlope·x. Default negativeSlope 0.01 (PyTorch). */
export class LeakyReLU extends ElementwiseActivation {
  static override readonly typeName: string = 'LeakyReLU';
  constructor(
    /** The slope for x < 0 (torch's `negative_slope`). */
    readonly negativeSlope = 0.01,
  ) {
    super({ forward: 'leakyReluForward', backward: 'leakyReluBackward' }, checkNumber('LeakyReLU', 'negativeSlope', negativeSlope));
  }
  override toConfig(): LayerConfig {
    return { args: [this.negativeSlope] };
  }
  override extraRepr(): string {
    return `negative_slope=${pyFloat(this.negativeSlope)}`;
  }
}

/** Tanh(x), computed in WASM by a rational approximation accurate to a few float32 ulp. */
export class Tanh extends ElementwiseActivation {
  static override readonly typeName: string = 'Tanh';
  constructor() {
    super({ forward: 'tanhForward', backward: 'tanhBackward' });
  }
}

/** Sigmoid(x) = 1 / (1 + e^-x). */
export class Sigmoid extends ElementwiseActivation {
  static override readonly typeName: string = 'Sigmoid';
  constructor() {
    super({ forward: 'sigmoidForward', backward: 'sigmoidBackward' });
  }
}

/** ELU(x) = x if x > 0 else alpha·(e^x - 1). Default alpha 1. */
export class ELU extends ElementwiseActivation {
  static override readonly typeName: string = 'ELU';
  constructor(
    /** α: the limit −α for x → −∞ (torch's `alpha`). */
    readonly alpha = 1,
  ) {
    super({ forward: 'eluForward', backward: 'eluBackward' }, checkNumber('ELU', 'alpha', alpha));
  }
  override toConfig(): LayerConfig {
    return { args: [this.alpha] };
  }
  override extraRepr(): string {
    return `alpha=${pyFloat(this.alpha)}`;
  }
}

/** Options of GELU. */
export interface GELUOptions {
  /** torch's `approximate`: 'none' (the exact erf form, torch's default) or 'tanh'. Default 'none'. */
  approximate?: 'none' | 'tanh';
}

/**
 * GELU, as torch.nn.GELU: x·Φ(x) = ½·x·(1 + erf(x/√2)) (the default, approximate 'none'), or the
 * tanh approximation ½·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))) with `{ approximate: 'tanh' }`,
 * computed as the identical x·σ(2u) to avoid cancellation for negative x (it differs from the
 * exact form by < 5e-4; its gradient is 1 or 0 for finite |x| past ≈ 1.8e19, where torch's
 * float32 gives NaN). The exact form's erf is a SIMD erfc with a relative error bound, so its
 * small negative outputs keep their digits.
 */
export class GELU extends ElementwiseActivation {
  static override readonly typeName: string = 'GELU';
  /** The `approximate` given to the constructor (or its default): torch's `approximate`. */
  readonly approximate: 'none' | 'tanh';
  constructor(options: GELUOptions = {}) {
    checkOptions('GELU', options, ['approximate']);
    const approximate = checkChoice('GELU', 'approximate', options.approximate ?? 'none', ['none', 'tanh']);
    super(approximate === 'tanh' ? { forward: 'geluForward', backward: 'geluBackward' } : { forward: 'geluErfForward', backward: 'geluErfBackward' });
    this.approximate = approximate;
  }
  override toConfig(): LayerConfig {
    return { args: [{ approximate: this.approximate }] };
  }
  override extraRepr(): string {
    return `approximate='${this.approximate}'`;
  }
}

/** Options of Softplus. */
export interface SoftplusOptions {
  /** Default 1. */
  beta?: number;
  /** Above beta·x > threshold the function is linear. Default 20. */
  threshold?: number;
}

/** Softplus(x) = log(1 + e^(beta·x)) / beta, linear above the threshold (as PyTorch). */
export class Softplus extends ElementwiseActivation {
  static override readonly typeName: string = 'Softplus';
  /** The `beta` given to the constructor (or its default): torch's `beta`. */
  readonly beta: number;
  /** The `threshold` given to the constructor (or its default): torch's `threshold`. */
  readonly threshold: number;
  constructor(options: SoftplusOptions = {}) {
    checkOptions('Softplus', options, ['beta', 'threshold']);
    const beta = checkNumber('Softplus', 'beta', options.beta ?? 1, { min: 0, minExclusive: true });
    const threshold = checkNumber('Softplus', 'threshold', options.threshold ?? 20);
    super({ forward: 'softplusForward', backward: 'softplusBackward' }, beta, threshold);
    this.beta = beta;
    this.threshold = threshold;
  }
  override toConfig(): LayerConfig {
    return { args: [{ beta: this.beta, threshold: this.threshold }] };
  }
  override extraRepr(): string {
    // Python's str of the number: torch prints 1e-05 where JavaScript prints 0.00001.
    const py = (v: number): string => (Number.isInteger(v) && Math.abs(v) < 1e16 ? String(v) : pyFloat(v));
    return `beta=${py(this.beta)}, threshold=${py(this.threshold)}`;
  }
}

/**
 * Softmax along `dim`, as torch.nn.Softmax: each slice along it sums to 1. `dim` must be the
 * input's last axis (-1, the default, or 1 of [batch, classes]; any rank ≥ 1, as LogSoftmax);
 * other axes are refused with a ShapeError.
 */
export class Softmax extends Module {
  static override readonly typeName: string = 'Softmax';
  private readonly output = this.registerWorkspace(new Workspace('Softmax.forward'));
  private readonly gradInput = this.registerWorkspace(new Workspace('Softmax.backward'));
  private lastOutput: Tensor | null = null;

  /** @internal See Module._forgetForward: backward refuses until the next forward. */
  override _forgetForward(): void {
    this.lastOutput = null;
    super._forgetForward();
  }

  constructor(
    /** The dimension normalised (torch's `dim`). */
    readonly dim = -1,
  ) {
    super();
    checkNumber('Softmax', 'dim', dim, { integer: true });
  }

  forward(input: Tensor): Tensor {
    this.lastOutput = null; // a rejected forward leaves nothing for backward to use
    checkTensor('Softmax.forward', 'input', input);
    const rank = input.ndim, axis = this.dim < 0 ? this.dim + rank : this.dim;
    if (rank === 0 || axis !== rank - 1 || input.size === 0) {
      // torch computes along any axis; the kernel runs along the last one (rows of the last axis).
      throw new ShapeError(`Softmax(dim=${this.dim}).forward: expected a non-empty input whose dim ${this.dim} is its last axis ` +
        `(e.g. [batch, classes] with dim 1 or -1), got ${formatShape(input.shape)}`);
    }
    this.output.checkNotHeld('Softmax.forward', input);
    const y = this.output.next(input.shape);
    ops.softmaxForward(input, y);
    this.lastOutput = y;
    return y;
  }

  backward(gradOutput: Tensor): Tensor {
    const y = this.lastOutput;
    if (!y) throw new StateError('Softmax.backward: called before a successful forward()');
    checkGradOutput('Softmax.backward', gradOutput, y.shape);
    this._checkBackwardReady('backward');
    const dx = this.gradInput.next(y.shape);
    ops.softmaxBackward(y, gradOutput, dx);
    return dx;
  }

  override _checkBackwardReady(where: string): void {
    super._checkBackwardReady(where);
    if (!this.lastOutput) throw new StateError(`Softmax.${where}: called before a successful forward()`);
    if (!this.lastOutput._usable()) this.lastOutput._check(`Softmax.${where}: the output of the last forward()`);
  }

  override toConfig(): LayerConfig {
    return { args: [this.dim] };
  }

  static override parameterCount(): number {
    return 0;
  }

  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}
