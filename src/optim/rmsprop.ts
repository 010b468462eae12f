import * as ops from '../backend/ops.js';
import type { Parameter } from '../nn/parameter.js';
import { checkBoolean, checkNumber, checkOptions } from '../validate.js';
import { Optimizer, type Hyperparameters } from './optimizer.js';

/** Options of RMSprop (torch.optim.RMSprop's, in camelCase). */
export interface RMSpropOptions {
  /** Learning rate. Default 1e-2. */
  lr?: number;
  /** Smoothing constant of the squared-gradient average. Default 0.99. */
  alpha?: number;
  /** Added to the denominator. Default 1e-8. */
  eps?: number;
  /** L2 penalty added to the gradient. Default 0. */
  weightDecay?: number;
  /** Momentum factor. Default 0. */
  momentum?: number;
  /** Normalise by the estimated variance of the gradient instead of its second moment. Default false. */
  centered?: boolean;
  /** Maximise the objective instead of minimising it. Default false. */
  maximize?: boolean;
}

/**
 * RMSprop, exactly torch.optim.RMSprop: v = αv + (1-α)g²; centered: ḡ = αḡ + (1-α)g and
 * avg = √(v - ḡ²) + eps, else avg = √v + eps; with momentum b = μb + g/avg, θ -= lr·b;
 * without, θ -= lr·g/avg.
 */
export class RMSprop extends Optimizer {
  static override readonly typeName: string = 'RMSprop';
  /** The `alpha` given to the constructor (or its default): torch's `alpha`. */
  readonly alpha: number;
  /** The `eps` given to the constructor (or its default): torch's `eps`. */
  readonly eps: number;
  /** The `weightDecay` given to the constructor (or its default): torch's `weight_decay`. */
  readonly weightDecay: number;
  /** The `momentum` given to the constructor (or its default): torch's `momentum`. */
  readonly momentum: number;
  /** The `centered` given to the constructor (or its default): torch's `centered`. */
  readonly centered: boolean;
  /** The `maximize` given to the constructor (or its default): torch's `maximize`. */
  readonly maximize: boolean;

  constructor(params: readonly Parameter[], options: RMSpropOptions = {}) {
    const h = RMSprop.parseOptions(options); // every option checked before super() moves the parameters
    super(params, h.lr);
    this.alpha = h.alpha;
    this.eps = h.eps;
    this.weightDecay = h.weightDecay;
    this.momentum = h.momentum;
    this.centered = h.centered;
    this.maximize = h.maximize;
  }

  /** Checks every option (no side effects) and returns them with defaults filled in. */
  static parseOptions(options: RMSpropOptions): Required<RMSpropOptions> {
    checkOptions('RMSprop', options, ['lr', 'alpha', 'eps', 'weightDecay', 'momentum', 'centered', 'maximize']);
    return {
      lr: checkNumber('RMSprop', 'lr', options.lr ?? 1e-2, { min: 0 }),
      alpha: checkNumber('RMSprop', 'alpha', options.alpha ?? 0.99, { min: 0, max: 1 }),
      eps: checkNumber('RMSprop', 'eps', options.eps ?? 1e-8, { min: 0 }),
      weightDecay: checkNumber('RMSprop', 'weightDecay', options.weightDecay ?? 0, { min: 0 }),
      momentum: checkNumber('RMSprop', 'momentum', options.momentum ?? 0, { min: 0 }),
      centered: checkBoolean('RMSprop', 'centered', options.centered ?? false),
      maximize: checkBoolean('RMSprop', 'maximize', options.maximize ?? false),
    };
  }

  hyperparameters(): Hyperparameters {
    const { lr, alpha, eps, weightDecay, momentum, centered, maximize } = this;
    return { lr, alpha, eps, weightDecay, momentum, centered, maximize };
  }

  protected stateNames(): readonly string[] {
    return ['squareAvg', ...(this.momentum > 0 ? ['momentumBuffer'] : []), ...(this.centered ? ['gradAvg'] : [])];
  }

  protected override nonNegativeStateNames(): readonly string[] {
    return ['squareAvg'];
  }

  protected update(): void {
    ops.rmspropStep(
      this.block.values, this.block.grads, this.buffer('squareAvg'),
      this.centered ? this.buffer('gradAvg') : null,
      this.momentum > 0 ? this.buffer('momentumBuffer') : null,
      this,
    );
  }
}
