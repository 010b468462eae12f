import { disposeSymbol } from '../dispose.js';
import * as ops from '../backend/ops.js';
import { NonFiniteLossError, ShapeError, StateError, ValueError, type NonFiniteSource, formatShape } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { checkChoice, checkOptions, checkTensor, sameShape } from '../validate.js';
import { Workspace } from '../workspace.js';

/**
 * What a loss's predictions are: raw class scores ('logits'), class probabilities
 * ('probabilities'), or plain values compared with targets ('values', the regression losses).
 */
export type PredictionKind = 'logits' | 'probabilities' | 'values';

/** How per-element losses are combined: their mean (default) or their sum. */
export type Reduction = 'mean' | 'sum';

/** Where a non-finite loss comes from, as found by Loss.diagnose. */
export interface LossDiagnosis {
  source: NonFiniteSource;
  /** Flat index of the first non-finite value in `source`, or -1. */
  index: number;
  message: string;
}

/** Options every loss accepts. */
export interface LossOptions {
  reduction?: Reduction;
}

/**
 * Base class of the losses: `forward(prediction, target)` returns the loss as a number and
 * computes its gradient in the same pass; `backward()` returns ∂loss/∂prediction, ready to be
 * passed to `model.backward()`. A NaN or infinite loss throws, naming its cause.
 */
export abstract class Loss {
  /** The loss's name in messages and toString(), written out (minifiers rename classes). */
  static readonly typeName: string = 'Loss';
  /** The `reduction` given to the constructor (or its default): torch's `reduction`. */
  readonly reduction: Reduction;
  private readonly gradWorkspace: Workspace;
  private lastGrad: Tensor | null = null;
  private lastCounted = NaN;
  private disposedFlag = false;
  /** "MSELoss.forward": the name in messages, made once rather than per call. */
  protected readonly forwardWhere: string;

  protected constructor(options: LossOptions, extraOptions: readonly string[] = [], notOffered: Parameters<typeof checkOptions>[3] = {}) {
    const name = (new.target as typeof Loss).typeName;
    this.forwardWhere = `${name}.forward`;
    checkOptions(name, options, ['reduction', ...extraOptions], notOffered);
    if ((options as { reduction?: unknown } | undefined)?.reduction === 'none') {
      throw new ValueError(`${name}: reduction 'none' (torch's per-element losses) is not offered: forward() returns one number; ` +
        "use 'mean' or 'sum', or compute the elements from the prediction and target tensors");
    }
    this.reduction = checkChoice(name, 'reduction', options.reduction ?? 'mean', ['mean', 'sum']);
    this.gradWorkspace = new Workspace(`${name}.backward`, 'loss');
  }

  /** This loss's class name (its class's static `typeName`). */
  get typeName(): string {
    return (this.constructor as typeof Loss).typeName;
  }

  /**
   * What this loss's predictions are. fit/evaluate infer the task from it: 'logits' and
   * 'probabilities' train classifiers, 'values' regressors (unless the targets are one-hot rows).
   */
  get predictionKind(): PredictionKind {
    return 'values';
  }

  /**
   * A class-index target value whose rows this loss leaves out (torch's ignore_index of NLLLoss
   * and CrossEntropyLoss), or null when every target counts. fit and evaluate accept it in class
   * labels [n] and leave its rows out of the loss, the accuracy and the row count.
   */
  get ignoredTarget(): number | null {
    return null;
  }

  /** Where a single output decides class 1: 0 on logits, 0.5 on probabilities and values. */
  get decisionThreshold(): number {
    return this.predictionKind === 'logits' ? 0 : 0.5;
  }

  /**
   * The loss of `prediction` against `target`. A NaN or infinite loss throws NonFiniteLossError
   * (saying whether the prediction, the target or an overflow caused it); any rejection also
   * forgets the previous call's gradient, so backward() then throws instead of returning it.
   */
  forward(prediction: Tensor, target: unknown): number {
    const where = this.forwardWhere;
    this.checkUsable('forward');
    this.lastGrad = null;
    this.lastCounted = NaN;
    checkTensor(where, 'prediction', prediction);
    if (prediction.size === 0) throw new ShapeError(`${where}: the prediction is empty (shape ${formatShape(prediction.shape)})`);
    this.checkTarget(prediction, target);
    const grad = this.gradWorkspace.next(prediction.shape);
    const value = this.compute(prediction, target, grad);
    this.lastCounted = this.counted(prediction);
    if (!Number.isFinite(value)) {
      const { source, index, message } = this.diagnose(prediction, target);
      throw new NonFiniteLossError(`${where}: the loss is ${value}: ${message}`, value, source, index);
    }
    this.lastGrad = grad;
    return value;
  }

