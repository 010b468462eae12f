import { ValueError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { ElementwiseLoss, type LossDiagnosis, type LossOptions, type PredictionKind } from './loss.js';

/**
 * Binary cross-entropy on probabilities (after a Sigmoid), as torch.nn.BCELoss: each log is
 * clamped at -100 so that p = 0 or 1 gives a finite loss. Predictions must lie in [0, 1].
 */
export class BCELoss extends ElementwiseLoss {
  static override readonly typeName: string = 'BCELoss';
  protected readonly kernel = 'bceLoss';
  constructor(options: LossOptions = {}) {
    super(options, [], { weight: 'every element weighs 1 (no per-element rescaling weight)' });
  }

  override get predictionKind(): PredictionKind {
    return 'probabilities';
  }

  protected override diagnose(prediction: Tensor, target: unknown): LossDiagnosis {
    const data = prediction._view();
    const bad = data.findIndex((p) => Number.isFinite(p) && !(p >= 0 && p <= 1));
    if (bad >= 0) {
      throw new ValueError(`BCELoss.forward: the prediction must be probabilities in [0, 1] (apply Sigmoid, or use BCEWithLogitsLoss on raw scores); element ${bad} is ${data[bad]}`);
    }
    return super.diagnose(prediction, target);
  }
}

/**
 * Sigmoid + binary cross-entropy in one numerically stable step, on raw scores (logits):
 * max(x, 0) - x·t + log(1 + e^-|x|), as torch.nn.BCEWithLogitsLoss.
 */
export class BCEWithLogitsLoss extends ElementwiseLoss {
  static override readonly typeName: string = 'BCEWithLogitsLoss';
  protected readonly kernel = 'bceWithLogitsLoss';
  constructor(options: LossOptions = {}) {
    super(options, [], {
      weight: 'every element weighs 1 (no per-element rescaling weight)',
      posWeight: 'positive examples weigh as negative ones (no pos_weight); repeat the positive rows to weigh them more',
    });
  }

  override get predictionKind(): PredictionKind {
    return 'logits';
  }
}
