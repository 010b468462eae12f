import * as ops from '../backend/ops.js';
import { ValueError } from '../errors.js';
import type { Parameter } from '../nn/parameter.js';
import { checkBoolean, checkNumber, checkOptions } from '../validate.js';
import { Optimizer, type Hyperparameters } from './optimizer.js';

/** Options of SGD (torch.optim.SGD's, in camelCase). */
export interface SGDOptions {
  /** Learning rate. Default 1e-3. */
  lr?: number;
  /** Momentum factor μ. Default 0. */
  momentum?: number;
  /** Dampening for momentum. Default 0. */
  dampening?: number;
  /** L2 penalty λ added to the gradient. Default 0. */
  weightDecay?: number;
  /** Nesterov momentum (needs momentum > 0 and dampening 0). Default false. */
  nesterov?: boolean;
  /** Maximise the objective instead of minimising it. Default false. */
  maximize?: boolean;
}

/**
 * Stochastic gradient descent with optional momentum, exactly torch.optim.SGD:
 * g = ∇ + λθ; b = g (first step) or μb + (1 - dampening)g; g = nesterov ? g + μb : b; θ -= lr·g.
 */
export class SGD extends Optimizer {
  static override readonly typeName: string = 'SGD';
  /** The `momentum` given to the constructor (or its default): torch's `momentum`. */
  readonly momentum: number;
  /** The `dampening` given to the constructor (or its default): torch's `dampening`. */
  readonly dampening: number;
  /** The `weightDecay` given to the constructor (or its default): torch's `weight_decay`. */
  readonly weightDecay: number;
  /** The `nesterov` given to the constructor (or its default): torch's `nesterov`. */
  readonly nesterov: boolean;
  /** The `maximize` given to the constructor (or its default): torch's `maximize`. */
  readonly maximize: boolean;

  constructor(params: readonly Parameter[], options: SGDOptions = {}) {
    const h = SGD.parseOptions(options); // every option checked before super() moves the parameters
    super(params, h.lr);
    this.momentum = h.momentum;
    this.dampening = h.dampening;
    this.weightDecay = h.weightDecay;
    this.nesterov = h.nesterov;
    this.maximize = h.maximize;
  }

  /** Checks every option (no side effects) and returns them with defaults filled in. */
  static parseOptions(options: SGDOptions): Required<SGDOptions> {
    checkOptions('SGD', options, ['lr', 'momentum', 'dampening', 'weightDecay', 'nesterov', 'maximize']);
    const h: Required<SGDOptions> = {
      lr: checkNumber('SGD', 'lr', options.lr ?? 1e-3, { min: 0 }),
      momentum: checkNumber('SGD', 'momentum', options.momentum ?? 0, { min: 0 }),
      dampening: checkNumber('SGD', 'dampening', options.dampening ?? 0),
      weightDecay: checkNumber('SGD', 'weightDecay', options.weightDecay ?? 0, { min: 0 }),
      nesterov: checkBoolean('SGD', 'nesterov', options.nesterov ?? false),
      maximize: checkBoolean('SGD', 'maximize', options.maximize ?? false),
    };
    if (h.nesterov && (h.momentum <= 0 || h.dampening !== 0)) {
      throw new ValueError(`SGD: nesterov momentum requires momentum > 0 and dampening = 0, got momentum ${h.momentum}, dampening ${h.dampening}`);
    }
    return h;
  }

  hyperparameters(): Hyperparameters {
    const { lr, momentum, dampening, weightDecay, nesterov, maximize } = this;
    return { lr, momentum, dampening, weightDecay, nesterov, maximize };
  }

  protected stateNames(): readonly string[] {
    return this.momentum !== 0 ? ['momentumBuffer'] : [];
  }

  protected update(): void {
    const buf = this.momentum !== 0 ? this.buffer('momentumBuffer') : null;
    ops.sgdStep(this.block.values, this.block.grads, buf, this, this.stepCount === 1);
  }
}
