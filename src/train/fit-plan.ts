// Everything fit() checks before its first change: arguments, options, callbacks, and the
// contents of every data set (widths, finite values, class labels over all rows).
import { sizeOf } from '../shape.js';
import { ValueError } from '../errors.js';
import type { Loss } from '../losses/loss.js';
import type { Module } from '../nn/module.js';
import type { Optimizer } from '../optim/optimizer.js';
import type { LRScheduler } from '../optim/schedulers.js';
import type { Generator } from '../random.js';
import type { Tensor } from '../tensor.js';
import { checkBoolean, checkNumber, checkOptions, checkRows, checkTensor } from '../validate.js';
import { EarlyStopping, type EarlyStoppingOptions } from './early-stopping.js';
import { checkLoss, checkModel } from './evaluate.js';
import type { EpochLog } from './history.js';
import { checkFinite, checkSameWidth, checkTargetRows, checkTargets, probeOutputRow, resolveTask, type Task } from './task.js';

/** Progress of one batch, for onBatchEnd. */
export interface BatchLog {
  epoch: number;
  batch: number;
  batchesPerEpoch: number;
  loss: number;
}

/** Options of fit(). */
export interface FitOptions {
  loss: Loss;
  optimizer: Optimizer;
  /** Inputs [n, features]. */
  x: Tensor;
  /** Targets in the form the loss expects (labels [n], one-hot [n, k], values [n, 1] …). */
  y: Tensor;
  /** Default 10. At most 1e9. */
  epochs?: number;
  /** Default 32. */
  batchSize?: number;
  /** Reshuffle every epoch. Default true. */
  shuffle?: boolean;
  /** Seed of the shuffling, a non-negative integer (default: drawn from the manualSeed() generator). */
  seed?: number;
  /** Validation data, or the fraction of (x, y) to hold out for it. */
  validation?: { x: Tensor; y: Tensor } | { split: number };
  /** Stop when a monitored figure stops improving or reaches a target (optionally restoring the best weights). */
  earlyStopping?: EarlyStoppingOptions;
  /** Stepped once per epoch; a scheduler whose `needsMetric` is true gets valLoss, or loss. */
  scheduler?: LRScheduler;
  /** Clip the gradients' joint L2 norm before each update. */
  clipGradNorm?: number;
  /** Decision threshold for single-output accuracy (default: the loss's decisionThreshold). */
  threshold?: number;
  /**
   * 'classification' (accuracy reported) or 'regression' (MAE, RMSE, R² reported). Default:
   * inferred from the loss — cross-entropy and BCE classify; MSE, L1, Huber and SmoothL1 regress,
   * except on one-hot targets (the classic "MSE on one-hot" classifier). See history.task.
   */
  task?: Task;
  /**
   * Report loss and the task's figures on the whole training set after each epoch (one extra
   * forward pass) instead of the running figures measured on each batch before its update. Default false.
   */
  evaluateTrain?: boolean;
  callbacks?: {
    /** Called after every epoch; return false to stop training. */
    onEpochEnd?: (log: EpochLog) => void | boolean;
    onBatchEnd?: (log: BatchLog) => void;
  };
  /** Aborting stops training after the current batch (History.stopReason 'aborted'). */
  signal?: AbortSignal;
}

const FIT_OPTIONS = ['loss', 'optimizer', 'x', 'y', 'epochs', 'batchSize', 'shuffle', 'seed', 'validation',
  'earlyStopping', 'scheduler', 'clipGradNorm', 'threshold', 'task', 'evaluateTrain', 'callbacks', 'signal'];

/** fit's options, checked and resolved. */
export interface FitPlan {
  loss: Loss;
  optimizer: Optimizer;
  x: Tensor;
  y: Tensor;
  epochs: number;
  batchSize: number;
  shuffle: boolean;
  seed: number | undefined;
  validation: { x: Tensor; y: Tensor } | { split: number } | undefined;
  stopper: EarlyStopping | null;
  scheduler: LRScheduler | undefined;
  maxNorm: number | undefined;
  threshold: number;
  task: Task;
  evaluateTrain: boolean;
  onEpochEnd: ((log: EpochLog) => void | boolean) | undefined;
  onBatchEnd: ((log: BatchLog) => void) | undefined;
  signal: AbortSignal | undefined;
}

