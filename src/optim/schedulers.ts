import { ValueError } from '../errors.js';
import { checkChoice, checkNumber, checkOptions, describe } from '../validate.js';
import { Optimizer } from './optimizer.js';

/**
 * Base of the learning-rate schedulers (torch.optim.lr_scheduler): call step() once per epoch,
 * after the optimizer's steps; it sets optimizer.lr for the next epoch.
 */
export abstract class LRScheduler {
  /** The scheduler's name, written out (minifiers rename classes). */
  static readonly typeName: string = 'LRScheduler';
  /** The learning rate the optimizer had when the scheduler was created. */
  readonly baseLr: number;
  /** Epochs completed (number of step() calls). */
  epoch = 0;

  protected constructor(readonly optimizer: Optimizer) {
    const name = (new.target as typeof LRScheduler).typeName;
    if (!(optimizer instanceof Optimizer)) throw new ValueError(`${name}: optimizer must be an Optimizer, got ${describe(optimizer)}`);
    optimizer._checkUsable(`lr (read by ${name})`);
    this.baseLr = optimizer.lr;
  }

  /** Whether step() needs a metric (fit passes valLoss, or loss, when it does). */
  get needsMetric(): boolean {
    return false;
  }

  /** This scheduler's class name (its class's static `typeName`). */
  get typeName(): string {
    return (this.constructor as typeof LRScheduler).typeName;
  }

  /**
   * Advances one epoch. `metric` is used by ReduceLROnPlateau only. The new rate is computed and
   * checked before anything changes: a rejected step leaves the epoch count and lr as they were.
   */
  step(metric?: number): void {
    this.optimizer._checkUsable(`lr (set by ${this.typeName}.step)`);
    this.checkStep(metric);
    this.epoch++;
    const lr = this.nextLr(metric);
    this.optimizer.lr = lr;
  }

  /** Checks step()'s argument before anything changes (ReduceLROnPlateau: the metric). */
  protected checkStep(_metric?: number): void {}

  protected abstract nextLr(metric?: number): number;
}

/** Throws ValueError unless `options` is an object with only the allowed keys (required options follow). */
function checkRequiredOptions(where: string, options: unknown, allowed: readonly string[]): void {
  if (options === undefined) throw new ValueError(`${where}: options are required ({ ${allowed[0]}: … }), got undefined`);
  checkOptions(where, options as object, allowed);
}

/** lr = baseLr · gamma^⌊epoch / stepSize⌋. */
export class StepLR extends LRScheduler {
  static override readonly typeName: string = 'StepLR';
  readonly stepSize: number;
  readonly gamma: number;
  constructor(optimizer: Optimizer, options: { stepSize: number; gamma?: number }) {
    super(optimizer);
    checkRequiredOptions('StepLR', options, ['stepSize', 'gamma']);
    this.stepSize = checkNumber('StepLR', 'stepSize', options.stepSize, { integer: true, min: 1 });
    this.gamma = checkNumber('StepLR', 'gamma', options.gamma ?? 0.1, { min: 0 });
  }
  protected nextLr(): number {
    return this.baseLr * this.gamma ** Math.floor(this.epoch / this.stepSize);
  }
}

/** lr = baseLr · gamma^epoch. */
export class ExponentialLR extends LRScheduler {
  static override readonly typeName: string = 'ExponentialLR';
  readonly gamma: number;
  constructor(optimizer: Optimizer, options: { gamma: number }) {
    super(optimizer);
    checkRequiredOptions('ExponentialLR', options, ['gamma']);
    this.gamma = checkNumber('ExponentialLR', 'gamma', options.gamma, { min: 0 });
  }
  protected nextLr(): number {
    return this.baseLr * this.gamma ** this.epoch;
  }
}

/** lr = etaMin + (baseLr - etaMin)·(1 + cos(π·epoch/tMax))/2 (the closed form of PyTorch's). */
export class CosineAnnealingLR extends LRScheduler {
  static override readonly typeName: string = 'CosineAnnealingLR';
  readonly tMax: number;
  readonly etaMin: number;
  constructor(optimizer: Optimizer, options: { tMax: number; etaMin?: number }) {
    super(optimizer);
    checkRequiredOptions('CosineAnnealingLR', options, ['tMax', 'etaMin']);
    this.tMax = checkNumber('CosineAnnealingLR', 'tMax', options.tMax, { integer: true, min: 1 });
    this.etaMin = checkNumber('CosineAnnealingLR', 'etaMin', options.etaMin ?? 0, { min: 0 });
  }
  protected nextLr(): number {
    return this.etaMin + ((this.baseLr - this.etaMin) * (1 + Math.cos((Math.PI * this.epoch) / this.tMax))) / 2;
  }
}

/** Options of ReduceLROnPlateau (PyTorch's, camelCase). */
export interface ReduceLROnPlateauOptions {
  mode?: 'min' | 'max';
  /** Multiplier applied on a plateau. Default 0.1. */
  factor?: number;
  /** Epochs without improvement before reducing. Default 10. */
  patience?: number;
  /** Relative improvement that counts. Default 1e-4. */
  threshold?: number;
  /** Epochs to wait after a reduction. Default 0. */
  cooldown?: number;
  /** Lower bound of lr. Default 0. */
  minLr?: number;
}

/** Multiplies lr by `factor` when the metric passed to step() stops improving. */
export class ReduceLROnPlateau extends LRScheduler {
  static override readonly typeName: string = 'ReduceLROnPlateau';
  readonly mode: 'min' | 'max';
  readonly factor: number;
  readonly patience: number;
  readonly threshold: number;
  readonly cooldown: number;
  readonly minLr: number;
  private best: number;
  private bad = 0;
  private cooling = 0;

  constructor(optimizer: Optimizer, options: ReduceLROnPlateauOptions = {}) {
    super(optimizer);
    const w = 'ReduceLROnPlateau';
    checkOptions(w, options, ['mode', 'factor', 'patience', 'threshold', 'cooldown', 'minLr']);
    this.mode = checkChoice(w, 'mode', options.mode ?? 'min', ['min', 'max']);
    this.factor = checkNumber(w, 'factor', options.factor ?? 0.1, { min: 0, max: 1, maxExclusive: true });
    this.patience = checkNumber(w, 'patience', options.patience ?? 10, { integer: true, min: 0 });
    this.threshold = checkNumber(w, 'threshold', options.threshold ?? 1e-4, { min: 0 });
    this.cooldown = checkNumber(w, 'cooldown', options.cooldown ?? 0, { integer: true, min: 0 });
    this.minLr = checkNumber(w, 'minLr', options.minLr ?? 0, { min: 0 });
    this.best = this.mode === 'min' ? Infinity : -Infinity;
  }

  override get needsMetric(): boolean {
    return true;
  }

  protected override checkStep(metric?: number): void {
    checkNumber('ReduceLROnPlateau.step', 'metric', metric);
  }

  protected nextLr(metric?: number): number {
    const value = metric!;
    const better = this.mode === 'min' ? value < this.best * (1 - this.threshold) : value > this.best * (1 + this.threshold);
    if (better) {
      this.best = value;
      this.bad = 0;
    } else {
      this.bad++;
    }
    if (this.cooling > 0) {
      this.cooling--;
      this.bad = 0;
    }
    if (this.bad > this.patience) {
      this.cooling = this.cooldown;
      this.bad = 0;
      return Math.max(this.optimizer.lr * this.factor, this.minLr);
    }
    return this.optimizer.lr;
  }
}
