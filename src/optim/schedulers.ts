import { ValueError } from '../errors.js';
import { checkChoice, checkNumber, checkOptions, describe } from '../validate.js';
import { Optimizer } from './optimizer.js';

/** A scheduler's state in plain values, for checkpoints (torch's scheduler.state_dict()). */
export interface SchedulerStateDict {
  /** The scheduler's class name (its `typeName`): loading into another kind is refused. */
  typeName: string;
  /** step() calls so far (torch's last_epoch). */
  epoch: number;
  /** The learning rate the schedule started from (torch's base_lrs[0]). */
  baseLr: number;
  /** The scheduler's options: on load they must equal the loading scheduler's. */
  options: Record<string, number | string>;
  /** ReduceLROnPlateau only: the best metric so far (null: none yet, as JSON writes ±Infinity), bad epochs and cooldown left. */
  best?: number | null;
  numBadEpochs?: number;
  cooldownCounter?: number;
}

/**
 * Base of the learning-rate schedulers (torch.optim.lr_scheduler): call step() once per epoch,
 * after the optimizer's steps; it sets optimizer.lr for the next epoch. As torch's, each rule is
 * chainable: the next rate is computed from the optimizer's current lr (torch's get_lr), so a
 * rate set by hand between steps carries on in the schedule instead of being overwritten.
 */
export abstract class LRScheduler {
  /** The scheduler's name, written out (minifiers rename classes). */
  static readonly typeName: string = 'LRScheduler';
  private base: number;
  /** Epochs completed (number of step() calls; torch's last_epoch). */
  epoch = 0;

  protected constructor(
    /** The optimizer whose `lr` this scheduler sets. */
    readonly optimizer: Optimizer,
  ) {
    const name = (new.target as typeof LRScheduler).typeName;
    if (!(optimizer instanceof Optimizer)) throw new ValueError(`${name}: optimizer must be an Optimizer, got ${describe(optimizer)}`);
    optimizer._checkUsable(`lr (read by ${name})`);
    // torch: group.setdefault('initial_lr', group['lr']), base_lrs = initial_lr — recorded by the
    // subclass constructor once its own checks passed (recordInitialLr), so a refused constructor
    // changes nothing. ReduceLROnPlateau (not an _LRScheduler in torch 1.13) neither reads nor sets it.
    this.base = this.setsInitialLr ? optimizer._initialLr ?? optimizer.lr : optimizer.lr;
  }

  /** Whether this kind records and follows torch's initial_lr (every one but ReduceLROnPlateau). */
  protected get setsInitialLr(): boolean {
    return true;
  }

  /** The end of a constructor: torch's setdefault('initial_lr'), made when the scheduler is created. */
  protected recordInitialLr(): void {
    if (this.setsInitialLr) this.optimizer._initialLr ??= this.base;
  }

  /**
   * The rate the schedule started from (torch's base_lrs[0]): the optimizer's lr when the first
   * scheduler on it was created (torch's initial_lr: a CosineAnnealingLR created after a StepLR
   * anneals from the original rate); ReduceLROnPlateau's own starting lr; restored by loadStateDict.
   */
  get baseLr(): number {
    return this.base;
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
    const lr = this.nextLr(this.epoch + 1, this.optimizer.lr, metric);
    this.optimizer.lr = lr; // checked by the setter before the counts move
    this.epoch++;
    this.commit();
  }

  /** The options this scheduler was built with (compared on loadStateDict). */
  protected abstract options(): Record<string, number | string>;

  /** Checks step()'s argument before anything changes (ReduceLROnPlateau: the metric). */
  protected checkStep(_metric?: number): void {}

  /**
   * The rate for epoch `epoch` (the count after this step) from the optimizer's current rate
   * `lr`, torch's get_lr; a subclass that keeps counters computes their next values here and
   * stores them in commit(), which runs only once the new rate has been accepted.
   */
  protected abstract nextLr(epoch: number, lr: number, metric?: number): number;

  /** Stores the counters nextLr computed (ReduceLROnPlateau). */
  protected commit(): void {}

  /** A copy of the epoch count, base rate, options (and ReduceLROnPlateau's counters). */
  stateDict(): SchedulerStateDict {
    return { typeName: this.typeName, epoch: this.epoch, baseLr: this.base, options: this.options(), ...this.extraState() };
  }