/** `value`, or `fallback` when it was not given (null is a value, and is refused by the checks). */
const orDefault = (value: unknown, fallback: unknown): unknown => (value === undefined ? fallback : value);

function checkOptimizer(optimizer: unknown): Optimizer {
  const o = optimizer as Optimizer | null;
  if (!o || typeof o !== 'object' || typeof o.step !== 'function' || typeof o.zeroGrad !== 'function' || !Array.isArray(o.params)) {
    throw new ValueError(`fit: optimizer must be an Optimizer (e.g. new Adam(model.parameters())), got ${optimizer === null ? 'null' : typeof optimizer}`);
  }
  return o;
}

/**
 * Refuses a batch size whose last (or only) batch cannot pass the model in training mode — e.g.
 * one row through BatchNorm1d — before the first update rather than in the middle of an epoch.
 */
function checkBatches(model: Module, rows: number, batchSize: number): void {
  if (rows < 1) return; // the validation split reports its own problem
  const last = rows % batchSize || Math.min(batchSize, rows);
  // fit trains a model in eval() mode whole, and one already training with each layer's own mode.
  const problem = model._trainingBatchProblem(last, !model.training);
  if (problem) {
    throw new ValueError(`fit: with ${rows} training rows and batchSize ${batchSize} a batch has ${last} row${last === 1 ? '' : 's'}, but ${problem}; choose a batchSize that leaves no such batch`);
  }
}

function checkFunction<F>(name: string, f: unknown): F | undefined {
  if (f === undefined) return undefined;
  if (typeof f !== 'function') throw new ValueError(`fit: ${name} must be a function, got ${f === null ? 'null' : typeof f}`);
  return f as F;
}

/**
 * Checks every argument, option and data set of fit() — before anything changes. The only work
 * done on the model is a forward pass of one row in eval mode (to learn its input and output
 * widths); parameters, optimizer state and the random generators are untouched.
 */
