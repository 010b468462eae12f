import * as ops from '../backend/ops.js';
import * as cw from '../backend/ops-class-weights.js';
import { ValueError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { check2d, describe } from '../validate.js';
import { ClassIndexTargets } from './class-index-targets.js';
import { ClassWeight, type ClassWeightOptions } from './class-weight.js';
import { Loss, type LossDiagnosis, type LossOptions, type PredictionKind } from './loss.js';

/** Options of NLLLoss: the reduction, torch's `weight` and `ignoreIndex`. */
export interface NLLLossOptions extends LossOptions, ClassWeightOptions {}

/**
 * Negative log-likelihood of class indices, as torch.nn.NLLLoss: the input holds
 * log-probabilities [batch, classes] (the output of LogSoftmax), the target one class index
 * per row (a Tensor [batch] of integers, or an array of them). loss = -Σ_r w[t_r]·input[r, t_r]
 * over the rows whose target is not `ignoreIndex` (default -100), divided for 'mean' by
 * Σ_r w[t_r] over those rows (torch's weighted mean; the number of rows counted when no `weight`).
 *
 * @example
 * const model = new Sequential(new Linear(4, 3), new LogSoftmax(1));
 * const loss = new NLLLoss({ weight: [1, 2, 1] });
 * loss.forward(model.forward(x), [0, 2, 1]);
 */
export class NLLLoss extends Loss {
  static override readonly typeName: string = 'NLLLoss';
  private readonly targets = new ClassIndexTargets('NLLLoss.forward', 'input');
  private readonly classWeight: ClassWeight;

  constructor(options: NLLLossOptions = {}) {
    super(options, ['weight', 'ignoreIndex']);
    this.classWeight = new ClassWeight('NLLLoss', options);
  }

  /** torch's ignore_index: rows with this target are left out. */
  get ignoreIndex(): number {
    return this.classWeight.ignoreIndex;
  }

  /** The ignoreIndex: fit and evaluate accept it in the labels and leave its rows out. */
  override get ignoredTarget(): number {
    return this.classWeight.ignoreIndex;
  }

  /** A copy of the class weights, or null when every class weighs 1. */
  get weight(): Float32Array | null {
    return this.classWeight.weight?.toFloat32Array() ?? null;
  }

  /** Log-probabilities rank classes as logits do (argmax), so fit/evaluate classify. */
  override get predictionKind(): PredictionKind {
    return 'logits';
  }

  protected checkTarget(input: Tensor, target: unknown): void {
    check2d('NLLLoss.forward', 'input (log-probabilities)', input);
    const batch = input.shape[0]!;
    this.classWeight.checkClasses(input.shape[1]!);
    this.targets.clear();
    if (target && typeof target === 'object' && '_check' in target) {
      const t = target as Tensor;
      t._check('NLLLoss.forward: target');
      this.targets.fromTensor(t, batch);
    } else if (Array.isArray(target) || ArrayBuffer.isView(target)) {
      this.targets.fromArray(target as ArrayLike<number>, batch);
    } else {
      throw new ValueError(`NLLLoss.forward: target must be a Tensor or an array of class indices, got ${describe(target)}`);
    }
  }

  protected compute(input: Tensor, _target: unknown, grad: Tensor): number {
    const targets = this.targets.indices!, mean = this.reduction === 'mean';
    this.classWeight.lastDenominator = NaN;
    if (!this.classWeight.weighted) {
      // The plain kernel; it returns NaN for any target outside [0, classes), ignoreIndex included.
      const value = ops.nllLoss(input, targets, grad, mean ? 1 / input.shape[0]! : 1);
      if (!Number.isNaN(value)) return value;
    }
    const d = this.classWeight.denominator(targets, input.shape[1]!, mean);
    if (!(d > 0)) return NaN;
    return cw.nllWeighted(input, targets, this.classWeight.weight, this.classWeight.ignoreIndex, 1 / d, grad);
  }

  /** After a NaN from the kernel: an invalid class index is the caller's error, named here. */
  protected override diagnose(input: Tensor, target: unknown): LossDiagnosis {
    this.targets.diagnose(input.shape[1]!, this.classWeight.ignoreIndex);
    const empty = this.classWeight.explainEmptyMean();
    if (empty) return { source: 'target', index: -1, message: empty };
    return super.diagnose(input, target);
  }

  override dispose(): void {
    super.dispose();
    this.targets.dispose();
    this.classWeight.dispose();
  }
}
