import { NonFiniteLossError, ShapeError, ValueError, formatShape } from '../errors.js';
import { sizeOf } from '../shape.js';
import type { Loss } from '../losses/loss.js';
import { checkModule, type Module } from '../nn/module.js';
import { Tensor } from '../tensor.js';
import { checkNumber, checkOptions, checkRows, checkTensor } from '../validate.js';
import { ClassComparer } from './metrics.js';
import { RegressionAccumulator } from './regression-metrics.js';
import { checkFinite, checkTargetRows, checkTargets, enterEval, probeOutputRow, probeOutputs, resolveTask, type Task } from './task.js';

/**
 * Results of evaluate(). Classification: `accuracy`, `error`, `errors`. Regression: `mae`,
 * `rmse`, `r2` (no accuracy: a continuous output is not thresholded).
 */
export interface Evaluation {
  /** The task the figures are for (given, or inferred from the loss and the targets). */
  task: Task;
  /**
   * The loss over the whole set as torch computes it in one call: for 'mean' the mean over the
   * rows (with class weights, Σ w[target]·loss / Σ w[target] over the rows kept), for 'sum' the
   * total. NaN when no row counted (every label ignoreIndex), whatever the reduction.
   */
  loss: number;
  /** Fraction classified correctly (classification). */
  accuracy?: number;
  /** 1 - accuracy (classification). */
  error?: number;
  /** Number of misclassified rows (classification). */
  errors?: number;
  /** Mean absolute error (regression). */
  mae?: number;
  /** Root mean squared error (regression). */
  rmse?: number;
  /** R² = 1 - SS_res / SS_tot over all outputs (regression), see r2Score. */
  r2?: number;
  /**
   * Number of rows scored: every row, except those whose class label is the loss's ignoreIndex
   * (CrossEntropyLoss / NLLLoss, as torch's ignore_index), which count in neither the loss, the
   * accuracy nor `errors`.
   */
  count: number;
}

/** Options of evaluate(). */
export interface EvaluateOptions {
  x: Tensor;
  y: Tensor;
  loss: Loss;
  /**
   * Rows per forward pass, an integer ≥ 1 (default 1024). The figures do not depend on it beyond
   * float rounding (except through a layer that normalises with its batch in eval mode, a
   * BatchNorm with trackRunningStats: false, as in torch); lower it when 1024 rows of the model's
   * activations do not fit WASM memory.
   */
  batchSize?: number;
  /** Threshold for single-output classifiers (default: the loss's decisionThreshold, 0 on logits, else 0.5). */
  threshold?: number;
  /** 'classification' or 'regression'; default inferred from the loss and the targets (see fit). */
  task?: Task;
}

/** Reusable scorers of one run (fit keeps one for all its evaluations). */
export interface Scorers {
  comparer: ClassComparer;
  regression: RegressionAccumulator;
}

/** Everything evaluate checks, resolved; fit checks once and passes this for every epoch. */
export interface EvaluationPlan {
  x: Tensor;
  y: Tensor;
  loss: Loss;
  batchSize: number;
  threshold: number;
  task: Task;
}

/** Checks evaluate's arguments and data completely (no model change); returns the plan. */
export function planEvaluation(model: Module, options: EvaluateOptions): EvaluationPlan {
  checkModel('evaluate', model);
  checkOptions('evaluate', options, ['x', 'y', 'loss', 'batchSize', 'threshold', 'task']);
  if (!options || typeof options !== 'object') throw new ValueError('evaluate: options { x, y, loss } are required');
  const { loss } = options;
  checkLoss('evaluate', loss);
  const x = checkTensor('evaluate', 'x', options.x), y = checkTensor('evaluate', 'y', options.y);
  const batchSize = checkBatchSize('evaluate', 'batchSize', options.batchSize, EVALUATION_BATCH_SIZE);
  const threshold = checkNumber('evaluate', 'threshold', options.threshold ?? loss.decisionThreshold);
  checkRows('evaluate', x, y);
  const task = resolveTask('evaluate', loss, y, options.task);
  const outputRow = probeOutputRow('evaluate', 'x', model, x);
  checkFinite('evaluate', 'x', x);
  checkTargets('evaluate', 'y', y, task, sizeOf(outputRow), loss.ignoredTarget ?? null);
  checkTargetRows('evaluate', 'y', loss, y, outputRow);
  checkEvaluationBatches('evaluate', model, x.shape[0]!, { name: 'batchSize', value: batchSize });
  return { x, y, loss, batchSize, threshold, task };
}

/** The model check of fit, evaluate and predict (one rule with the model files). */
export const checkModel = checkModule;

