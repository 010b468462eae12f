import * as ops from '../backend/ops.js';
import { crossEntropyIndices } from '../backend/ops-class-index.js';
import { ShapeError, formatShape } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { check2d, checkNumber, checkTensor, sameShape } from '../validate.js';
import { ClassIndexLoss } from './class-index-loss.js';
import type { ClassWeightOptions } from './class-weight.js';
import type { LossOptions } from './loss.js';

/** Options of CrossEntropyLoss: the reduction, torch's `weight`, `ignoreIndex` and `labelSmoothing`. */
export interface CrossEntropyLossOptions extends LossOptions, ClassWeightOptions {
  /**
   * torch's label_smoothing ε in [0, 1]: the target becomes (1 − ε)·target + ε/classes (for class
   * indices: (1 − ε)·one-hot + ε/classes). Default 0.
   */
  labelSmoothing?: number;
}

/** Class targets: a Tensor [batch] of class numbers, or [batch, classes] probabilities; or an array of class numbers. */
export type CrossEntropyTarget = Tensor | ArrayLike<number>;

/**
 * Softmax + negative log-likelihood on raw scores (logits) [batch, classes], as
 * torch.nn.CrossEntropyLoss. Targets are either class indices (a Tensor of shape [batch] holding
 * integers, or an array / Int32Array of them) or class probabilities of shape [batch, classes]
 * (e.g. one-hot). 'mean' divides by the batch size.
 *
 * torch's options: `weight` (one per class; with class indices 'mean' divides by Σ w[target],
 * torch's weighted mean; with probabilities by the batch size), `ignoreIndex` (default -100;
 * class-index rows with this target add nothing and are not counted) and `labelSmoothing`.
 *
 * @example
 * const loss = new CrossEntropyLoss({ weight: [1, 3], labelSmoothing: 0.1 });
 */
export class CrossEntropyLoss extends ClassIndexLoss {
  static override readonly typeName: string = 'CrossEntropyLoss';
  private probabilities: Tensor | null = null;
  /** torch's label_smoothing. */
  readonly labelSmoothing: number;

  constructor(options: CrossEntropyLossOptions = {}) {
    // Checked before the base class copies the weights into loss memory.
    const given = options && typeof options === 'object' ? options.labelSmoothing : undefined;
    const labelSmoothing = checkNumber('CrossEntropyLoss', 'labelSmoothing', given ?? 0, { min: 0, max: 1 });
    super('logits', options, ['labelSmoothing']);
    this.labelSmoothing = labelSmoothing;
  }

  protected checkTarget(logits: Tensor, target: unknown): void {
    check2d('CrossEntropyLoss.forward', 'prediction (logits)', logits);
    const [batch, classes] = logits.shape as [number, number];
    this.classWeight.checkClasses(classes);
    this.probabilities = null;
    this.targets.clear();
    if (target && typeof target === 'object' && '_check' in target) {
      const t = checkTensor('CrossEntropyLoss.forward', 'target', target); // refuses a Tensor of another copy of the library
      if (t.ndim === 2) {
        if (!sameShape(t.shape, logits.shape)) {
          throw new ShapeError(`CrossEntropyLoss.forward: probability targets must have the logits' shape ${formatShape(logits.shape)}, got ${formatShape(t.shape)}` +
            (t.shape[0] === batch && t.shape[1] === 1 ? `; class indices are a 1-D target [${batch}]: target.reshape([-1])` : ''));
        }
        this.probabilities = t;
        return;
      }
      if (t.ndim !== 1) {
        throw new ShapeError(`CrossEntropyLoss.forward: target must be class indices [${batch}] or probabilities ${formatShape(logits.shape)}, got ${formatShape(t.shape)}`);
      }
    }
    this.readIndices(target, batch, classes);
  }

  protected compute(logits: Tensor, _target: unknown, grad: Tensor): number {
    const mean = this.reduction === 'mean', eps = this.labelSmoothing, { weight, ignoreIndex, stats } = this.classWeight;
    if (this.probabilities) {
      const scale = mean ? 1 / logits.shape[0]! : 1; // torch divides by the rows, whatever the weights
      if (weight === null && eps === 0) return ops.crossEntropyProbabilities(logits, this.probabilities, grad, scale);
      return ops.crossEntropySoftWeighted(logits, this.probabilities, weight, eps, scale, grad);
    }
    // One kernel for every option: it checks the targets, skips ignored rows and reports Σ w[target].
    return crossEntropyIndices(logits, this.targets.indices!, weight, ignoreIndex, eps, mean, grad, stats);
  }
}
