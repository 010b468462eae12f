import * as ops from '../backend/ops.js';
import { Storage } from '../backend/storage.js';
import { ShapeError, ValueError, formatShape } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { MAX_IGNORE } from '../losses/class-weight.js';
import { checkNumber, checkTensor } from '../validate.js';
import { checkFinite, checkTargets } from './task.js';

/**
 * Turns outputs or targets into one class number per row, re-using its own WASM buffer:
 *   [n, k > 1] → argmax of each row (scores, probabilities, one-hot)
 *   [n, 1] or [n] outputs → 1 if value > threshold else 0
 *   [n] targets → the value itself (integer labels)
 */
export class ClassReader {
  private readonly buffer = new Storage(1);
  /** A view of the whole buffer, re-made only when the buffer moved or memory grew: no view per batch. */
  private cached: Int32Array | null = null;
  private cachedGeneration = -1;

  /** Class per row of a model output (the first n entries); `threshold` applies to single-output models. */
  fromOutput(output: Tensor, threshold: number): Int32Array {
    const n = output.shape[0] ?? 0;
    const cols = output.size / Math.max(n, 1);
    if (cols > 1 && output.ndim === 2) return this.argmax(output, n);
    const out = this.classes(n), data = output._view(); // the view after any allocation
    for (let i = 0; i < n; i++) out[i] = data[i]! > threshold ? 1 : 0;
    return out;
  }

  /** Class per row of targets (the first n entries): labels [n], 0/1 targets [n, 1], one-hot or probabilities [n, k]. */
  fromTarget(target: Tensor): Int32Array {
    const n = target.shape[0] ?? 0;
    if (target.ndim === 2 && target.shape[1]! > 1) return this.argmax(target, n);
    const out = this.classes(n), data = target._view();
    const binary = target.ndim === 2;
    for (let i = 0; i < n; i++) out[i] = binary ? (data[i]! > 0.5 ? 1 : 0) : Math.round(data[i]!);
    return out;
  }

  /** The classes last read (the first n entries of a live view; re-made only after memory grew). */
  view(n: number): Int32Array {
    return this.classes(n);
  }

  private argmax(t: Tensor, n: number): Int32Array {
    this.buffer.ensureCapacity(n);
    ops.argmaxRows(t, this.buffer);
    return this.classes(n);
  }

  /** A live view of at least n int32 entries of the buffer (grown first when short). */
  private classes(n: number): Int32Array {
    this.buffer.ensureCapacity(n);
    const v = this.cached;
    if (v && this.cachedGeneration === this.buffer.generation && Storage.inLinearMemory(v)) return v;
    this.cachedGeneration = this.buffer.generation;
    return (this.cached = this.buffer.i32(0, this.buffer.capacity));
  }

  dispose(): void {
    this.buffer.release();
    this.cached = null;
  }
}

/**
 * Compares predicted and target classes row by row. Two readers keep the two class arrays in
 * separate buffers; the predicted view is taken after the target read, which may allocate (and
 * so detach earlier views). The one place that counts correct predictions.
 */
export class ClassComparer {
  private readonly predicted = new ClassReader();
  private readonly actual = new ClassReader();
  /** Rows the last countCorrect() scored (all but those labelled `ignored`), counted in its loop. */
  lastKept = 0;

  /**
   * Rows of `output` whose class equals the target's; with class labels [n], rows whose label is
   * `ignored` (the loss's ignoreIndex) are not counted, and `lastKept` says how many were.
   */
  countCorrect(output: Tensor, target: Tensor, threshold: number, ignored: number | null = null): number {
    const n = output.shape[0] ?? 0;
    this.predicted.fromOutput(output, threshold);
    const actual = this.actual.fromTarget(target);
    const predicted = this.predicted.view(n);
    const skip = target.ndim === 1 ? ignored : null;
    let correct = 0, kept = 0;
    for (let i = 0; i < n; i++) {
      if (actual[i] === skip) continue;
      kept++;
      if (predicted[i] === actual[i]) correct++;
    }
    this.lastKept = kept;
    return correct;
  }

  /** Adds each row's (actual, predicted) pair to `matrix[actual][predicted]`, but rows labelled `ignored`. */
  tally(output: Tensor, target: Tensor, threshold: number, matrix: number[][], ignored: number | null = null): void {
    const n = output.shape[0] ?? 0;
    this.predicted.fromOutput(output, threshold);
    const actual = this.actual.fromTarget(target);
    const predicted = this.predicted.view(n);
    const skip = target.ndim === 1 ? ignored : null;
    for (let i = 0; i < n; i++) {
      if (actual[i] === skip) continue;
      const row = matrix[actual[i]!];
      if (row && predicted[i]! < row.length) row[predicted[i]!]!++;
    }
  }