/** Throws ValueError unless `loss` is a Loss (forward, backward, predictionKind). */
export function checkLoss(where: string, loss: unknown): Loss {
  const l = loss as Loss | null;
  if (!l || typeof l !== 'object' || typeof l.forward !== 'function' || typeof l.backward !== 'function' || typeof l.predictionKind !== 'string') {
    throw new ValueError(`${where}: loss must be a Loss (e.g. new CrossEntropyLoss()), got ${loss === null ? 'null' : typeof loss}`);
  }
  return l;
}

/**
 * What `loss`'s last forward counted (Loss._counted: Σ weight[target] over the rows kept for the
 * class-index losses), or `rows` for a loss object that does not say (one not derived from Loss).
 */
export function countedBy(loss: Loss, rows: number): number {
  const c = (loss as { _counted?: unknown })._counted;
  return typeof c === 'number' && !Number.isNaN(c) ? c : rows;
}

/**
 * The loss over a set as torch computes it over all its rows, fed batch by batch: for 'mean',
 * Σ_batches mean·counted / Σ counted (counted = Σ weight[target] over the rows a class-index loss
 * keeps), for 'sum' the sum; NaN when no row was counted.
 */
export class SetLoss {
  private total = 0;
  private counted = 0;
  private readonly mean: boolean;
  /** The last batch's loss (0 when it counted nothing). */
  last = 0;

  constructor(private readonly loss: Loss) {
    this.mean = loss.reduction !== 'sum';
  }

  /**
   * loss.forward on one batch of `rows` rows; returns what it counted. A batch that counted
   * nothing (every label ignored, or of class weight 0: torch's 0/0) adds nothing and returns 0;
   * any other error is rethrown.
   */
  add(out: Tensor, y: Tensor, rows: number): number {
    this.last = 0;
    try {
      this.last = this.loss.forward(out, y);
    } catch (e) {
      if (!(e instanceof NonFiniteLossError && countedBy(this.loss, rows) === 0)) throw e;
    }
    const weight = countedBy(this.loss, rows);
    if (weight > 0) {
      this.total += this.mean ? this.last * weight : this.last;
      this.counted += weight;
    }
    return weight;
  }

  /** The loss over the batches added so far (NaN when none counted a row). */
  get value(): number {
    return this.counted > 0 ? (this.mean ? this.total / this.counted : this.total) : NaN;
  }
}

/**
 * Rows per forward pass of evaluate, predict and fit's evaluations when not given. The figures do
 * not depend on it beyond float rounding (the loss is weighed by what each batch counted, see
 * SetLoss; accuracy counts and the regression sums add up over batches) — unless a layer
 * normalises with its batch in eval mode (a BatchNorm with trackRunningStats: false, as in torch)
 * — so it trades call overhead against memory: 1024 rows keep a small model's evaluation to a few calls.
 */
export const EVALUATION_BATCH_SIZE = 1024;

/**
 * Checks a rows-per-forward-pass option (fit's batchSize and evaluationBatchSize, evaluate's and
 * predict's batchSize): an integer ≥ 1, `fallback` when not given (undefined; null is refused).
 */
export function checkBatchSize(where: string, name: string, value: unknown, fallback: number): number {
  return checkNumber(where, name, value === undefined ? fallback : value, { integer: true, min: 1, max: Number.MAX_SAFE_INTEGER });
}

/**
 * Rows of the evaluation batch from `start` of `n`: `batchSize`, except that the last batch is
 * not left with a single row when the one before it can give it one (batchSize ≥ 3): a BatchNorm
 * without running statistics normalises with the batch's in eval mode too, and cannot with one
 * row. Other layers give the same rows whatever the split. A 1-row batch remains with batchSize
 * 1, with batchSize 2 and an odd n, and with n = 1 (checkEvaluationBatches refuses those a model
 * cannot pass). Exported for tests.
 */
export function batchRows(start: number, n: number, batchSize: number): number {
  const rows = Math.min(batchSize, n - start);
  return rows > 2 && n - start - rows === 1 ? rows - 1 : rows;
}

/** Rows of the smallest batch batchRows makes of `n` rows (without walking the batches). */
export function smallestEvaluationBatch(n: number, batchSize: number): number {
  if (n <= batchSize) return n;
  const last = n % batchSize;
  if (last === 0) return batchSize;
  return last === 1 && batchSize > 2 ? 2 : last; // the batch before gives the last one a row
}

/**
 * Throws ValueError, before anything runs, when a batch of an evaluation of `rows` rows in
 * `option.value`-row batches could not pass `model` in eval mode (judged from the shapes of its
 * last forward: call after a probe) — a BatchNorm without running statistics and one value per
 * channel in a 1-row batch. `set` names the rows in the message (e.g. 'validation rows').
 */
