import { ShapeError, ValueError, formatShape } from '../errors.js';
import type { Loss } from '../losses/loss.js';
import type { Module } from '../nn/module.js';
import { Tensor } from '../tensor.js';
import { checkNumber, checkOptions, checkRows, checkTensor } from '../validate.js';
import { ClassComparer, keptRows } from './metrics.js';
import { RegressionAccumulator } from './regression-metrics.js';
import { checkFinite, checkTargets, probeOutputs, resolveTask, type Task } from './task.js';

/**
 * Results of evaluate(). Classification: `accuracy`, `error`, `errors`. Regression: `mae`,
 * `rmse`, `r2` (no accuracy: a continuous output is not thresholded).
 */
export interface Evaluation {
  /** The task the figures are for (given, or inferred from the loss and the targets). */
  task: Task;
  /** Mean loss over the rows (or the total, for reduction 'sum'). */
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
  /** Rows per forward pass. Default 1024. */
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
  checkOptions('evaluate', options, ['x', 'y', 'loss', 'batchSize', 'threshold', 'task']);
  if (!options || typeof options !== 'object') throw new ValueError('evaluate: options { x, y, loss } are required');
  const { loss } = options;
  checkLoss('evaluate', loss);
  const x = checkTensor('evaluate', 'x', options.x), y = checkTensor('evaluate', 'y', options.y);
  const batchSize = checkNumber('evaluate', 'batchSize', options.batchSize ?? 1024, { integer: true, min: 1, max: Number.MAX_SAFE_INTEGER });
  const threshold = checkNumber('evaluate', 'threshold', options.threshold ?? loss.decisionThreshold);
  checkRows('evaluate', x, y);
  const task = resolveTask('evaluate', loss, y, options.task);
  const outputs = probeOutputs('evaluate', 'x', model, x);
  checkFinite('evaluate', 'x', x);
  checkTargets('evaluate', 'y', y, task, outputs, loss.ignoredTarget ?? null);
  return { x, y, loss, batchSize, threshold, task };
}

/** Throws ValueError unless `loss` is a Loss (forward, backward, predictionKind). */
export function checkLoss(where: string, loss: unknown): Loss {
  const l = loss as Loss | null;
  if (!l || typeof l !== 'object' || typeof l.forward !== 'function' || typeof l.backward !== 'function' || typeof l.predictionKind !== 'string') {
    throw new ValueError(`${where}: loss must be a Loss (e.g. new CrossEntropyLoss()), got ${loss === null ? 'null' : typeof loss}`);
  }
  return l;
}

/** Runs a checked plan: loss and the task's figures, in eval mode, batch by batch (row views, no copies). */
export function runEvaluation(model: Module, plan: EvaluationPlan, scorers: Scorers): Evaluation {
  const { x, y, loss, batchSize, threshold, task } = plan;
  const ignored = task === 'classification' ? loss.ignoredTarget ?? null : null;
  const wasTraining = model.training;
  model.eval();
  let total = 0, correct = 0, count = 0;
  try {
    for (let start = 0; start < x.shape[0]!; start += batchSize) {
      const rows = Math.min(batchSize, x.shape[0]! - start);
      const yb = y._rows(start, rows);
      const kept = keptRows(yb, ignored);
      if (kept === 0) continue; // every label is ignoreIndex: no loss (torch's mean would be 0/0), no score
      const out = model.forward(x._rows(start, rows));
      const value = loss.forward(out, yb);
      total += loss.reduction === 'mean' ? value * kept : value;
      count += kept;
      if (task === 'classification') correct += scorers.comparer.countCorrect(out, yb, threshold, ignored);
      else {
        if (start === 0) scorers.regression.reset(out.size / rows);
        scorers.regression.add(out, yb);
      }
    }
  } finally {
    model.train(wasTraining);
  }
  const lossValue = loss.reduction === 'mean' ? total / count : total;
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
export function predict(model: Module, x: Tensor, options: { batchSize?: number } = {}): Tensor {
  checkOptions('predict', options, ['batchSize']);
  checkTensor('predict', 'x', x);
  if (x.ndim === 1 && x.size > 0) {
    const batch = predict(model, x.view([1, x.size]), options);
    const single = batch.reshape(batch.shape.slice(1)).clone();
    batch.dispose();
    return single;
  }
  const batchSize = checkNumber('predict', 'batchSize', options.batchSize ?? 1024, { integer: true, min: 1, max: Number.MAX_SAFE_INTEGER });
  const n = x.shape[0] ?? 0;
  if (x.ndim < 1 || n === 0) throw new ShapeError(`predict: x must have at least one row, got shape ${formatShape(x.shape)}`);
  probeOutputs('predict', 'x', model, x);
  const wasTraining = model.training;
  model.eval();
  let result: Tensor | null = null;
  try {
    for (let start = 0; start < n; start += batchSize) {
      const out = model.forward(x._rows(start, Math.min(batchSize, n - start)));
      result ??= Tensor.zeros([n, ...out.shape.slice(1)]);
      result._view().set(out._view(), start * (out.size / out.shape[0]!));
    }
  } finally {
    model.train(wasTraining);
  }
  return result!;
}