export function planFit(model: unknown, options: FitOptions): FitPlan {
  checkModel('fit', model);
  if (!options || typeof options !== 'object') throw new ValueError('fit: options { loss, optimizer, x, y } are required');
  checkOptions('fit', options, FIT_OPTIONS);
  const loss = checkLoss('fit', options.loss);
  const optimizer = checkOptimizer(options.optimizer);
  optimizer._checkUsable('fit');
  const own = new Set((model as Module).parameters());
  if (!optimizer.params.some((p) => own.has(p))) {
    throw new ValueError(`fit: the optimizer updates none of this model's parameters (${own.size === 0 ? 'the model has none' : 'was it built over another model?'}): construct it with model.parameters()`);
  }
  const x = checkTensor('fit', 'x', options.x), y = checkTensor('fit', 'y', options.y);
  const epochs = checkNumber('fit', 'epochs', orDefault(options.epochs, 10), { integer: true, min: 1, max: 1e9 });
  const batchSize = checkNumber('fit', 'batchSize', orDefault(options.batchSize, 32), { integer: true, min: 1, max: Number.MAX_SAFE_INTEGER });
  const shuffle = checkBoolean('fit', 'shuffle', orDefault(options.shuffle, true));
  const seed = options.seed === undefined ? undefined : checkNumber('fit', 'seed', options.seed, { integer: true, min: 0, max: Number.MAX_SAFE_INTEGER - 1 });
  const maxNorm = options.clipGradNorm === undefined ? undefined : checkNumber('fit', 'clipGradNorm', options.clipGradNorm, { min: 0, minExclusive: true });
  const threshold = checkNumber('fit', 'threshold', options.threshold ?? loss.decisionThreshold);
  const evaluateTrain = checkBoolean('fit', 'evaluateTrain', orDefault(options.evaluateTrain, false));
  const callbacks = options.callbacks;
  if (callbacks !== undefined && (callbacks === null || typeof callbacks !== 'object')) throw new ValueError(`fit: callbacks must be an object, got ${callbacks === null ? 'null' : typeof callbacks}`);
  checkOptions('fit: callbacks', callbacks, ['onEpochEnd', 'onBatchEnd']);
  const onEpochEnd = checkFunction<FitPlan['onEpochEnd']>('callbacks.onEpochEnd', callbacks?.onEpochEnd);
  const onBatchEnd = checkFunction<FitPlan['onBatchEnd']>('callbacks.onBatchEnd', callbacks?.onBatchEnd);
  const signal = options.signal;
  if (signal !== undefined && (signal === null || typeof signal !== 'object' || typeof signal.aborted !== 'boolean')) {
    throw new ValueError(`fit: signal must be an AbortSignal, got ${signal === null ? 'null' : typeof signal}`);
  }
  const scheduler = options.scheduler;
  if (scheduler !== undefined) {
    if (!scheduler || typeof scheduler !== 'object' || typeof scheduler.step !== 'function') throw new ValueError(`fit: scheduler must be an LRScheduler, got ${scheduler === null ? 'null' : typeof scheduler}`);
    if (scheduler.optimizer !== optimizer) throw new ValueError(`fit: the scheduler drives a different optimizer than the one given to fit`);
  }

  // Data: rows, widths against the model, validation against the training data, contents.
  const n = checkRows('fit', x, y);
  const task = resolveTask('fit', loss, y, options.task);
  const outputRow = probeOutputRow('fit', 'x', model as Module, x), outputs = sizeOf(outputRow);
  const validation = options.validation;
  const split = validation && typeof validation === 'object' && 'split' in validation && typeof validation.split === 'number' ? validation.split : 0;
  checkBatches(model as Module, n - Math.round(split * n), batchSize);
  let hasValidation = false;
  if (validation !== undefined) {
    if (!validation || typeof validation !== 'object') throw new ValueError(`fit: validation must be { x, y } or { split }, got ${validation === null ? 'null' : typeof validation}`);
    if ('split' in validation) {
      checkOptions('fit: validation', validation, ['split']);
      const split = checkNumber('fit', 'validation.split', validation.split, { min: 0, max: 1, minExclusive: true, maxExclusive: true });
      const held = Math.round(split * n);
      if (held < 1 || held > n - 1) throw new ValueError(`fit: validation.split ${split} of ${n} rows leaves an empty part`);
    } else {
      checkOptions('fit: validation', validation, ['x', 'y']);
      const vx = checkTensor('fit', 'validation.x', validation.x), vy = checkTensor('fit', 'validation.y', validation.y);
      checkRows('fit: validation', vx, vy);
      checkSameWidth('fit', 'validation.x', vx, x, 'x');
      checkSameWidth('fit', 'validation.y', vy, y, 'y');
      checkFinite('fit', 'validation.x', vx);
      checkTargets('fit', 'validation.y', vy, task, outputs, loss.ignoredTarget ?? null);
    }
    hasValidation = true;
  }
  checkFinite('fit', 'x', x);
  checkTargets('fit', 'y', y, task, outputs, loss.ignoredTarget ?? null);
  checkTargetRows('fit', 'y', loss, y, outputRow); // validation.y has y's rows (checkSameWidth)
  const stopper = options.earlyStopping === undefined ? null : new EarlyStopping(options.earlyStopping, hasValidation, task);
  return {
    loss, optimizer, x, y, epochs, batchSize, shuffle, seed, validation, stopper, scheduler, maxNorm, threshold, task,
    evaluateTrain, onEpochEnd, onBatchEnd, signal,
  };
}

/** The seed of a plan: given, or drawn now (after every check) from `generator`. */
export function seedOf(plan: FitPlan, generator: Generator): number {
  return plan.seed ?? generator.nextUint32();
}
