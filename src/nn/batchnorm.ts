import { batchNormBackward, batchNormForward, batchNormStats } from '../backend/ops-norm.js';
import { fill } from '../backend/ops.js';
import { ShapeError, StateError, formatShape } from '../errors.js';
import { Tensor } from '../tensor.js';
import { checkBoolean, checkGradOutput, checkNumber, checkOptions, checkTensor } from '../validate.js';
import { Workspace } from '../workspace.js';
import { MAX_DIM, pyBool, pyFloat } from './layer-args.js';
import { optionsArg, type JsonValue } from './config.js';
import { Module, type BatchMode } from './module.js';
import { Parameter } from './parameter.js';

/** Options of BatchNorm1d / BatchNorm2d (torch's keyword arguments). */
export interface BatchNormOptions {
  /** Added to the variance for stability. Default 1e-5. */
  eps?: number;
  /** Weight of the new batch in the running statistics; null for a cumulative average. Default 0.1. */
  momentum?: number | null;
  /** Learn a per-channel scale (weight) and shift (bias). Default true. */
  affine?: boolean;
  /** Keep running_mean / running_var (used in eval()); false: batch statistics always. Default true. */
  trackRunningStats?: boolean;
}

/** Why a BatchNorm normalises with its batch's statistics, for messages (training, or none kept). */
const statisticsFrom = (training: boolean): string => (training ? 'in training mode' : 'with trackRunningStats: false (batch statistics in eval mode too)');

/**
 * Batch normalisation over the channels of [N, C, L] data (L = 1 for [N, C]), after
 * torch.nn.BatchNorm*d: in training, each channel is normalised with its batch mean and biased
 * variance, and running_mean / running_var move towards the batch's mean and unbiased variance
 * by `momentum`; in eval() the running statistics are used. Buffers running_mean (zeros),
 * running_var (ones) and num_batches_tracked (int64 in files) carry torch's names.
 */
export abstract class BatchNorm extends Module {
  /** The learnable scale (γ, torch's `weight`), or null when not affine. */
  readonly weight: Parameter | null;
  /** The learnable shift (β, torch's `bias`), or null when not affine. */
  readonly bias: Parameter | null;
  /** The running mean (buffer `running_mean`), or null with `trackRunningStats: false`. */
  readonly runningMean: Tensor | null;
  /** The running variance (buffer `running_var`), or null with `trackRunningStats: false`. */
  readonly runningVar: Tensor | null;
  /** The count of training batches seen (buffer `num_batches_tracked`, int64 in files), or null with `trackRunningStats: false`. */
  readonly numBatchesTracked: Tensor | null;
  /** The `eps` given to the constructor (or its default): torch's `eps`. */
  readonly eps: number;
  /** The `momentum` given to the constructor (or its default): torch's `momentum`. */
  readonly momentum: number | null;
  private readonly output: Workspace;
  private readonly gradInput: Workspace;
  /** The parameters and buffers, checked (not disposed by hand) before a forward changes any. */
  private readonly state: readonly Tensor[];
  private readonly mean: Workspace;
  private readonly invstd: Workspace;
  private saved: { x: Tensor; mean: Tensor; invstd: Tensor; N: number; L: number; batchStatistics: boolean } | null = null;

  /** @internal See Module._forgetForward: backward refuses until the next forward. */
  override _forgetForward(): void {
    this.saved = null;
    super._forgetForward();
  }
  /** Values per channel of one input row (L, or H·W) in the last forward; fit checks batch sizes with it. */
  private valuesPerRow: number | null = null;

