import { ValueError } from '../errors.js';
import { checkChoice, checkNumber, checkOptions } from '../validate.js';
import type { EpochLog } from './history.js';

/** Quantities early stopping can watch. */
export type Monitor = 'loss' | 'accuracy' | 'valLoss' | 'valAccuracy';

/** Options of early stopping. */
export interface EarlyStoppingOptions {
  /** What to watch. Default 'valLoss' when there is validation data, else 'loss'. */
  monitor?: Monitor;
  /** 'min' for losses, 'max' for accuracies. Default: chosen from monitor. */
  mode?: 'min' | 'max';
  /** Epochs without improvement before stopping. Default 10. */
  patience?: number;
  /** Smallest change that counts as an improvement. Default 0. */
  minDelta?: number;
  /** Stop as soon as the monitored value reaches this (e.g. accuracy 1.0). */
  target?: number;
  /** Apply the rule only after epochs that are multiples of this (patience counts these checks). Default 1. */
  every?: number;
}

/** Decides after each epoch whether training should stop (Keras / Lightning semantics). */
export class EarlyStopping {
  readonly monitor: Monitor;
  readonly mode: 'min' | 'max';
  readonly patience: number;
  readonly minDelta: number;
  readonly target: number | undefined;
  readonly every: number;
  private best: number;
  private wait = 0;
  /** Epoch (1-based) of the best value so far. */
  bestEpoch = 0;

  constructor(options: EarlyStoppingOptions, hasValidation: boolean) {
    checkOptions('earlyStopping', options, ['monitor', 'mode', 'patience', 'minDelta', 'target', 'every']);
    this.monitor = checkChoice('earlyStopping', 'monitor', options.monitor ?? (hasValidation ? 'valLoss' : 'loss'),
      ['loss', 'accuracy', 'valLoss', 'valAccuracy']);
    if (this.monitor.startsWith('val') && !hasValidation) {
      throw new ValueError(`earlyStopping: monitor '${this.monitor}' needs validation data (the 'validation' option)`);
    }
    this.mode = checkChoice('earlyStopping', 'mode', options.mode ?? (this.monitor.endsWith('ccuracy') ? 'max' : 'min'), ['min', 'max']);
    this.patience = checkNumber('earlyStopping', 'patience', options.patience ?? 10, { integer: true, min: 0 });
    this.minDelta = checkNumber('earlyStopping', 'minDelta', options.minDelta ?? 0, { min: 0 });
    this.target = options.target === undefined ? undefined : checkNumber('earlyStopping', 'target', options.target);
    this.every = checkNumber('earlyStopping', 'every', options.every ?? 1, { integer: true, min: 1 });
    this.best = this.mode === 'min' ? Infinity : -Infinity;
  }

  /** Records an epoch; returns why to stop, or null to go on. */
  update(log: EpochLog): 'target-reached' | 'early-stopping' | null {
    if (log.epoch % this.every !== 0) return null;
    const value = log[this.monitor]!;
    const better = this.mode === 'min' ? value < this.best - this.minDelta : value > this.best + this.minDelta;
    if (better) {
      this.best = value;
      this.bestEpoch = log.epoch;
      this.wait = 0;
    } else {
      this.wait++;
    }
    if (this.target !== undefined && (this.mode === 'min' ? value <= this.target : value >= this.target)) return 'target-reached';
    return this.wait > this.patience ? 'early-stopping' : null;
  }
}
