import * as cw from '../backend/ops-class-weights.js';
import { ShapeError, ValueError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { checkFloat32Values, checkNumber, describe } from '../validate.js';
import { Workspace } from '../workspace.js';

/** torch's `weight` and `ignore_index` options of NLLLoss and CrossEntropyLoss. */
export interface ClassWeightOptions {
  /**
   * A weight per class (length = the number of classes, finite, ≥ 0), as torch's `weight`: each
   * row's loss is multiplied by the weight of its target class, and 'mean' divides by the sum of
   * those weights (torch's weighted mean). Copied at construction. Default: every class weighs 1.
   */
  weight?: Tensor | ArrayLike<number>;
  /** Rows whose target equals this value add nothing and are not counted by 'mean'. Default -100 (torch's). */
  ignoreIndex?: number;
}

/** Largest |ignoreIndex|: the targets are float32, exact for integers up to 2^24. */
export const MAX_IGNORE = 2 ** 24;

/**
 * The class weights (copied into loss memory) and the ignored target value of a class-index
 * loss, validated at construction; the weight's length is checked against the classes at forward.
 */
export class ClassWeight {
  readonly ignoreIndex: number;
  /** The weights, or null when every class weighs 1. */
  readonly weight: Tensor | null = null;
  private readonly store: Workspace;
  /** The weighted-mean denominator of the last general-path call (0 means 0/0). */
  lastDenominator = NaN;

  constructor(private readonly where: string, options: ClassWeightOptions) {
    this.ignoreIndex = checkNumber(where, 'ignoreIndex', options.ignoreIndex ?? -100, { integer: true, min: -MAX_IGNORE, max: MAX_IGNORE });
    this.store = new Workspace(`${where} weight`, 'loss');
    const given = options.weight;
    if (given === undefined) return;
    let values: ArrayLike<unknown>;
    if (given && typeof given === 'object' && '_check' in given) {
      const t = given as Tensor;
      t._check(`${where}: weight`);
      if (t.ndim !== 1 || t.size === 0) throw new ShapeError(`${where}: weight must be a 1-D tensor with one value per class, got shape [${t.shape.join(', ')}]`);
      values = t.toFloat32Array();
    } else if (Array.isArray(given) || ArrayBuffer.isView(given)) {
      values = given as ArrayLike<unknown>;
      if (values.length === 0) throw new ValueError(`${where}: weight must have one value per class, got an empty array`);
    } else {
      throw new ValueError(`${where}: weight must be a Tensor or an array of numbers (one per class), got ${describe(given)}`);
    }
    checkFloat32Values(where, 'weight', values, true);
    const copy = Float32Array.from(values as ArrayLike<number>); // read before allocating (a view may detach)
    const w = this.store.next([copy.length]);
    w._view().set(copy);
    this.weight = w;
  }

  /** Whether the plain kernels cannot serve (a weight is given). */
  get weighted(): boolean {
    return this.weight !== null;
  }

  /** Throws unless the weight (if any) has one value per class. */
  /**
   * Whether ignoreIndex is one of the `classes` classes: the plain (unweighted) kernels would then
   * count its rows as a class, so the weighted kernels, which skip them, must run.
   */
  ignoresAClass(classes: number): boolean {
    return this.ignoreIndex >= 0 && this.ignoreIndex < classes;
  }

  checkClasses(classes: number): void {
    if (this.weight && this.weight.size !== classes) {
      throw new ShapeError(`${this.where}: weight has ${this.weight.size} values but the prediction has ${classes} classes (one weight per class)`);
    }
  }

  /**
   * The denominator of the reduction: Σ weight[t] over the targets not ignored for 'mean', 1 for
   * 'sum'; NaN when a target is not a class index (the kernel checks them all), 0 when nothing counts.
   */
  denominator(targets: Tensor, classes: number, mean: boolean): number {
    const d = cw.classWeightSum(targets, classes, this.weight, this.ignoreIndex);
    this.lastDenominator = d;
    if (Number.isNaN(d)) return NaN;
    return mean ? d : 1;
  }

  /** After a NaN loss: explains a mean over nothing, or returns null. */
  explainEmptyMean(): string | null {
    if (this.lastDenominator !== 0) return null;
    return `every target is ignoreIndex (${this.ignoreIndex})${this.weight ? ' or a class of weight 0' : ''}, so the mean is 0/0 (torch returns NaN); use reduction 'sum' or drop those rows`;
  }

  /** Frees the weight copy (the owning loss's dispose() calls it). */
  dispose(): void {
    this.store.dispose();
  }
}
