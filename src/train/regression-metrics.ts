// Regression figures: mean absolute error, root mean squared error and R², accumulated batch by
// batch (fit, evaluate) or computed at once (the exported functions).
import { ShapeError, formatShape } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { checkTensor } from '../validate.js';
import { checkFinite } from './task.js';

/** The regression figures of a set of rows. */
export interface RegressionFigures {
  /** Mean of |prediction - target| over every element (equivalently, per output averaged). */
  mae: number;
  /** √(mean of (prediction - target)² over every element). */
  rmse: number;
  /**
   * 1 - SS_res / SS_tot over all outputs: SS_res = Σ (target - prediction)², SS_tot = Σ (target -
   * mean of its output's column)². One output: the usual coefficient of determination. Constant
   * targets (SS_tot = 0): 1 if the predictions are exact, else 0 (scikit-learn's convention).
   */
  r2: number;
}

/**
 * Sums for MAE, RMSE and R² over batches. Per-output means and squared deviations use Welford's
 * update (stable for large values such as prices). Buffers grow once; updates allocate nothing.
 */
export class RegressionAccumulator {
  private count = 0;
  private absSum = 0;
  private sqSum = 0;
  private mean = new Float64Array(1);
  private m2 = new Float64Array(1);
  private width = 0;

  /** Starts over for rows of `width` values. */
  reset(width: number): void {
    if (this.mean.length < width) {
      this.mean = new Float64Array(width);
      this.m2 = new Float64Array(width);
    }
    this.mean.fill(0, 0, width);
    this.m2.fill(0, 0, width);
    this.width = width;
    this.count = this.absSum = this.sqSum = 0;
  }

  /** Adds the rows of a batch (prediction and target hold the same number of values). */
  add(prediction: Tensor, target: Tensor): void {
    const p = prediction._view(), t = target._view();
    const w = this.width, mean = this.mean, m2 = this.m2;
    const rows = p.length / w;
    for (let r = 0; r < rows; r++) {
      const n = ++this.count;
      for (let j = 0; j < w; j++) {
        const i = r * w + j, y = t[i]!, e = p[i]! - y;
        this.absSum += Math.abs(e);
        this.sqSum += e * e;
        const d = y - mean[j]!;
        const m = mean[j]! + d / n;
        mean[j] = m;
        m2[j] = m2[j]! + d * (y - m);
      }
    }
  }

  /** The figures of the rows added since reset(). */
  figures(): RegressionFigures {
    const elements = this.count * this.width;
    let ssTot = 0;
    for (let j = 0; j < this.width; j++) ssTot += this.m2[j]!;
    const r2 = ssTot > 0 ? 1 - this.sqSum / ssTot : this.sqSum === 0 ? 1 : 0;
    return { mae: this.absSum / elements, rmse: Math.sqrt(this.sqSum / elements), r2 };
  }
}

/** Checks a (prediction, target) pair for the metric functions; returns the row width. */
function checkValues(where: string, prediction: unknown, target: unknown): number {
  const p = checkTensor(where, 'prediction', prediction), t = checkTensor(where, 'target', target);
  const rows = p.shape[0] ?? 0;
  if (p.ndim < 1 || rows === 0) throw new ShapeError(`${where}: prediction must have at least one row, got shape ${formatShape(p.shape)}`);
  if (t.shape[0] !== rows || t.size !== p.size) {
    throw new ShapeError(`${where}: prediction ${formatShape(p.shape)} and target ${formatShape(t.shape)} must have the same rows and values`);
  }
  checkFinite(where, 'prediction', p);
  checkFinite(where, 'target', t);
  return p.size / rows;
}

const shared = new RegressionAccumulator();

function figuresOf(where: string, prediction: Tensor, target: Tensor): RegressionFigures {
  const width = checkValues(where, prediction, target);
  shared.reset(width);
  shared.add(prediction, target);
  return shared.figures();
}

/** Mean of |prediction - target| over every element. Shapes [n] and [n, 1] may be mixed. */
export function meanAbsoluteError(prediction: Tensor, target: Tensor): number {
  return figuresOf('meanAbsoluteError', prediction, target).mae;
}

/** √(mean of (prediction - target)²) over every element. */
export function rootMeanSquaredError(prediction: Tensor, target: Tensor): number {
  return figuresOf('rootMeanSquaredError', prediction, target).rmse;
}

/**
 * Coefficient of determination, 1 - SS_res / SS_tot, with SS_tot summed over every output column
 * around its own mean (scikit-learn's 'variance_weighted' for several outputs). Constant targets:
 * 1 for exact predictions, else 0.
 */
export function r2Score(prediction: Tensor, target: Tensor): number {
  return figuresOf('r2Score', prediction, target).r2;
}
