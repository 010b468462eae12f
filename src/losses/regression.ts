import type { Tensor } from '../tensor.js';
import { checkNumber } from '../validate.js';
import { ElementwiseLoss, type LossOptions } from './loss.js';

/** Mean squared error: (prediction - target)², averaged (or summed) over all elements. */
export class MSELoss extends ElementwiseLoss {
  static override readonly typeName: string = 'MSELoss';
  protected readonly kernel = 'mseLoss';
  constructor(options: LossOptions = {}) {
    super(options);
  }
}

/** Mean absolute error (L1): |prediction - target|. Its gradient at 0 is 0, as in PyTorch. */
export class L1Loss extends ElementwiseLoss {
  static override readonly typeName: string = 'L1Loss';
  protected readonly kernel = 'l1Loss';
  constructor(options: LossOptions = {}) {
    super(options);
  }
}

/** Options of HuberLoss. */
export interface HuberLossOptions extends LossOptions {
  /** Where the loss turns from quadratic to linear. Default 1. */
  delta?: number;
}

/** Huber loss: ½d² for |d| < delta, delta·(|d| - ½delta) beyond (torch.nn.HuberLoss). */
export class HuberLoss extends ElementwiseLoss {
  static override readonly typeName: string = 'HuberLoss';
  protected readonly kernel = 'huberLoss';
  /** The `delta` given to the constructor (or its default): torch's `delta`. */
  readonly delta: number;
  constructor(options: HuberLossOptions = {}) {
    super(options, ['delta']);
    this.delta = checkNumber('HuberLoss', 'delta', options.delta ?? 1, { min: 0, minExclusive: true });
    this.param = this.delta;
  }
}

/** Options of SmoothL1Loss. */
export interface SmoothL1LossOptions extends LossOptions {
  /** Where the loss turns from quadratic to linear, ≥ 0 (0: L1Loss, as torch). Default 1. */
  beta?: number;
}

/**
 * Smooth L1: ½d²/beta for |d| < beta, |d| - ½beta beyond (torch.nn.SmoothL1Loss) = Huber / beta;
 * beta 0 is L1Loss, as in torch (whose gradient at d = 0 exactly is then -1/n rather than L1's 0).
 */
export class SmoothL1Loss extends ElementwiseLoss {
  static override readonly typeName: string = 'SmoothL1Loss';
  protected readonly kernel: 'huberLoss' | 'l1Loss';
  /** The `beta` given to the constructor (or its default): torch's `beta`. */
  readonly beta: number;
  constructor(options: SmoothL1LossOptions = {}) {
    super(options, ['beta']);
    this.beta = checkNumber('SmoothL1Loss', 'beta', options.beta ?? 1, { min: 0 });
    this.kernel = this.beta === 0 ? 'l1Loss' : 'huberLoss';
    this.param = this.beta;
  }
  /** SmoothL1(d; beta) = Huber(d; delta = beta) / beta, for the value and the gradient. */
  protected override scale(prediction: Tensor): number {
    return this.beta === 0 ? super.scale(prediction) : super.scale(prediction) / this.beta;
  }
}
