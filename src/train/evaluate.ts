import type { Loss } from '../losses/loss.js';
import { BCEWithLogitsLoss } from '../losses/binary.js';
import type { Module } from '../nn/module.js';
import { Tensor } from '../tensor.js';
import { DataLoader } from '../data/dataloader.js';
import { checkNumber, checkOptions, checkTensor } from '../validate.js';
import { ClassReader } from './metrics.js';

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
  const wasTraining = model.training;
  model.eval();
  const loader = new DataLoader(x, y, { batchSize, seed: 0 });
  const predictedReader = new ClassReader(), targetReader = new ClassReader();
  let total = 0, correct = 0;
  try {
    for (const batch of loader) {
      const out = model.forward(batch.x);
      const value = loss.forward(out, batch.y);
      total += loss.reduction === 'mean' ? value * batch.size : value;
      predictedReader.fromOutput(out, threshold);
      const actual = targetReader.fromTarget(batch.y); // may allocate: take the predicted view after it
      const predicted = predictedReader.view(batch.size);
      for (let i = 0; i < batch.size; i++) if (predicted[i] === actual[i]) correct++;
    }
  } finally {
    loader.dispose();
    predictedReader.dispose();
    targetReader.dispose();
    model.train(wasTraining);
  }
  const count = loader.length;
  const accuracy = correct / count;
  return { loss: loss.reduction === 'mean' ? total / count : total, accuracy, error: 1 - accuracy, errors: count - correct, count };
}

/** The model's outputs for x, computed in batches, as a new tensor you own. */
export function predict(model: Module, x: Tensor, options: { batchSize?: number } = {}): Tensor {
  checkOptions('predict', options, ['batchSize']);
  checkTensor('predict', 'x', x);
  const batchSize = checkNumber('predict', 'batchSize', options.batchSize ?? 1024, { integer: true, min: 1 });
  const n = x.shape[0] ?? 0;
  const wasTraining = model.training;
  model.eval();
  const dummy = Tensor.zeros([n]);
  const loader = new DataLoader(x, dummy, { batchSize, seed: 0 });
  let result: Tensor | null = null;
  try {
    for (const batch of loader) {
      const out = model.forward(batch.x);
      const width = out.size / batch.size;
      result ??= Tensor.zeros([n, ...out.shape.slice(1)]);
      result.data.set(out.data, batch.index * batchSize * width);
    }
  } finally {
    loader.dispose();
    dummy.dispose();
    model.train(wasTraining);
  }
  return result!;
}
