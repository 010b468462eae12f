// Everything fit() checks before its first change: arguments, options, callbacks, and the
// contents of every data set (widths, finite values, class labels over all rows).
import { heldOutRows } from '../data/datasets.js';
import { sizeOf } from '../shape.js';
import { OutOfMemoryError, ValueError } from '../errors.js';
import type { Loss } from '../losses/loss.js';
import type { Module } from '../nn/module.js';
import type { Optimizer } from '../optim/optimizer.js';
import type { LRScheduler } from '../optim/schedulers.js';
import type { Generator } from '../random.js';
import type { Tensor } from '../tensor.js';
import { checkBoolean, checkNumber, checkOptions, checkRows, checkTensor } from '../validate.js';
import { EarlyStopping, type EarlyStoppingOptions } from './early-stopping.js';
import { EVALUATION_BATCH_SIZE, checkBatchSize, checkEvaluationBatches, checkLoss, checkModel } from './evaluate.js';
import type { EpochLog } from './history.js';
import { checkFinite, checkSameWidth, checkTargetRows, checkTargets, enterEval, probeOutputRow, resolveTask, type Task } from './task.js';

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
  /** Rows per training step, an integer ≥ 1. Default 32. */
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
  /**
   * Rows per forward pass of fit's evaluations — the validation data after each epoch, and the
   * training data with `evaluateTrain` — an integer ≥ 1 (Keras's validation_batch_size).
   * Default 1024, whatever `batchSize` is: the figures do not depend on it beyond float rounding
   * (unless a layer normalises with its batch in eval mode: a BatchNorm with `trackRunningStats:
   * false`, as in torch), and few large passes are fast for small models. Lower it for a model whose activations for
   * 1024 rows do not fit WASM memory (a CNN on large images): fit runs one such batch in eval mode
   * before the first update, so that a size that does not fit fails before training, not after
   * an epoch. A size that would leave a 1-row batch a layer cannot take in eval mode (a
   * BatchNorm with `trackRunningStats: false`) is refused before training.
   */
  evaluationBatchSize?: number;
  /**
   * Aborting stops training after the current batch (History.stopReason 'aborted'). An
   * AbortSignal, or anything whose `aborted` reads true to stop (all fit reads).
   */
  signal?: { readonly aborted: boolean };
}

const FIT_OPTIONS = ['loss', 'optimizer', 'x', 'y', 'epochs', 'batchSize', 'shuffle', 'seed', 'validation',
  'earlyStopping', 'scheduler', 'clipGradNorm', 'threshold', 'task', 'evaluateTrain', 'callbacks', 'signal', 'evaluationBatchSize'];

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
  evaluationBatchSize: number;
  onEpochEnd: ((log: EpochLog) => void | boolean) | undefined;
  onBatchEnd: ((log: BatchLog) => void) | undefined;
  signal: { readonly aborted: boolean } | undefined;
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
  const problem = model._batchProblem(last, model.training ? 'own' : 'train');
  if (problem) {
    throw new ValueError(`fit: with ${rows} training rows and batchSize ${batchSize} a batch has ${last} row${last === 1 ? '' : 's'}, but ${problem}; choose a batchSize that leaves no such batch`);
  }
}

/** A data set fit evaluates after each epoch: its rows, named for messages, and its inputs. */
interface EvaluatedSet {
  name: string;
  rows: number;
  /** The inputs (for a split, all of x: the part's rows are some of them). */
  x: Tensor;
}

/** The sets fit evaluates after each epoch (the options are checked): training with evaluateTrain, and validation. */
function evaluatedSets(x: Tensor, validation: FitOptions['validation'], evaluateTrain: boolean): EvaluatedSet[] {
  const n = x.shape[0]!;
  const held = validation && 'split' in validation ? heldOutRows(n, validation.split) : 0;
  const sets: EvaluatedSet[] = [];
  if (evaluateTrain) sets.push({ name: 'training rows (evaluateTrain)', rows: n - held, x });
  if (validation && 'split' in validation) sets.push({ name: 'validation rows (validation.split)', rows: held, x });
  else if (validation) sets.push({ name: 'validation rows', rows: validation.x.shape[0]!, x: validation.x });
  return sets;
}

