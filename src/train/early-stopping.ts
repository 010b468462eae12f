import { ValueError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { checkBoolean, checkChoice, checkNumber, checkOptions } from '../validate.js';
import type { EpochLog } from './history.js';
import type { Task } from './task.js';

/** Quantities early stopping can watch (accuracies for classification, MAE / RMSE / R² for regression). */
export type Monitor = 'loss' | 'accuracy' | 'mae' | 'rmse' | 'r2' | 'valLoss' | 'valAccuracy' | 'valMae' | 'valRmse' | 'valR2';

const MONITORS: readonly Monitor[] = ['loss', 'accuracy', 'mae', 'rmse', 'r2', 'valLoss', 'valAccuracy', 'valMae', 'valRmse', 'valR2'];
/** Monitors that only one task records. */
const TASK_OF: Partial<Record<Monitor, Task>> = {
  accuracy: 'classification', valAccuracy: 'classification',
  mae: 'regression', rmse: 'regression', r2: 'regression', valMae: 'regression', valRmse: 'regression', valR2: 'regression',
};

/** Options of early stopping. */
export interface EarlyStoppingOptions {
  /** What to watch. Default 'valLoss' when there is validation data, else 'loss'. */
  monitor?: Monitor;
  /** 'min' for losses and errors, 'max' for accuracies and R². Default: chosen from monitor. */
  mode?: 'min' | 'max';
  /** Epochs without improvement before stopping. Default 10. */
  patience?: number;
  /** Smallest change that counts as an improvement. Default 0. */
  minDelta?: number;
  /** Stop as soon as the monitored value reaches this (e.g. accuracy 1.0). */
  target?: number;
  /**
   * At the end of training (whatever stopped it), put back the parameters of the epoch with the
   * best monitored value. They are copied into buffers made once, on each improvement. Default false.
   */
  restoreBestWeights?: boolean;
  /** Apply the rule only after epochs that are multiples of this (patience counts these checks). Default 1. */
  every?: number;
}

/** Decides after each epoch whether training should stop (Keras / Lightning semantics). */
export class EarlyStopping {
  /** The `monitor` option as given, or its default. */
  readonly monitor: Monitor;
  /** The `mode` option as given, or its default. */
  readonly mode: 'min' | 'max';
  /** The `patience` option as given, or its default. */
  readonly patience: number;
  /** The `minDelta` option as given, or its default. */
  readonly minDelta: number;
  /** The `target` option as given, or its default. */
  readonly target: number | undefined;
  /** The `restoreBestWeights` option as given, or its default. */
  readonly restoreBestWeights: boolean;
  /** The `every` option as given, or its default. */
  readonly every: number;
  private best: number;
  private wait = 0;
  private kept: Float32Array[] | null = null;
  private params: readonly Tensor[] = [];
  /** Epoch (1-based) of the best value so far. */
  bestEpoch = 0;

  /**
   * `hasValidation`: whether the run has validation data (default false: 'val…' monitors are
   * refused); `task`, when given, rejects a monitor the run will not record (accuracy of a regression).
   */
  constructor(options: EarlyStoppingOptions = {}, hasValidation = false, task?: Task) {
    checkOptions('earlyStopping', options, ['monitor', 'mode', 'patience', 'minDelta', 'target', 'restoreBestWeights', 'every']);
    checkBoolean('EarlyStopping', 'hasValidation', hasValidation);
    if (task !== undefined) checkChoice('EarlyStopping', 'task', task, ['classification', 'regression']);
    this.monitor = checkChoice('earlyStopping', 'monitor', options.monitor ?? (hasValidation ? 'valLoss' : 'loss'), MONITORS);
    if (this.monitor.startsWith('val') && !hasValidation) {
      throw new ValueError(`earlyStopping: monitor '${this.monitor}' needs validation data (the 'validation' option)`);
    }
    const monitorTask = TASK_OF[this.monitor];
    if (task !== undefined && monitorTask !== undefined && monitorTask !== task) {
      throw new ValueError(`earlyStopping: monitor '${this.monitor}' is a ${monitorTask} figure, but this run is a ${task}`);
    }
    const maximise = this.monitor.endsWith('ccuracy') || this.monitor === 'r2' || this.monitor === 'valR2';
    this.mode = checkChoice('earlyStopping', 'mode', options.mode ?? (maximise ? 'max' : 'min'), ['min', 'max']);
    this.patience = checkNumber('earlyStopping', 'patience', options.patience ?? 10, { integer: true, min: 0 });
    this.minDelta = checkNumber('earlyStopping', 'minDelta', options.minDelta ?? 0, { min: 0 });
    this.target = options.target === undefined ? undefined : checkNumber('earlyStopping', 'target', options.target);
    this.restoreBestWeights = checkBoolean('earlyStopping', 'restoreBestWeights', options.restoreBestWeights ?? false);
    this.every = checkNumber('earlyStopping', 'every', options.every ?? 1, { integer: true, min: 1 });
    this.best = this.mode === 'min' ? Infinity : -Infinity;
  }

  /** With restoreBestWeights: makes the buffers that keep the best parameters (once, before training). */
  keep(params: readonly Tensor[]): void {
    if (!this.restoreBestWeights) return;
    this.params = params;
    this.kept = params.map((p) => new Float32Array(p.size));
  }

  /** Records an epoch; returns why to stop, or null to go on. */
  update(log: EpochLog): 'target-reached' | 'early-stopping' | null {
    if (log.epoch % this.every !== 0) return null;
    const value = log[this.monitor]!;
    // NaN (a set with no counted row: every label ignoreIndex) is never better nor on target.
    const better = this.mode === 'min' ? value < this.best - this.minDelta : value > this.best + this.minDelta;
    if (better) {
      this.best = value;
      this.bestEpoch = log.epoch;
      this.wait = 0;
      if (this.kept) this.params.forEach((p, i) => this.kept![i]!.set(p._view()));
    } else {
      this.wait++;
    }
    if (this.target !== undefined && (this.mode === 'min' ? value <= this.target : value >= this.target)) return 'target-reached';
    return this.wait > this.patience ? 'early-stopping' : null;
  }

  /** With restoreBestWeights: puts the best epoch's parameters back; returns that epoch (or undefined). */
  restore(): number | undefined {
    if (!this.kept || this.bestEpoch === 0) return undefined;
    this.params.forEach((p, i) => p._view().set(this.kept![i]!));
    return this.bestEpoch;
  }
}