export function checkEvaluationBatches(where: string, model: Module, rows: number, option: { name: string; value: number }, set = 'rows'): void {
  const smallest = smallestEvaluationBatch(rows, option.value);
  const problem = model._batchProblem(smallest, 'eval');
  if (!problem) return;
  const batch = `a batch has ${smallest} row${smallest === 1 ? '' : 's'}`;
  const fix = smallest === rows ? `no ${option.name} can help: give the set more rows` : `use a larger ${option.name} (3 or more leaves no such batch)`;
  throw new ValueError(`${where}: evaluating ${rows} ${set} in batches of ${option.name} ${option.value}, ${batch}, but ${problem}; ${fix}`);
}

/**
 * Runs a checked plan: loss and the task's figures, in eval mode, batch by batch (row views, no
 * copies). The loss is torch's over the whole set: for 'mean', Σ_batches mean·counted / Σ counted
 * (counted = Σ weight[target] over the rows kept by a class-index loss), for 'sum' the sum. A set
 * with no counted row gives NaN figures.
 */
export function runEvaluation(model: Module, plan: EvaluationPlan, scorers: Scorers): Evaluation {
  const { x, y, loss, batchSize, threshold, task } = plan;
  const ignored = task === 'classification' ? loss.ignoredTarget ?? null : null;
  const restoreModes = enterEval(model);
  const setLoss = new SetLoss(loss);
  let correct = 0, count = 0;
  try {
    for (let start = 0, rows = 0; start < x.shape[0]!; start += rows) {
      rows = batchRows(start, x.shape[0]!, batchSize);
      const yb = y._rows(start, rows);
      const out = model.forward(x._rows(start, rows));
      setLoss.add(out, yb, rows); // a batch that counted nothing adds no loss, but its rows are still scored
      if (task === 'classification') {
        correct += scorers.comparer.countCorrect(out, yb, threshold, ignored);
        count += scorers.comparer.lastKept;
      } else {
        if (count === 0) scorers.regression.reset(out.size / rows);
        scorers.regression.add(out, yb);
        count += rows;
      }
    }
  } finally {
    restoreModes();
  }
  const lossValue = setLoss.value;
  if (task === 'regression') return { task, loss: lossValue, ...scorers.regression.figures(), count };
  const accuracy = correct / count;
  return { task, loss: lossValue, accuracy, error: 1 - accuracy, errors: count - correct, count };
}

/**
 * Loss and the task's figures of `model` on (x, y): accuracy for classification, MAE, RMSE and
 * R² for regression. In eval mode, in batches; restores the mode after. Checks every argument
 * and the whole data set (widths, finite values, class labels in range) before running. Rows
 * whose label is the loss's ignoreIndex are left out of the loss and the figures (see `count`).
 */
export function evaluate(model: Module, options: EvaluateOptions): Evaluation {
  const plan = planEvaluation(model, options);
  const scorers = { comparer: new ClassComparer(), regression: new RegressionAccumulator() };
  try {
    return runEvaluation(model, plan, scorers);
  } finally {
    scorers.comparer.dispose();
  }
}

/**
 * The model's outputs for x, computed in batches, as a new tensor you own. A 1-D x is one sample
 * (as torch's layers take it): its output comes back without the batch dimension.
 */
export function predict(model: Module, x: Tensor, options: {
  /** Rows per forward pass, an integer ≥ 1 (default 1024): lower it when 1024 rows of activations do not fit memory. */
  batchSize?: number;
} = {}): Tensor {
  checkModel('predict', model);
  checkOptions('predict', options, ['batchSize']);
  checkTensor('predict', 'x', x);
  if (x.ndim === 1 && x.size > 0) {
    const batch = predict(model, x.view([1, x.size]), options);
    const single = batch.reshape(batch.shape.slice(1)).clone();
    batch.dispose();
    return single;
  }
  const batchSize = checkBatchSize('predict', 'batchSize', options.batchSize, EVALUATION_BATCH_SIZE);
  const n = x.shape[0] ?? 0;
  if (x.ndim < 1 || n === 0) throw new ShapeError(`predict: x must have at least one row, got shape ${formatShape(x.shape)}`);
  probeOutputs('predict', 'x', model, x);
  checkEvaluationBatches('predict', model, n, { name: 'batchSize', value: batchSize });
  const restoreModes = enterEval(model);
  let result: Tensor | null = null;
  try {
    for (let start = 0, rows = 0; start < n; start += rows) {
      rows = batchRows(start, n, batchSize);
      const out = model.forward(x._rows(start, rows));
      result ??= Tensor.zeros([n, ...out.shape.slice(1)]);
      result._view().set(out._view(), start * (out.size / out.shape[0]!));
    }
  } finally {
    restoreModes();
  }
  return result!;
}
