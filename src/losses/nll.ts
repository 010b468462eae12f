import * as ops from '../backend/ops.js';
import { ValueError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { check2d, describe } from '../validate.js';
import { ClassIndexTargets } from './class-index-targets.js';
import { Loss, type LossDiagnosis, type LossOptions, type PredictionKind } from './loss.js';

/**
 * Negative log-likelihood of class indices, as torch.nn.NLLLoss: the input holds
 * log-probabilities [batch, classes] (the output of LogSoftmax), the target one class index
 * per row (a Tensor [batch] of integers, or an array of them). loss = -Σ_r input[r, target_r],
 * divided by the batch size for 'mean'. (torch's `weight` and `ignore_index` are not offered.)
 *
 * @example
 * const model = new Sequential(new Linear(4, 3), new LogSoftmax(1));
 * const loss = new NLLLoss();
 * loss.forward(model.forward(x), [0, 2, 1]);
 */
export class NLLLoss extends Loss {
  static override readonly typeName: string = 'NLLLoss';
  private readonly targets = new ClassIndexTargets('NLLLoss.forward', 'input');

  constructor(options: LossOptions = {}) {
    super(options);
  }

  /** Log-probabilities rank classes as logits do (argmax), so fit/evaluate classify. */
  override get predictionKind(): PredictionKind {
    return 'logits';
  }

  protected checkTarget(input: Tensor, target: unknown): void {
    check2d('NLLLoss.forward', 'input (log-probabilities)', input);
    const batch = input.shape[0]!;
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
    const scale = this.reduction === 'mean' ? 1 / input.shape[0]! : 1;
    return ops.nllLoss(input, this.targets.indices!, grad, scale);
  }

  /** After a NaN from the kernel: an invalid class index is the caller's error, named here. */
  protected override diagnose(input: Tensor, target: unknown): LossDiagnosis {
    this.targets.diagnose(input.shape[1]!);
    return super.diagnose(input, target);
  }

  override dispose(): void {
    super.dispose();
    this.targets.dispose();
  }
}