/**
 * Runs the largest batch of fit's evaluations once, in eval mode (nothing learns, no random
 * number is drawn), before the first update: its layers' outputs take their memory now, so that
 * an evaluationBatchSize whose activations do not fit WASM memory fails while the model and the
 * optimizer are as they were — not after an epoch of training, at the first evaluation.
 */
function trialEvaluation(model: Module, sets: readonly EvaluatedSet[], batchSize: number): void {
  let largest: EvaluatedSet | undefined;
  for (const set of sets) if (!largest || set.rows > largest.rows) largest = set;
  if (!largest) return;
  const rows = Math.min(batchSize, largest.rows);
  const restoreModes = enterEval(model);
  try {
    model.forward(largest.x._rows(0, rows));
  } catch (e) {
    if (e instanceof OutOfMemoryError) {
      throw new OutOfMemoryError(`fit: an evaluation batch of ${rows} rows (evaluationBatchSize ${batchSize}) does not fit in memory; ` +
        `pass a smaller evaluationBatchSize (nothing was trained): ${e.message}`);
    }
    throw e;
  } finally {
    restoreModes();
  }
}

function checkFunction<F>(name: string, f: unknown): F | undefined {
  if (f === undefined) return undefined;
  if (typeof f !== 'function') throw new ValueError(`fit: ${name} must be a function, got ${f === null ? 'null' : typeof f}`);
  return f as F;
}

/**
 * Checks every argument, option and data set of fit() — before anything changes. The only work
 * done on the model is forward passes in eval mode: of two rows (to learn its input and output
 * widths) and, when fit evaluates, of one evaluation batch (trialEvaluation); parameters,
 * buffers, optimizer state and the random generators are untouched.
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
  const batchSize = checkBatchSize('fit', 'batchSize', options.batchSize, 32);
  const shuffle = checkBoolean('fit', 'shuffle', orDefault(options.shuffle, true));
  const seed = options.seed === undefined ? undefined : checkNumber('fit', 'seed', options.seed, { integer: true, min: 0, max: Number.MAX_SAFE_INTEGER - 1 });
  const maxNorm = options.clipGradNorm === undefined ? undefined : checkNumber('fit', 'clipGradNorm', options.clipGradNorm, { min: 0, minExclusive: true });
  const threshold = checkNumber('fit', 'threshold', options.threshold ?? loss.decisionThreshold);
  const evaluateTrain = checkBoolean('fit', 'evaluateTrain', orDefault(options.evaluateTrain, false));
  // Default 1024 (EVALUATION_BATCH_SIZE), not batchSize as in Keras: the figures do not depend on
  // it (SetLoss weighs each batch by what it counted; accuracy counts and the regression sums add
  // up; only a BatchNorm without running statistics sees the batch in eval mode), so every result
  // stays what it was, and a model trained in batches of 1–32 is not evaluated in thousands of
  // tiny passes. A model that 1024 rows do not fit lowers it; the trial pass below makes one that
  // does not fit fail before training.
  const evaluationBatchSize = checkBatchSize('fit', 'evaluationBatchSize', options.evaluationBatchSize, EVALUATION_BATCH_SIZE);
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
  checkBatches(model as Module, n - heldOutRows(n, split), batchSize);
  let hasValidation = false;
  if (validation !== undefined) {
    if (!validation || typeof validation !== 'object') throw new ValueError(`fit: validation must be { x, y } or { split }, got ${validation === null ? 'null' : typeof validation}`);
    if ('split' in validation) {
      checkOptions('fit: validation', validation, ['split']);
      const split = checkNumber('fit', 'validation.split', validation.split, { min: 0, max: 1, minExclusive: true, maxExclusive: true });
      const held = heldOutRows(n, split);
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
  const evaluated = evaluatedSets(x, validation, evaluateTrain);
  for (const set of evaluated) {
    checkEvaluationBatches('fit', model as Module, set.rows, { name: 'evaluationBatchSize', value: evaluationBatchSize }, set.name);
  }
  trialEvaluation(model as Module, evaluated, evaluationBatchSize);
  return {
    loss, optimizer, x, y, epochs, batchSize, shuffle, seed, validation, stopper, scheduler, maxNorm, threshold, task,
    evaluateTrain, evaluationBatchSize, onEpochEnd, onBatchEnd, signal,
  };
}

/** The seed of a plan: given, or drawn now (after every check) from `generator`. */
export function seedOf(plan: FitPlan, generator: Generator): number {
  return plan.seed ?? generator.nextUint32();
}
