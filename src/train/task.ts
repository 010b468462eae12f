// What a training run is for (classification or regression), and the checks of a data set's
// contents that go with it. Everything here reads; nothing changes a model or an optimizer.
import * as ops from '../backend/ops.js';
import { ShapeError, ValueError, formatShape } from '../errors.js';
import { sizeOf } from '../shape.js';
import { ClassIndexLoss } from '../losses/class-index-loss.js';
import { CrossEntropyLoss } from '../losses/cross-entropy.js';
import { ElementwiseLoss, type Loss } from '../losses/loss.js';
import type { Module } from '../nn/module.js';
import type { Tensor } from '../tensor.js';
import { checkChoice, checkTensor, sameShape } from '../validate.js';

/** What the model learns: classes (reported with accuracy) or values (reported with MAE, RMSE, R²). */
export type Task = 'classification' | 'regression';

/** Whether `t` is [n, k ≥ 2] with rows of k - 1 zeros and one 1. */
export function isOneHot(t: Tensor): boolean {
  if (t.ndim !== 2 || t.shape[1]! < 2) return false;
  const k = t.shape[1]!, data = t._view();
  for (let r = 0; r < data.length; r += k) {
    let ones = 0;
    for (let j = 0; j < k; j++) {
      const v = data[r + j]!;
      if (v === 1) ones++;
      else if (v !== 0) return false;
    }
    if (ones !== 1) return false;
  }
  return true;
}

/**
 * The task of a run: `explicit` when given; else classification for losses on logits or
 * probabilities (cross-entropy, BCE), and for value losses (MSE, L1, Huber) on one-hot targets;
 * regression otherwise.
 */
export function resolveTask(where: string, loss: Loss, y: Tensor, explicit: unknown): Task {
  if (explicit !== undefined) {
    const task = checkChoice(where, 'task', explicit, ['classification', 'regression']);
    if (task === 'regression' && loss.predictionKind !== 'values') {
      throw new ValueError(`${where}: task 'regression' needs a loss on values (MSELoss, L1Loss, HuberLoss, SmoothL1Loss); ${loss.typeName} trains classifiers`);
    }
    return task;
  }
  if (loss.predictionKind !== 'values') return 'classification';
  return isOneHot(y) ? 'classification' : 'regression';
}

/**
 * Runs the model on the first rows of x (two when x has them: a BatchNorm without running
 * statistics normalises with the batch's, in eval mode too, and one row gives it one value per
 * channel) in eval mode, restored after, to learn whether x fits it and how many outputs it has;
 * parameters are not touched. Throws ShapeError naming `what`.
 */
export function probeOutputs(where: string, what: string, model: Module, x: Tensor): number {
  return sizeOf(probeOutputRow(where, what, model, x));
}

/** probeOutputs, returning the shape of one output row ([] for a model whose output is [batch]). */
export function probeOutputRow(where: string, what: string, model: Module, x: Tensor): readonly number[] {
  const restoreModes = enterEval(model);
  try {
    // A custom module may return anything: named here rather than a TypeError reading its shape.
    return checkTensor(where, "the model's forward() result", model.forward(x._rows(0, x.shape[0]! >= 2 ? 2 : 1))).shape.slice(1);
  } catch (e) {
    // Only a shape mismatch means "x does not fit"; a disposed model, an OutOfMemoryError or a
    // custom layer's own error keeps its class and message.
    if (e instanceof ShapeError) throw new ShapeError(`${where}: ${what} ${formatShape(x.shape)} does not fit the model: ${e.message}`);
    throw e;
  } finally {
    restoreModes();
  }
}

/**
 * Puts `model` and every descendant in eval mode; returns the function that gives each module its
 * own training flag back. (model.train(wasTraining) gave every descendant the model's flag: a
 * BatchNorm frozen with bn.eval() inside a model in training mode came back training.)
 */
export function enterEval(model: Module): () => void {
  const modes: Array<[Module, boolean]> = [];
  const visit = (m: Module): void => {
    modes.push([m, m.training]);
    for (const [, child] of m.namedChildren()) visit(child);
  };
  visit(model);
  model.eval();
  return () => {
    for (const [m, training] of modes) m.training = training;
    // The inference run replaced the input backward() would use: it refuses until the next forward.
    model._forgetForward();
  };
}

/**
 * Throws ShapeError unless an element-wise loss (MSE, L1, Huber, BCE) can compare `y` with the
 * model's output: its rows must have the output rows' shape. Checked before training, because a
 * step refused by the loss has already run the model's forward (BatchNorm's running statistics moved).
 */
