import { nllIndices } from '../backend/ops-class-index.js';
import type { Tensor } from '../tensor.js';
import { check2d } from '../validate.js';
import { ClassIndexLoss } from './class-index-loss.js';
import type { ClassWeightOptions } from './class-weight.js';
import type { LossOptions } from './loss.js';

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
export class NLLLoss extends ClassIndexLoss {
  static override readonly typeName: string = 'NLLLoss';

  constructor(options: NLLLossOptions = {}) {
    super('input', options);
  }

  protected checkTarget(input: Tensor, target: unknown): void {
    check2d('NLLLoss.forward', 'input (log-probabilities)', input);
    this.classWeight.checkClasses(input.shape[1]!);
    this.targets.clear();
    this.readIndices(target, input.shape[0]!, input.shape[1]!);
  }

  protected compute(input: Tensor, _target: unknown, grad: Tensor): number {
    const { weight, ignoreIndex, stats } = this.classWeight;
    return nllIndices(input, this.targets.indices!, weight, ignoreIndex, this.reduction === 'mean', grad, stats);
  }
}
