import * as ops from '../backend/ops.js';
import { ValueError } from '../errors.js';
import type { Parameter } from '../nn/parameter.js';
import { checkBoolean, checkNumber, checkOptions, describe } from '../validate.js';
import { Optimizer, type Hyperparameters } from './optimizer.js';

/** Options of Adam and AdamW (torch.optim's, in camelCase). */
export interface AdamOptions {
  /** Learning rate. Default 1e-3. */
  lr?: number;
  /** Decay rates [β1, β2] of the moment estimates, each in [0, 1). Default [0.9, 0.999]. */
  betas?: [number, number];
  /** Added to the denominator: θ -= lr·m̂ / (√v̂ + eps). Default 1e-8. */
  eps?: number;
  /** Adam: L2 penalty added to the gradient (default 0). AdamW: decoupled decay (default 1e-2). */
  weightDecay?: number;
  /** Use the running maximum of v (AMSGrad). Default false. */
  amsgrad?: boolean;
  /** Maximise the objective instead of minimising it. Default false. */
  maximize?: boolean;
}

const ADAM_OPTIONS = ['lr', 'betas', 'eps', 'weightDecay', 'amsgrad', 'maximize'];

/**
 * Adam, exactly torch.optim.Adam: g = ∇ + λθ; m = β1·m + (1-β1)·g; v = β2·v + (1-β2)·g²;
 * (AMSGrad: v = max(vmax, v)); θ -= lr/(1-β1^t) · m / (√v/√(1-β2^t) + eps).
 *
 * @example
 * const opt = new Adam(model.parameters(), { lr: 1e-2, amsgrad: true });
 */
export class Adam extends Optimizer {
  static override readonly typeName: string = 'Adam';
  /** The `betas` given to the constructor (or its default): torch's `betas`. */
  readonly betas: readonly [number, number];
  /** The `eps` given to the constructor (or its default): torch's `eps`. */
  readonly eps: number;
  /** The `weightDecay` given to the constructor (or its default): torch's `weight_decay`. */
  readonly weightDecay: number;
  /** The `amsgrad` given to the constructor (or its default): torch's `amsgrad`. */
  readonly amsgrad: boolean;
  /** The `maximize` given to the constructor (or its default): torch's `maximize`. */
  readonly maximize: boolean;
  /** Weight decay applied to θ directly (AdamW) rather than through the gradient. */
  protected readonly decoupled: boolean = false;
  /** The kernel's hyper-parameters, re-filled by every step (see update). */
  private readonly stepHyper: Parameters<typeof ops.adamStep>[5];

  constructor(params: readonly Parameter[], options: AdamOptions = {}, defaultWeightDecay = 0) {
    // Every option checked before super() moves the parameters.
    const h = Adam.parseOptions((new.target as typeof Adam).typeName, options, defaultWeightDecay);
    super(params, h.lr);
    this.betas = h.betas;
    this.eps = h.eps;
    this.weightDecay = h.weightDecay;
    this.amsgrad = h.amsgrad;
    this.maximize = h.maximize;
    this.stepHyper = {
      lr: 0, beta1: 0, beta2: 0, eps: 0, weightDecay: 0, decoupled: false, amsgrad: false, maximize: false, stepSize: 0, bias2Sqrt: 0,
    };
  }

  /** Checks every option (no side effects) and returns them with defaults filled in. */
  static parseOptions(name: string, options: AdamOptions, defaultWeightDecay = 0): Required<AdamOptions> {
    checkOptions(name, options, ADAM_OPTIONS);
    const lr = checkNumber(name, 'lr', options.lr ?? 1e-3, { min: 0 });
    const betas: unknown = options.betas ?? [0.9, 0.999];
    if (!Array.isArray(betas) || betas.length !== 2) throw new ValueError(`${name}: betas must be a pair [β1, β2], got ${describe(betas)}`);
    return {
      lr,
      betas: [
        checkNumber(name, 'betas[0]', betas[0], { min: 0, max: 1, maxExclusive: true }),
        checkNumber(name, 'betas[1]', betas[1], { min: 0, max: 1, maxExclusive: true }),
      ],
      eps: checkNumber(name, 'eps', options.eps ?? 1e-8, { min: 0 }),
      weightDecay: checkNumber(name, 'weightDecay', options.weightDecay ?? defaultWeightDecay, { min: 0 }),
      amsgrad: checkBoolean(name, 'amsgrad', options.amsgrad ?? false),
      maximize: checkBoolean(name, 'maximize', options.maximize ?? false),
    };
  }

  hyperparameters(): Hyperparameters {
    const { lr, eps, weightDecay, amsgrad, maximize } = this;
    return { lr, betas: [...this.betas], eps, weightDecay, amsgrad, maximize };
  }

  protected stateNames(): readonly string[] {
    return this.amsgrad ? ['expAvg', 'expAvgSq', 'maxExpAvgSq'] : ['expAvg', 'expAvgSq'];
  }

  protected override nonNegativeStateNames(): readonly string[] {
    return ['expAvgSq', 'maxExpAvgSq'];
  }

  protected update(): void {
    const beta1 = this.betas[0], beta2 = this.betas[1]; // indexing, not destructuring (an iterator)
    const t = this.stepCount, h = this.stepHyper;
    // One object re-filled every step instead of a new one (no allocation per step).
    h.lr = this.lr;
    h.beta1 = beta1;
    h.beta2 = beta2;
    h.eps = this.eps;
    h.weightDecay = this.weightDecay;
    h.decoupled = this.decoupled;
    h.amsgrad = this.amsgrad;
    h.maximize = this.maximize;
    h.stepSize = this.lr / (1 - beta1 ** t);
    h.bias2Sqrt = Math.sqrt(1 - beta2 ** t);
    ops.adamStep(
      this.block.values, this.block.grads, this.buffer('expAvg'), this.buffer('expAvgSq'),
      this.amsgrad ? this.buffer('maxExpAvgSq') : null, h,
    );
  }
}

/**
 * AdamW, exactly torch.optim.AdamW: Adam whose weight decay shrinks θ directly,
 * θ ← θ·(1 - lr·λ), instead of adding λθ to the gradient. Default weightDecay 1e-2.
 */
export class AdamW extends Adam {
  static override readonly typeName: string = 'AdamW';
  protected override readonly decoupled = true;
  constructor(params: readonly Parameter[], options: AdamOptions = {}) {
    super(params, options, 1e-2);
  }
}