  /**
   * Restores state saved by stateDict() of a scheduler of the same kind and options (torch's
   * load_state_dict), e.g. to resume a run: restore the optimizer (its loadStateDict restores its
   * lr), then the scheduler. Does not change the optimizer's lr. Everything is checked first: a
   * rejected dict changes nothing.
   */
  loadStateDict(dict: SchedulerStateDict): void {
    const where = `${this.typeName}.loadStateDict`;
    if (!dict || typeof dict !== 'object') throw new ValueError(`${where}: expected an object from stateDict(), got ${describe(dict)}`);
    if (dict.typeName !== this.typeName) throw new ValueError(`${where}: the state is from a ${describe(dict.typeName)}, this is a ${this.typeName}`);
    const epoch = checkNumber(where, 'epoch', dict.epoch, { integer: true, min: 0 });
    const baseLr = checkNumber(where, 'baseLr', dict.baseLr, { min: 0 });
    const mine = this.options(), theirs: unknown = dict.options;
    if (!theirs || typeof theirs !== 'object') throw new ValueError(`${where}: options must be an object, got ${describe(theirs)}`);
    for (const key of new Set([...Object.keys(mine), ...Object.keys(theirs)])) {
      const value = (theirs as Record<string, unknown>)[key];
      if (value !== mine[key]) throw new ValueError(`${where}: option ${key} is ${describe(value)} in the state but ${describe(mine[key])} in this ${this.typeName}`);
    }
    const restore = this.checkExtraState(where, dict);
    this.epoch = epoch;
    this.base = baseLr;
    if (this.setsInitialLr) this.optimizer._initialLr = baseLr; // torch's optimizer state carries initial_lr
    restore();
  }

  /** Counters beyond the epoch (ReduceLROnPlateau's). */
  protected extraState(): Partial<SchedulerStateDict> {
    return {};
  }

  /** Checks the counters beyond the epoch and returns what stores them. */
  protected checkExtraState(_where: string, _dict: SchedulerStateDict): () => void {
    return () => {};
  }
}

/** Throws ValueError unless `options` is an object with only the allowed keys (required options follow). */
function checkRequiredOptions(where: string, options: unknown, allowed: readonly string[]): void {
  if (options === undefined) throw new ValueError(`${where}: options are required ({ ${allowed[0]}: … }), got undefined`);
  checkOptions(where, options as object, allowed);
}

/**
 * Multiplies lr by gamma every stepSize epochs: with no change by hand, lr = baseLr ·
 * gamma^⌊epoch / stepSize⌋ (torch's StepLR, whose rule is chainable: lr·gamma when epoch is a
 * multiple of stepSize, else lr unchanged).
 */
export class StepLR extends LRScheduler {
  static override readonly typeName: string = 'StepLR';
  /** The `stepSize` given to the constructor (or its default): torch's `step_size`. */
  readonly stepSize: number;
  /** The `gamma` given to the constructor (or its default): torch's `gamma`. */
  readonly gamma: number;
  constructor(optimizer: Optimizer, options: { stepSize: number; gamma?: number }) {
    super(optimizer);
    checkRequiredOptions('StepLR', options, ['stepSize', 'gamma']);
    this.stepSize = checkNumber('StepLR', 'stepSize', options.stepSize, { integer: true, min: 1 });
    this.gamma = checkNumber('StepLR', 'gamma', options.gamma ?? 0.1, { min: 0 });
    this.recordInitialLr();
  }
  protected options(): Record<string, number> {
    return { stepSize: this.stepSize, gamma: this.gamma };
  }
  protected nextLr(epoch: number, lr: number): number {
    return epoch % this.stepSize === 0 ? lr * this.gamma : lr;
  }
}

/** Multiplies lr by gamma every epoch: lr = baseLr · gamma^epoch with no change by hand (torch's ExponentialLR). */
export class ExponentialLR extends LRScheduler {
  static override readonly typeName: string = 'ExponentialLR';
  /** The `gamma` given to the constructor (or its default): torch's `gamma`. */
  readonly gamma: number;
  constructor(optimizer: Optimizer, options: { gamma: number }) {
    super(optimizer);
    checkRequiredOptions('ExponentialLR', options, ['gamma']);
    this.gamma = checkNumber('ExponentialLR', 'gamma', options.gamma, { min: 0 });
    this.recordInitialLr();
  }
  protected options(): Record<string, number> {
    return { gamma: this.gamma };
  }
  protected nextLr(_epoch: number, lr: number): number {
    return lr * this.gamma;
  }
}

