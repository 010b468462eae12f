import * as ops from '../backend/ops.js';
import type { Parameter } from '../nn/parameter.js';
import { checkBoolean, checkNumber, checkOptions } from '../validate.js';
import { Optimizer, type Hyperparameters } from './optimizer.js';

/** Options of Adagrad (torch.optim.Adagrad's, in camelCase). */
export interface AdagradOptions {
  /** Learning rate. Default 1e-2. */
  lr?: number;
  /** Learning-rate decay per step. Default 0. */
  lrDecay?: number;
  /** L2 penalty added to the gradient. Default 0. */
  weightDecay?: number;
  /** Starting value of the sum of squared gradients. Default 0. */
  initialAccumulatorValue?: number;
  /** Added to the denominator. Default 1e-10. */
  eps?: number;
  /** Maximise the objective instead of minimising it. Default false. */
  maximize?: boolean;
}

/**
 * Adagrad, exactly torch.optim.Adagrad: g = ∇ + λθ; s += g²;
 * θ -= lr/(1 + (t-1)·lrDecay) · g / (√s + eps).
 */
export class Adagrad extends Optimizer {
  static override readonly typeName: string = 'Adagrad';
  /** The `lrDecay` given to the constructor (or its default): torch's `lr_decay`. */
  readonly lrDecay: number;
  /** The `weightDecay` given to the constructor (or its default): torch's `weight_decay`. */
  readonly weightDecay: number;
  /** The `initialAccumulatorValue` given to the constructor (or its default): torch's `initial_accumulator_value`. */
  readonly initialAccumulatorValue: number;
  /** The `eps` given to the constructor (or its default): torch's `eps`. */
  readonly eps: number;
  /** The `maximize` given to the constructor (or its default): torch's `maximize`. */
  readonly maximize: boolean;

  constructor(params: readonly Parameter[], options: AdagradOptions = {}) {
    const h = Adagrad.parseOptions(options); // every option checked before super() moves the parameters
    super(params, h.lr);
    this.lrDecay = h.lrDecay;
    this.weightDecay = h.weightDecay;
    this.initialAccumulatorValue = h.initialAccumulatorValue;
    this.eps = h.eps;
    this.maximize = h.maximize;
  }

  /** Checks every option (no side effects) and returns them with defaults filled in. */
  static parseOptions(options: AdagradOptions): Required<AdagradOptions> {
    checkOptions('Adagrad', options, ['lr', 'lrDecay', 'weightDecay', 'initialAccumulatorValue', 'eps', 'maximize']);
    return {
      lr: checkNumber('Adagrad', 'lr', options.lr ?? 1e-2, { min: 0 }),
      lrDecay: checkNumber('Adagrad', 'lrDecay', options.lrDecay ?? 0, { min: 0 }),
      weightDecay: checkNumber('Adagrad', 'weightDecay', options.weightDecay ?? 0, { min: 0 }),
      initialAccumulatorValue: checkNumber('Adagrad', 'initialAccumulatorValue', options.initialAccumulatorValue ?? 0, { min: 0 }),
      eps: checkNumber('Adagrad', 'eps', options.eps ?? 1e-10, { min: 0 }),
      maximize: checkBoolean('Adagrad', 'maximize', options.maximize ?? false),
    };
  }

  hyperparameters(): Hyperparameters {
    const { lr, lrDecay, weightDecay, initialAccumulatorValue, eps, maximize } = this;
    return { lr, lrDecay, weightDecay, initialAccumulatorValue, eps, maximize };
  }

  protected stateNames(): readonly string[] {
    return ['sum'];
  }

  protected override nonNegativeStateNames(): readonly string[] {
    return ['sum'];
  }

  protected update(): void {
    const clr = this.lr / (1 + (this.stepCount - 1) * this.lrDecay);
    ops.adagradStep(this.block.values, this.block.grads, this.buffer('sum', this.initialAccumulatorValue), {
      clr, weightDecay: this.weightDecay, eps: this.eps, maximize: this.maximize,
    });
  }
}
