import * as ops from '../backend/ops.js';
import { ShapeError, ValueError, formatShape } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { check2d, describe, sameShape } from '../validate.js';
import { ClassIndexTargets } from './class-index-targets.js';
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
  private readonly targets = new ClassIndexTargets('CrossEntropyLoss.forward', 'logits');
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
    this.probabilities = null;
    this.targets.clear();
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
      this.targets.fromTensor(t, batch); // read in place by the kernel, which also checks every index
      return;
    }
    if (Array.isArray(target) || ArrayBuffer.isView(target)) {
      this.targets.fromArray(target as ArrayLike<number>, batch);
      return;
    }
    throw new ValueError(`CrossEntropyLoss.forward: target must be a Tensor or an array of class indices, got ${describe(target)}`);
  }


  protected compute(logits: Tensor, _target: unknown, grad: Tensor): number {
    const batch = logits.shape[0]!;
    const scale = this.reduction === 'mean' ? 1 / batch : 1;
    if (this.probabilities) return ops.crossEntropyProbabilities(logits, this.probabilities, grad, scale);
    return ops.crossEntropyIndices(logits, this.targets.indices!, grad, scale);
  }

  /** After a NaN from the kernel: an invalid class index is the caller's error, named here. */
  protected override diagnose(logits: Tensor, target: unknown): LossDiagnosis {
    this.targets.diagnose(logits.shape[1]!);
    return super.diagnose(logits, target);
  }

  override dispose(): void {
    super.dispose();
    this.targets.dispose();
  }
}
