import { weightSum } from '../backend/ops-class-index.js';
import { Storage } from '../backend/storage.js';
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

/** torch's `weight` as a checked float32 copy (read before anything is allocated: a view may detach). */
function readWeight(where: string, given: unknown): Float32Array {
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
  return Float32Array.from(values as ArrayLike<number>);
}

/**
 * The class weights (copied into loss memory) and the ignored target value of a class-index
 * loss, validated at construction; the weight's length is checked against the classes at forward.
 */
export class ClassWeight {
  readonly ignoreIndex: number;
  /** The weights, or null when every class weighs 1. */
  readonly weight: Tensor | null = null;
  private readonly store: Workspace;
  private statsStore: Storage | null = null;

  constructor(private readonly where: string, options: ClassWeightOptions) {
    this.ignoreIndex = checkNumber(where, 'ignoreIndex', options.ignoreIndex ?? -100, { integer: true, min: -MAX_IGNORE, max: MAX_IGNORE });
    const copy = options.weight === undefined ? null : readWeight(where, options.weight); // checked before any allocation
    this.store = new Workspace(`${where} weight`, 'loss');
    if (copy) {
      const w = this.store.next([copy.length]);
      w._view().set(copy);
      this.weight = w;
    }
  }

  /** Throws unless the weight (if any) has one value per class. */
  checkClasses(classes: number): void {
    if (this.weight && this.weight.size !== classes) {
      throw new ShapeError(`${this.where}: weight has ${this.weight.size} values but the prediction has ${classes} classes (one weight per class)`);
    }
  }

  /**
   * Σ weight[target] over the rows kept by the last class-index forward (torch's weighted-mean
   * denominator; the number of rows kept without weights); 0 when nothing counted, NaN after a bad target.
   */
  get lastWeightSum(): number {
    return this.statsStore ? weightSum(this.statsStore) : NaN;
  }

  /** @internal Where the class-index kernels leave D (one float, made at the first forward). */
  get stats(): Storage {
    if (!this.statsStore) {
      this.statsStore = new Storage(1, 'loss');
      this.statsStore.f32(0, 1)[0] = NaN;
    }
    return this.statsStore;
  }

  /** After a NaN loss: explains a mean over nothing, or returns null. */
  explainEmptyMean(): string | null {
    if (this.lastWeightSum !== 0) return null;
    return `every target is ignoreIndex (${this.ignoreIndex})${this.weight ? ' or a class of weight 0' : ''}, so the mean is 0/0 (torch returns NaN); use reduction 'sum' or drop those rows`;
  }

  /** Frees the weight copy (the owning loss's dispose() calls it). */
  dispose(): void {
    this.store.dispose();
    this.statsStore?.release();
  }
}