  protected constructor(
    /** The channel count C (torch's `num_features`). */
    readonly numFeatures: number,
    options: BatchNormOptions,
  ) {
    super();
    const where = this.typeName;
    checkNumber(where, 'numFeatures', numFeatures, { integer: true, min: 1, max: MAX_DIM });
    // momentum: null is meaningful (torch's None: a cumulative average), so it is left out of the
    // null check. Only a plain object is copied for it: a copy of an array or a Tensor would hide
    // what it is from checkOptions ([] passed as no options at all).
    const plain = options !== null && typeof options === 'object' && !Array.isArray(options) && !('_check' in options);
    checkOptions(where, plain ? { ...options, momentum: undefined } : options, ['eps', 'momentum', 'affine', 'trackRunningStats']);
    this.eps = checkNumber(where, 'eps', options.eps ?? 1e-5, { min: 0, minExclusive: true, max: 1e10 });
    this.momentum = options.momentum === null ? null : checkNumber(where, 'momentum', options.momentum ?? 0.1, { min: 0, max: 1 });
    const affine = checkBoolean(where, 'affine', options.affine ?? true);
    const track = checkBoolean(where, 'trackRunningStats', options.trackRunningStats ?? true);
    const name = `${where}(${numFeatures})`;
    this.weight = affine ? this.registerParameter('weight', new Parameter([numFeatures], name)) : null;
    this.bias = affine ? this.registerParameter('bias', new Parameter([numFeatures], name)) : null;
    this.weight?.fill(1);
    this.runningMean = track ? this.registerBuffer('running_mean', Tensor.zeros([numFeatures])) : null;
    this.runningVar = track ? this.registerBuffer('running_var', Tensor.full([numFeatures], 1), 'F32', 0) : null;
    this.numBatchesTracked = track ? this.registerBuffer('num_batches_tracked', Tensor.zeros([]), 'I64', 0) : null;
    this.state = [this.weight, this.bias, this.runningMean, this.runningVar, this.numBatchesTracked].filter((t): t is Tensor => t !== null);
    this.output = this.registerWorkspace(new Workspace(`${name}.forward`));
    this.gradInput = this.registerWorkspace(new Workspace(`${name}.backward`));
    this.mean = this.registerWorkspace(new Workspace(`${name} (mean)`));
    this.invstd = this.registerWorkspace(new Workspace(`${name} (invstd)`));
  }

  /** The accepted input shapes, for messages, e.g. "[N, C, H, W]". */
  protected abstract expected(): string;
  /** N and L of a valid input ([N, C, L] view of it), or null when the rank is wrong. */
  protected abstract split(shape: readonly number[]): { N: number; L: number } | null;

  /** Resets the running statistics to mean 0, variance 1, count 0 (as torch's reset_running_stats). */
  resetRunningStats(): void {
    this.checkUsable('resetRunningStats');
    if (!this.runningMean) return;
    fill(this.runningMean, 0);
    fill(this.runningVar!, 1);
    fill(this.numBatchesTracked!, 0);
  }

  /**
   * Batch statistics (training, or no running statistics to use, in eval mode too) need two
   * values or more per channel; a layer with running statistics in eval mode takes a batch of any size.
   */
  override _batchProblem(rows: number, mode: BatchMode): string | null {
    const training = mode === 'train' || (mode === 'own' && this.training);
    if (!(training || !this.runningMean) || this.valuesPerRow === null || rows * this.valuesPerRow >= 2) return null;
    return `${this.toString()} needs more than 1 value per channel ${statisticsFrom(training)}, and a batch of ${rows} row${rows === 1 ? '' : 's'} gives ${rows * this.valuesPerRow}`;
  }

  forward(input: Tensor): Tensor {
    const where = `${this.typeName}.forward`;
    this.saved = null; // a rejected forward leaves nothing for backward to use
    this.checkUsable('forward');
    const x = checkTensor(where, 'input', input);
    this.output.checkNotHeld(where, x);
    const C = this.numFeatures;
    const dims = this.split(x.shape);
    if (!dims || x.shape[1] !== C || dims.N === 0 || dims.L === 0) {
      throw new ShapeError(`${where}: input must have shape ${this.expected().replace(/\bC\b/g, String(C))} with every dimension ≥ 1, got ${formatShape(x.shape)}`);
    }
    const { N, L } = dims;
    this.valuesPerRow = L;
    const batchStatistics = this.training || !this.runningMean;
    if (batchStatistics && N * L < 2) {
      // The usual cause: predicting one sample with a model still in training mode.
      const hint = this.training && this.runningMean ? ' (to predict, call model.eval() first: it normalises with the running statistics)' : '';
      throw new ShapeError(`${where}: expected more than 1 value per channel ${statisticsFrom(this.training)}, got input ${formatShape(x.shape)}${hint}`);
    }
    // Parameters and buffers disposed by hand are refused before num_batches_tracked moves.
    for (let i = 0; i < this.state.length; i++) if (this.state[i]!.isDisposed) this.state[i]!._check(`${where}: a parameter or buffer of ${this.toString()}`);
    const mean = this.mean.next([C]), invstd = this.invstd.next([C]);
    if (batchStatistics) {
      let running: { mean: Tensor; var: Tensor; momentum: number } | null = null;
      if (this.training && this.runningMean) {
        const count = this.numBatchesTracked!._view();
        count[0] = count[0]! + 1;
        running = { mean: this.runningMean, var: this.runningVar!, momentum: this.momentum ?? 1 / count[0]! };
      }
      batchNormStats(x, N, C, L, this.eps, mean, invstd, running);
    } else {
      const m = mean._view(), s = invstd._view(), rm = this.runningMean!._view(), rv = this.runningVar!._view();
      for (let c = 0; c < C; c++) {
        m[c] = rm[c]!;
        s[c] = 1 / Math.sqrt(rv[c]! + this.eps);
      }
    }
    const y = this.output.next(x.shape);
    batchNormForward(x, N, C, L, mean, invstd, this.weight, this.bias, y);
    this.saved = { x, mean, invstd, N, L, batchStatistics };
    return y;
  }