export function checkTargetRows(where: string, what: string, loss: Loss, y: Tensor, outputRow: readonly number[]): void {
  const row = y.shape.slice(1);
  if (loss instanceof ElementwiseLoss && !sameShape(row, outputRow)) {
    throw new ShapeError(`${where}: ${what} ${formatShape(y.shape)} does not fit the model's output: ${loss.typeName} needs targets ` +
      `of the prediction's shape, rows of ${formatShape(outputRow)}, but ${what} has rows of ${formatShape(row)}`);
  }
  if (loss instanceof ClassIndexLoss && outputRow.length !== 1) {
    throw new ShapeError(`${where}: ${loss.typeName} needs outputs [batch, classes], but the model's output rows have shape ${formatShape(outputRow)}` +
      `${outputRow.length > 1 ? ' (add a Flatten, or end with a Linear)' : ''}`);
  }
  // Class rows (CrossEntropyLoss's probabilities) of another width were refused only by the
  // loss, at the first step: after the forward had moved BatchNorm's statistics and Dropout's generator.
  if (loss instanceof ClassIndexLoss && y.ndim > 1 && !(loss instanceof CrossEntropyLoss && sameShape(row, outputRow))) {
    const want = loss instanceof CrossEntropyLoss ? `class indices [n] or probability rows of ${formatShape(outputRow)}` : 'class indices [n]';
    throw new ShapeError(`${where}: ${what} ${formatShape(y.shape)} does not fit the model's output: ${loss.typeName} needs ${want}, but ${what} has rows of ${formatShape(row)}`);
  }
}

/** Throws ValueError naming the row and column of the first NaN or ±Infinity in `t`. */
export function checkFinite(where: string, what: string, t: Tensor): void {
  const bad = ops.firstNonFinite(t);
  if (bad < 0) return;
  const width = t.size / Math.max(t.shape[0] ?? 1, 1);
  const value = t._view()[bad];
  throw new ValueError(`${where}: ${what} row ${Math.floor(bad / width)} has ${value}${t.ndim > 1 ? ` in column ${bad % width}` : ''}; every value must be finite`);
}

/**
 * Checks targets for `task` over the whole data set: finite values; for classification,
 * class indices [n] that are integers in [0, classes - 1] (classes = outputs, or 2 for a single
 * output) or `ignored` (the loss's ignoreIndex; at least one row must be another), or
 * class rows [n, k] with values in [0, 1]. The message names the row.
 */
export function checkTargets(where: string, what: string, y: Tensor, task: Task, outputs: number, ignored: number | null = null): void {
  checkFinite(where, what, y);
  if (task === 'regression') return;
  const data = y._view();
  if (y.ndim === 1) {
    const classes = outputs > 1 ? outputs : 2;
    let kept = 0;
    for (let i = 0; i < data.length; i++) {
      const c = data[i]!;
      if (c === ignored) continue;
      if (!Number.isInteger(c) || c < 0 || c >= classes) {
        const or = ignored === null ? '' : ` nor ignoreIndex ${ignored}`;
        throw new ValueError(`${where}: ${what}[${i}] = ${c} is not a class index in [0, ${classes - 1}]${or} (the model has ${outputs} output${outputs === 1 ? '' : 's'})`);
      }
      kept++;
    }
    if (kept === 0 && data.length > 0) {
      throw new ValueError(`${where}: every target in ${what} is ignoreIndex ${ignored}; no row is left to learn from or score`);
    }
    return;
  }
  const width = y.size / Math.max(y.shape[0]!, 1);
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v < 0 || v > 1) {
      throw new ValueError(`${where}: ${what} row ${Math.floor(i / width)} has ${v} in column ${i % width}; class targets must lie in [0, 1]`);
    }
  }
}

/** Throws ShapeError unless `b` has the same per-row shape as `a` (e.g. validation vs training data). */
export function checkSameWidth(where: string, what: string, t: Tensor, like: Tensor, likeName: string): void {
  const a = t.shape.slice(1), b = like.shape.slice(1);
  if (a.length !== b.length || a.some((d, i) => d !== b[i])) {
    throw new ShapeError(`${where}: ${what} rows have shape ${formatShape(a)}, but ${likeName} rows have shape ${formatShape(b)} (${what} is ${formatShape(t.shape)})`);
  }
}