/**
 * Cosine annealing from baseLr to etaMin over tMax epochs, then back up over the next tMax, and
 * so on (torch's CosineAnnealingLR): with no change by hand, lr = etaMin + (baseLr - etaMin)·(1 +
 * cos(π·epoch/tMax))/2. The rule is torch's recursive (chainable) one: each step scales lr − etaMin
 * by the ratio of consecutive cosine terms, so a rate set by hand is annealed from where it is.
 */
export class CosineAnnealingLR extends LRScheduler {
  static override readonly typeName: string = 'CosineAnnealingLR';
  /** The `tMax` given to the constructor (or its default): torch's `T_max`. */
  readonly tMax: number;
  /** The `etaMin` given to the constructor (or its default): torch's `eta_min`. */
  readonly etaMin: number;
  constructor(optimizer: Optimizer, options: { tMax: number; etaMin?: number }) {
    super(optimizer);
    checkRequiredOptions('CosineAnnealingLR', options, ['tMax', 'etaMin']);
    this.tMax = checkNumber('CosineAnnealingLR', 'tMax', options.tMax, { integer: true, min: 1 });
    this.etaMin = checkNumber('CosineAnnealingLR', 'etaMin', options.etaMin ?? 0, { min: 0 });
    this.recordInitialLr();
  }
  protected options(): Record<string, number> {
    return { tMax: this.tMax, etaMin: this.etaMin };
  }
  protected nextLr(epoch: number, lr: number): number {
    const { tMax, etaMin } = this;
    // torch 1.13's get_lr, operation for operation (the same float64 rounding as Python's).
    if ((epoch - 1 - tMax) % (2 * tMax) === 0) return lr + ((this.baseLr - etaMin) * (1 - Math.cos(Math.PI / tMax))) / 2;
    return ((1 + Math.cos((Math.PI * epoch) / tMax)) / (1 + Math.cos((Math.PI * (epoch - 1)) / tMax))) * (lr - etaMin) + etaMin;
  }
}

/** Options of ReduceLROnPlateau (PyTorch's, camelCase). */
export interface ReduceLROnPlateauOptions {
  /** 'min': the metric should fall (a loss); 'max': rise (an accuracy). Default 'min'. */
  mode?: 'min' | 'max';
  /** Multiplier applied on a plateau, in [0, 1). Default 0.1. */
  factor?: number;
  /** Epochs without improvement before reducing. Default 10. */
  patience?: number;
  /** The improvement that counts (see thresholdMode). Default 1e-4. */
  threshold?: number;
  /**
   * 'rel': better means below best·(1 − threshold) ('min') or above best·(1 + threshold) ('max');
   * 'abs': below best − threshold or above best + threshold. Default 'rel'.
   */
  thresholdMode?: 'rel' | 'abs';
  /** Epochs to wait after a reduction. Default 0. */
  cooldown?: number;
  /** Lower bound of lr. Default 0. */
  minLr?: number;
  /** A reduction smaller than eps is skipped (lr stays). Default 1e-8. */
  eps?: number;
}

/** Multiplies lr by `factor` when the metric passed to step() stops improving (torch's ReduceLROnPlateau). */
export class ReduceLROnPlateau extends LRScheduler {
  static override readonly typeName: string = 'ReduceLROnPlateau';
  /** The `mode` given to the constructor (or its default): torch's `mode`. */
  readonly mode: 'min' | 'max';
  /** The `factor` given to the constructor (or its default): torch's `factor`. */
  readonly factor: number;
  /** The `patience` given to the constructor (or its default): torch's `patience`. */
  readonly patience: number;
  /** The `threshold` given to the constructor (or its default): torch's `threshold`. */
  readonly threshold: number;
  /** The `thresholdMode` given to the constructor (or its default): torch's `threshold_mode`. */
  readonly thresholdMode: 'rel' | 'abs';
  /** The `cooldown` given to the constructor (or its default): torch's `cooldown`. */
  readonly cooldown: number;
  /** The `minLr` given to the constructor (or its default): torch's `min_lr`. */
  readonly minLr: number;
  /** The `eps` given to the constructor (or its default): torch's `eps`. */
  readonly eps: number;
  private best: number;
  private bad = 0;
  private cooling = 0;
  private readonly next = { best: 0, bad: 0, cooling: 0 };

