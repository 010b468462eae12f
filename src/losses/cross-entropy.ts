import * as ops from '../backend/ops.js';
import { ShapeError, ValueError, formatShape } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { check2d, describe, sameShape } from '../validate.js';
import { Workspace } from '../workspace.js';
import { Loss, type LossDiagnosis, type LossOptions, type PredictionKind } from './loss.js';

/** Class targets: a Tensor [batch] of class numbers, or [batch, classes] probabilities; or an array of class numbers. */
export type CrossEntropyTarget = Tensor | ArrayLike<number>;

/**
 * Softmax + negative log-likelihood on raw scores (logits) [batch, classes], as
 * torch.nn.CrossEntropyLoss. Targets are either class indices (a Tensor of shape [batch] holding
 * integers, or an array / Int32Array of them) or class probabilities of shape [batch, classes]
 * (e.g. one-hot). 'mean' divides by the batch size.
 */
export class CrossEntropyLoss extends Loss {
  static override readonly typeName: string = 'CrossEntropyLoss';
  /** Class-index targets of the current call: the caller's Tensor itself, or `arrayTargets`. */
  private indices: Tensor | null = null;
  /** Arrays given as targets, as the float32 class indices the kernel reads. */
  private readonly arrayTargets = new Workspace('CrossEntropyLoss targets', 'loss');
  /** The caller's array, kept for error messages. */
  private lastArray: ArrayLike<unknown> | null = null;
  private probabilities: Tensor | null = null;

  constructor(options: LossOptions = {}) {
    super(options);
  }

  override get predictionKind(): PredictionKind {
    return 'logits';
  }

  protected checkTarget(logits: Tensor, target: unknown): void {
    check2d('CrossEntropyLoss.forward', 'prediction (logits)', logits);
    const [batch] = logits.shape as [number, number];
    this.probabilities = this.indices = this.lastArray = null;
    if (target && typeof target === 'object' && '_check' in target) {
      const t = target as Tensor;
      t._check('CrossEntropyLoss.forward: target');
      if (t.ndim === 2) {
        if (!sameShape(t.shape, logits.shape)) {
          throw new ShapeError(`CrossEntropyLoss.forward: probability targets must have the logits' shape ${formatShape(logits.shape)}, got ${formatShape(t.shape)}`);
        }
        this.probabilities = t;
        return;
      }
      if (t.ndim !== 1) {
        throw new ShapeError(`CrossEntropyLoss.forward: target must be class indices [${batch}] or probabilities ${formatShape(logits.shape)}, got ${formatShape(t.shape)}`);
      }
      this.checkCount(t.size, batch);
      this.indices = t; // read in place by the kernel, which also checks every index
      return;
    }
    if (Array.isArray(target) || ArrayBuffer.isView(target)) {
      const values = target as ArrayLike<number>;
      this.checkCount(values.length, batch);
      const t = this.arrayTargets.next([batch]);
      // Read the array only now: allocating may grow memory and detach a view the caller passed.
      t._view().set(target as ArrayLike<number>);
      this.indices = t;
      this.lastArray = target as ArrayLike<unknown>;
      return;
    }
    throw new ValueError(`CrossEntropyLoss.forward: target must be a Tensor or an array of class indices, got ${describe(target)}`);
  }

  private checkCount(count: number, batch: number): void {
    if (count !== batch) {
      throw new ShapeError(`CrossEntropyLoss.forward: expected ${batch} class indices (one per row of the logits), got ${count}`);
    }
  }

  protected compute(logits: Tensor, _target: unknown, grad: Tensor): number {
    const batch = logits.shape[0]!;
    const scale = this.reduction === 'mean' ? 1 / batch : 1;
    if (this.probabilities) return ops.crossEntropyProbabilities(logits, this.probabilities, grad, scale);
    return ops.crossEntropyIndices(logits, this.indices!, grad, scale);
  }

  /** After a NaN from the kernel: an invalid class index is the caller's error, named here. */
  protected override diagnose(logits: Tensor, target: unknown): LossDiagnosis {
    if (this.indices) {
      const classes = logits.shape[1]!;
      const values = this.lastArray ?? this.indices._view();
      for (let i = 0; i < values.length; i++) {
        const c = values[i];
        if (!(typeof c === 'number' && Number.isInteger(c) && c >= 0 && c < classes)) {
          throw new ValueError(`CrossEntropyLoss.forward: target[${i}] = ${String(c)} is not a class index in [0, ${classes - 1}]`);
        }
      }
    }
    return super.diagnose(logits, target);
  }

  override dispose(): void {
    super.dispose();
    this.arrayTargets.dispose();
  }
}