  backward(gradOutput: Tensor): Tensor {
    const where = `${this.typeName}.backward`;
    this._checkBackwardReady('backward');
    const saved = this.saved!;
    checkGradOutput(where, gradOutput, saved.x.shape);
    const dx = this.gradInput.next(saved.x.shape);
    batchNormBackward(saved.x, gradOutput, saved.N, this.numFeatures, saved.L, saved.mean, saved.invstd,
      this.weight, dx, this.weight?.grad ?? null, this.bias?.grad ?? null, saved.batchStatistics);
    return dx;
  }

  override _checkBackwardReady(where: string): void {
    super._checkBackwardReady(where);
    if (!this.saved) throw new StateError(`${this.typeName}.${where}: called before a successful forward()`);
    this.saved.x._check(`${this.typeName}.${where}: the input of the last forward()`);
  }

  override extraRepr(): string {
    return `${this.numFeatures}, eps=${pyFloat(this.eps)}, momentum=${this.momentum === null ? 'None' : pyFloat(this.momentum)}, ` +
      `affine=${pyBool(this.weight !== null)}, track_running_stats=${pyBool(this.runningMean !== null)}`;
  }

  /**
   * The values of the state dict built from toConfig() arguments: weight and bias (affine), the
   * running mean and variance and num_batches_tracked (trackRunningStats); undefined for
   * arguments the constructor refuses anyway.
   */
  static override parameterCount(args: readonly JsonValue[]): number | undefined {
    if (!Array.isArray(args)) return undefined;
    const [C, options] = args;
    if (!Number.isInteger(C) || (C as number) < 1) return undefined;
    const o = optionsArg(options);
    return (o.affine !== false ? 2 * (C as number) : 0) + (o.trackRunningStats !== false ? 2 * (C as number) + 1 : 0);
  }

  /** Constructor arguments that rebuild this layer. */
  override toConfig(): { args: [number, { eps: number; momentum: number | null; affine: boolean; trackRunningStats: boolean }] } {
    return { args: [this.numFeatures, { eps: this.eps, momentum: this.momentum, affine: this.weight !== null, trackRunningStats: this.runningMean !== null }] };
  }
}

/**
 * Batch normalisation of [N, C] features or [N, C, L] sequences, after torch.nn.BatchNorm1d.
 *
 * @example
 * const bn = new BatchNorm1d(120);
 * bn.forward(Tensor.zeros([64, 120]));    // training: normalised with the batch's statistics
 */
export class BatchNorm1d extends BatchNorm {
  static override readonly typeName: string = 'BatchNorm1d';

  constructor(numFeatures: number, options: BatchNormOptions = {}) {
    super(numFeatures, options);
  }

  protected expected(): string {
    return '[N, C] or [N, C, L]';
  }

  protected split(shape: readonly number[]): { N: number; L: number } | null {
    if (shape.length === 2) return { N: shape[0]!, L: 1 };
    if (shape.length === 3) return { N: shape[0]!, L: shape[2]! };
    return null;
  }
}

/**
 * Batch normalisation of [N, C, H, W] images per channel, after torch.nn.BatchNorm2d.
 *
 * @example
 * const bn = new BatchNorm2d(6);
 * bn.forward(Tensor.zeros([64, 6, 28, 28]));
 */
export class BatchNorm2d extends BatchNorm {
  static override readonly typeName: string = 'BatchNorm2d';

  constructor(numFeatures: number, options: BatchNormOptions = {}) {
    super(numFeatures, options);
  }

  protected expected(): string {
    return '[N, C, H, W]';
  }

  protected split(shape: readonly number[]): { N: number; L: number } | null {
    return shape.length === 4 ? { N: shape[0]!, L: shape[2]! * shape[3]! } : null;
  }
}

