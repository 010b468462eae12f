import { ValueError } from '../errors.js';
import { checkChoice, describe } from '../check-values.js';
import type { Task } from './task.js';

/**
 * Figures of one epoch. Classification runs have `accuracy` (and `valAccuracy`); regression runs
 * have `mae`, `rmse`, `r2` (and `valMae`, `valRmse`, `valR2`) instead: a continuous output is
 * never thresholded into a meaningless accuracy.
 */
export interface EpochLog {
  /** 1-based epoch number. */
  epoch: number;
  /**
   * Training loss over the epoch's rows as torch computes it over a set (for 'mean', batches weigh by
   * Σ weight[target] over their counted rows), measured on each batch before its update, or on the
   * whole set after the epoch (evaluateTrain). NaN when no row counted (every label ignoreIndex).
   */
  loss: number;
  /** Training accuracy (classification): over the epoch's batches before each update, or after it (evaluateTrain); NaN when no row counted. */
  accuracy?: number;
  /** Training mean absolute error (regression). */
  mae?: number;
  /** Training root mean squared error (regression). */
  rmse?: number;
  /** Training R² (regression), see r2Score. */
  r2?: number;
  /** Loss over the validation set (as `loss`); NaN when no validation row counted — early stopping then sees no improvement. */
  valLoss?: number;
  /** Accuracy over the validation set's counted rows; NaN when none counted. */
  valAccuracy?: number;
  valMae?: number;
  valRmse?: number;
  valR2?: number;
  /** Learning rate used during the epoch. */
  lr: number;
  /** Wall time of the epoch in seconds. */
  seconds: number;
}

/** The per-epoch figures History.metric() can return. */
export type MetricName = Exclude<keyof EpochLog, 'epoch'>;

const METRICS: readonly MetricName[] = ['loss', 'accuracy', 'mae', 'rmse', 'r2', 'valLoss', 'valAccuracy', 'valMae', 'valRmse', 'valR2', 'lr', 'seconds'];

/** Why fit() stopped. */
export type StopReason = 'completed' | 'early-stopping' | 'target-reached' | 'aborted' | 'callback';

/** What fit() returns: one entry per epoch, why training stopped, and the task it was scored as. */
export class History {
  /** One log per epoch trained, in order. */
  readonly epochs: EpochLog[] = [];
  /** Why training ended: 'completed', 'early-stopping', 'target-reached', 'callback' or 'aborted'. */
  stopReason: StopReason = 'completed';
  /** 'classification' (accuracy reported) or 'regression' (MAE, RMSE, R² reported). */
  task: Task;
  /** With EarlyStopping({ restoreBestWeights: true }): the epoch whose weights the model holds at the end. */
  restoredEpoch: number | undefined = undefined;

  constructor(task: Task = 'classification') {
    this.task = checkChoice('History', 'task', task, ['classification', 'regression']);
  }

  /** The last epoch's figures. */
  get last(): EpochLog | undefined {
    return this.epochs[this.epochs.length - 1];
  }

  /**
   * One figure across epochs, e.g. `history.metric('valLoss')`. Throws ValueError for a name
   * this run did not record (e.g. 'accuracy' of a regression, 'valLoss' without validation).
   */
  metric(name: MetricName): number[] {
    if (!METRICS.includes(name)) throw new ValueError(`History.metric: unknown metric ${describe(name)}; known: ${METRICS.join(', ')}`);
    if (this.epochs.length > 0 && this.epochs[0]![name] === undefined) {
      const recorded = METRICS.filter((m) => this.epochs[0]![m] !== undefined);
      throw new ValueError(`History.metric: this ${this.task} run did not record '${name}'; recorded: ${recorded.join(', ')}`);
    }
    return this.epochs.map((e) => e[name]!);
  }

  /** One figure across epochs; NaN where an epoch lacks it. Prefer metric(), which checks the name. */
  series(key: MetricName): number[] {
    return this.epochs.map((e) => e[key] ?? NaN);
  }

  /** A plain object for JSON.stringify (what the command writes as history.json). */
  toJSON(): { task: Task; epochs: EpochLog[]; stopReason: StopReason; restoredEpoch?: number } {
    return { task: this.task, epochs: this.epochs, stopReason: this.stopReason, ...(this.restoredEpoch === undefined ? {} : { restoredEpoch: this.restoredEpoch }) };
  }
}