  constructor(optimizer: Optimizer, options: ReduceLROnPlateauOptions = {}) {
    super(optimizer);
    const w = 'ReduceLROnPlateau';
    checkOptions(w, options, ['mode', 'factor', 'patience', 'threshold', 'thresholdMode', 'cooldown', 'minLr', 'eps']);
    this.mode = checkChoice(w, 'mode', options.mode ?? 'min', ['min', 'max']);
    this.factor = checkNumber(w, 'factor', options.factor ?? 0.1, { min: 0, max: 1, maxExclusive: true });
    this.patience = checkNumber(w, 'patience', options.patience ?? 10, { integer: true, min: 0 });
    this.threshold = checkNumber(w, 'threshold', options.threshold ?? 1e-4, { min: 0 });
    this.thresholdMode = checkChoice(w, 'thresholdMode', options.thresholdMode ?? 'rel', ['rel', 'abs']);
    this.cooldown = checkNumber(w, 'cooldown', options.cooldown ?? 0, { integer: true, min: 0 });
    this.minLr = checkNumber(w, 'minLr', options.minLr ?? 0, { min: 0 });
    this.eps = checkNumber(w, 'eps', options.eps ?? 1e-8, { min: 0 });
    this.best = this.worst();
  }

  override get needsMetric(): boolean {
    return true;
  }

  /** torch 1.13's ReduceLROnPlateau is no _LRScheduler: it neither sets nor follows initial_lr. */
  protected override get setsInitialLr(): boolean {
    return false;
  }

  private worst(): number {
    return this.mode === 'min' ? Infinity : -Infinity;
  }

  protected options(): Record<string, number | string> {
    const { mode, factor, patience, threshold, thresholdMode, cooldown, minLr, eps } = this;
    return { mode, factor, patience, threshold, thresholdMode, cooldown, minLr, eps };
  }

  protected override checkStep(metric?: number): void {
    checkNumber('ReduceLROnPlateau.step', 'metric', metric);
  }

  private isBetter(value: number): boolean {
    const { best, threshold } = this;
    if (this.mode === 'min') return this.thresholdMode === 'rel' ? value < best * (1 - threshold) : value < best - threshold;
    return this.thresholdMode === 'rel' ? value > best * (threshold + 1) : value > best + threshold;
  }

  protected nextLr(_epoch: number, lr: number, metric?: number): number {
    const value = metric!, next = this.next;
    // torch 1.13's step(): the counters, then _reduce_lr.
    next.best = this.best;
    next.bad = this.bad;
    next.cooling = this.cooling;
    if (this.isBetter(value)) {
      next.best = value;
      next.bad = 0;
    } else {
      next.bad++;
    }
    if (next.cooling > 0) {
      next.cooling--;
      next.bad = 0;
    }
    if (next.bad > this.patience) {
      next.cooling = this.cooldown;
      next.bad = 0;
      const reduced = Math.max(lr * this.factor, this.minLr);
      return lr - reduced > this.eps ? reduced : lr;
    }
    return lr;
  }

  protected override commit(): void {
    this.best = this.next.best;
    this.bad = this.next.bad;
    this.cooling = this.next.cooling;
  }

  protected override extraState(): Partial<SchedulerStateDict> {
    return { best: Number.isFinite(this.best) ? this.best : null, numBadEpochs: this.bad, cooldownCounter: this.cooling };
  }

  protected override checkExtraState(where: string, dict: SchedulerStateDict): () => void {
    const best = dict.best === null ? this.worst() : checkNumber(where, 'best', dict.best);
    const bad = checkNumber(where, 'numBadEpochs', dict.numBadEpochs, { integer: true, min: 0 });
    const cooling = checkNumber(where, 'cooldownCounter', dict.cooldownCounter, { integer: true, min: 0 });
    return () => {
      this.best = best;
      this.bad = bad;
      this.cooling = cooling;
    };
  }
}
