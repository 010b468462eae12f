import type { Loss } from '../losses/loss.js';
import { BCEWithLogitsLoss } from '../losses/binary.js';
import type { Module } from '../nn/module.js';
import { ShapeError, formatShape } from '../errors.js';
import { Tensor } from '../tensor.js';
import { checkNumber, checkOptions, checkRows, checkTensor } from '../validate.js';
import { ClassComparer } from './metrics.js';

/** Results of evaluate(). */
export interface Evaluation {
  /** Mean loss over the rows (or the total, for reduction 'sum'). */
  loss: number;
  /** Fraction classified correctly. */
  accuracy: number;
  /** 1 - accuracy. */
  error: number;
  /** Number of misclassified rows. */
  errors: number;
  /** Number of rows. */
  count: number;
}

/** Options of evaluate(). */
export interface EvaluateOptions {
  x: Tensor;
  y: Tensor;
  loss: Loss;
  /** Rows per forward pass. Default 1024. */
  batchSize?: number;
  /** Threshold for single-output models (default 0 for BCEWithLogitsLoss, else 0.5). */
  threshold?: number;
}

/** The decision threshold that fits a loss: 0 for logits, 0.5 for probabilities / regression. */
export function defaultThreshold(loss: Loss): number {
  return loss instanceof BCEWithLogitsLoss ? 0 : 0.5;
}

/** Loss and accuracy of `model` on (x, y), in eval mode, in batches; restores the mode after. */
export function evaluate(model: Module, options: EvaluateOptions): Evaluation {
  checkOptions('evaluate', options, ['x', 'y', 'loss', 'batchSize', 'threshold']);
  const { x, y, loss } = options;
  checkTensor('evaluate', 'x', x);
  checkTensor('evaluate', 'y', y);
  const batchSize = checkNumber('evaluate', 'batchSize', options.batchSize ?? 1024, { integer: true, min: 1 });
  const threshold = options.threshold ?? defaultThreshold(loss);
  const count = checkRows('evaluate', x, y);
  const wasTraining = model.training;
  model.eval();
  // Batches are row views of x and y: nothing is copied.
  const comparer = new ClassComparer();
  let total = 0, correct = 0;
  try {
    for (let start = 0; start < count; start += batchSize) {
      const rows = Math.min(batchSize, count - start);
      const yb = y._rows(start, rows);
      const out = model.forward(x._rows(start, rows));
      const value = loss.forward(out, yb);
      total += loss.reduction === 'mean' ? value * rows : value;
      correct += comparer.countCorrect(out, yb, threshold);
    }
  } finally {
    comparer.dispose();
    model.train(wasTraining);
  }
  const accuracy = correct / count;
  return { loss: loss.reduction === 'mean' ? total / count : total, accuracy, error: 1 - accuracy, errors: count - correct, count };
}

/** The model's outputs for x, computed in batches, as a new tensor you own. */
export function predict(model: Module, x: Tensor, options: { batchSize?: number } = {}): Tensor {
  checkOptions('predict', options, ['batchSize']);
  checkTensor('predict', 'x', x);
  const batchSize = checkNumber('predict', 'batchSize', options.batchSize ?? 1024, { integer: true, min: 1 });
  const n = x.shape[0] ?? 0;
  if (x.ndim < 1 || n === 0) throw new ShapeError(`predict: x must have at least one row, got shape ${formatShape(x.shape)}`);
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