  /**
   * @internal What the last forward() counted — the denominator of its 'mean', whichever the
   * reduction: Σ weight[target] over the rows kept for NLLLoss / CrossEntropyLoss on class indices
   * (0 when every row was ignored: that forward threw, torch's mean being 0/0), the rows for
   * probability targets, the elements otherwise; NaN before a forward got that far. fit and
   * evaluate weight each batch's mean by it, so an epoch's loss is the mean over the whole set.
   */
  get _counted(): number {
    return this.lastCounted;
  }

  /** ∂loss/∂prediction of the last forward(). */
  backward(): Tensor {
    this.checkUsable('backward');
    if (!this.lastGrad) throw new StateError(`${this.typeName}.backward: called before a successful forward()`);
    return this.lastGrad;
  }

  /** Whether dispose() was called. */
  get isDisposed(): boolean {
    return this.disposedFlag;
  }

  /**
   * Frees the memory this loss owns (its gradient workspace, and CrossEntropyLoss's targets) now
   * rather than at garbage collection; forward and backward then throw a StateError. Idempotent.
   */
  dispose(): void {
    this.disposedFlag = true;
    this.gradWorkspace.dispose();
    this.lastGrad = null;
  }

  /** Same as dispose(), for `using lossFn = …`. */
  [disposeSymbol](): void {
    this.dispose();
  }

  /** Throws StateError when this loss has been disposed. */
  protected checkUsable(where: string): void {
    if (this.disposedFlag) throw new StateError(`${this.typeName}.${where}: this ${this.typeName} has been disposed; create a new one`);
  }

  /** The loss as torch's repr() prints it: just the class name, `CrossEntropyLoss()` (torch shows no options of a loss). */
  toString(): string {
    return `${this.typeName}()`;
  }

  /** Throws unless target fits prediction. */
  protected abstract checkTarget(prediction: Tensor, target: unknown): void;

  /** What the last compute() counted (see _counted): the prediction's elements unless overridden. */
  protected counted(prediction: Tensor): number {
    return prediction.size;
  }

  /** Returns the reduced loss and writes the gradient into `grad`. */
  protected abstract compute(prediction: Tensor, target: unknown, grad: Tensor): number;

  /**
   * Explains a non-finite loss (only runs on failure). Subclasses may throw a ValueError instead
   * when the inputs are invalid rather than non-finite (a class index out of range).
   */
  protected diagnose(prediction: Tensor, target: unknown): LossDiagnosis {
    const bad = ops.firstNonFinite(prediction);
    if (bad >= 0) return { source: 'prediction', index: bad, message: `the prediction has ${prediction._view()[bad]} at flat index ${bad}` };
    if (target && typeof target === 'object' && '_check' in target) {
      const t = target as Tensor;
      const badT = ops.firstNonFinite(t);
      if (badT >= 0) return { source: 'target', index: badT, message: `the target has ${t._view()[badT]} at flat index ${badT}` };
    }
    return { source: 'overflow', index: -1, message: 'the values overflowed float32' };
  }
}

/** A loss computed element by element against a target of the same shape. */
export abstract class ElementwiseLoss extends Loss {
  protected abstract readonly kernel: 'mseLoss' | 'l1Loss' | 'huberLoss' | 'bceLoss' | 'bceWithLogitsLoss';
  /** The kernel's hyper-parameter (Huber's delta). */
  protected param = 0;

  protected checkTarget(prediction: Tensor, target: unknown): void {
    const t = checkTensor(this.forwardWhere, 'target', target);
    if (!sameShape(t.shape, prediction.shape)) {
      const hint = t.size === prediction.size ? `; it has as many values: target.reshape(${formatShape(prediction.shape)})` : '';
      throw new ShapeError(`${this.forwardWhere}: target must have the prediction's shape ${formatShape(prediction.shape)}, got ${formatShape(t.shape)}${hint}`);
    }
  }

  protected compute(prediction: Tensor, target: unknown, grad: Tensor): number {
    return ops.elementwiseLoss(this.kernel, prediction, target as Tensor, grad, this.scale(prediction), this.param);
  }

  /** The factor applied to the summed terms and to the gradient: 1/size for 'mean'. */
  protected scale(prediction: Tensor): number {
    return this.reduction === 'mean' ? 1 / prediction.size : 1;
  }
}