  dispose(): void {
    this.predicted.dispose();
    this.actual.dispose();
  }
}

/**
 * Rows of `target` that count in the accuracy: all of them, except for class labels [n] the rows
 * whose label is `ignored` (the loss's ignoreIndex, as torch's ignore_index). Allocates nothing.
 */
export function keptRows(target: Tensor, ignored: number | null): number {
  const n = target.shape[0] ?? 0;
  if (ignored === null || target.ndim !== 1) return n;
  const data = target._view();
  let kept = 0;
  for (let i = 0; i < n; i++) if (data[i] !== ignored) kept++;
  return kept;
}

/** The comparer of the free functions below (single-threaded: each call finishes before the next). */
let shared: ClassComparer | null = null;

/**
 * Checks a (output, target) pair of a classifier completely before anything is counted: both
 * usable tensors with the same rows (at least one), finite outputs, a finite threshold, an
 * integer ignoreIndex if given, and targets that are class indices in range (or ignoreIndex),
 * 0/1 values or class rows of the output's width. Returns the rows that count and the ignored label.
 */
function checkPair(where: string, output: unknown, target: unknown, threshold: unknown, ignoreIndex: unknown, classes?: number): { kept: number; ignored: number | null } {
  const out = checkTensor(where, 'output', output), t = checkTensor(where, 'target', target);
  checkNumber(where, 'threshold', threshold);
  const ignored = ignoreIndex === undefined ? null : checkNumber(where, 'ignoreIndex', ignoreIndex, { integer: true, min: -MAX_IGNORE, max: MAX_IGNORE });
  const n = out.shape[0] ?? 0;
  if (out.ndim < 1 || n === 0) throw new ShapeError(`${where}: output must have at least one row, got shape ${formatShape(out.shape)}`);
  if (t.shape[0] !== n) {
    throw new ShapeError(`${where}: output ${formatShape(out.shape)} and target ${formatShape(t.shape)} have different numbers of rows`);
  }
  const width = out.size / n;
  if (out.ndim > 2 || t.ndim > 2 || (t.ndim === 2 && t.shape[1] !== width && !(width === 1 && t.shape[1] === 1))) {
    throw new ShapeError(`${where}: target must be class indices [${n}] or rows [${n}, ${width}] like the output ${formatShape(out.shape)}, got ${formatShape(t.shape)}`);
  }
  checkFinite(where, 'output', out);
  checkTargets(where, 'target', t, 'classification', classes ?? width, ignored);
  return { kept: keptRows(t, ignored), ignored };
}

/**
 * Number of rows whose predicted class equals the target class (rows labelled `ignoreIndex`, if
 * given, are not counted).
 */
export function countCorrect(output: Tensor, target: Tensor, threshold = 0.5, ignoreIndex?: number): number {
  const { ignored } = checkPair('accuracy', output, target, threshold, ignoreIndex);
  return (shared ??= new ClassComparer()).countCorrect(output, target, threshold, ignored);
}

/**
 * Fraction of rows classified correctly. Multi-output models are scored by argmax, single-output
 * models by `output > threshold` (0.5 for probabilities; use 0 for logits). Targets may be class
 * labels [n], 0/1 values [n, 1], or one-hot / probability rows [n, k]. Everything is checked
 * first: a null, a NaN, a label out of range or mismatched rows throw a ValueError or ShapeError.
 * `ignoreIndex` (as torchmetrics' ignore_index, e.g. a loss's -100): class labels equal to it are
 * left out of both counts; without it every row counts and such a label is refused. fit and
 * evaluate pass the loss's ignoreIndex themselves.
 */
export function accuracy(output: Tensor, target: Tensor, threshold = 0.5, ignoreIndex?: number): number {
  const { kept, ignored } = checkPair('accuracy', output, target, threshold, ignoreIndex);
  return (shared ??= new ClassComparer()).countCorrect(output, target, threshold, ignored) / kept;
}

/**
 * matrix[actual][predicted] counts, for `classes` classes (every label and prediction below it);
 * rows labelled `ignoreIndex`, if given, are left out.
 */
export function confusionMatrix(output: Tensor, target: Tensor, classes: number, threshold = 0.5, ignoreIndex?: number): number[][] {
  checkNumber('confusionMatrix', 'classes', classes, { integer: true, min: 1, max: 65536 });
  const { ignored } = checkPair('confusionMatrix', output, target, threshold, ignoreIndex, classes);
  const width = output.size / output.shape[0]!;
  if (Math.max(width, 2) > classes) {
    throw new ValueError(`confusionMatrix: classes is ${classes} but the output predicts ${Math.max(width, 2)} classes`);
  }
  const matrix = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  (shared ??= new ClassComparer()).tally(output, target, threshold, matrix, ignored);
  return matrix;
}
