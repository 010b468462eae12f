import type { Tensor } from '../tensor.js';
import { ShapeError, ValueError } from '../errors.js';
import { checkTensor, describe } from '../validate.js';
import { ClassIndexTargets } from './class-index-targets.js';
import { ClassWeight, type ClassWeightOptions } from './class-weight.js';
import { Loss, type LossDiagnosis, type LossOptions, type PredictionKind } from './loss.js';

/** Most classes a class-index target may choose from (2^23: the kernels convert indices exactly by one float add). */
export const MAX_CLASSES = 2 ** 23;

/**
 * Base of the losses on class indices with torch's `weight` and `ignore_index` (NLLLoss,
 * CrossEntropyLoss): the validated class weights and ignored target, the class-index targets of
 * the current call, the explanation of a non-finite loss, and dispose.
 */
export abstract class ClassIndexLoss extends Loss {
  static override readonly typeName: string = 'ClassIndexLoss';
  /** The class indices of the current call (null for CrossEntropyLoss's probability targets). */
  protected readonly targets: ClassIndexTargets;
  /** torch's weight and ignore_index. */
  protected readonly classWeight: ClassWeight;

  /** `rowsOf` names the prediction in messages ("logits", "input"); `extraOptions` are the subclass's own. */
  protected constructor(rowsOf: string, options: LossOptions & ClassWeightOptions, extraOptions: readonly string[] = []) {
    super(options, ['weight', 'ignoreIndex', ...extraOptions]);
    const name = (new.target as typeof Loss).typeName;
    this.targets = new ClassIndexTargets(`${name}.forward`, rowsOf);
    this.classWeight = new ClassWeight(name, options);
  }

  /** torch's ignore_index: class-index rows with this target are left out. */
  get ignoreIndex(): number {
    return this.classWeight.ignoreIndex;
  }

  /** The ignoreIndex: fit and evaluate accept it in the labels and leave its rows out. */
  override get ignoredTarget(): number {
    return this.classWeight.ignoreIndex;
  }

  /** A copy of the class weights, or null when every class weighs 1. */
  get weight(): Float32Array | null {
    return this.classWeight.weight?.toFloat32Array() ?? null;
  }

  /** Log-probabilities and logits both rank classes by argmax, so fit/evaluate classify. */
  override get predictionKind(): PredictionKind {
    return 'logits';
  }

  /**
   * Takes class-index targets for `batch` rows of `classes` classes (at most MAX_CLASSES): a Tensor
   * (checked usable, then used in place) or an array (copied); anything else is a ValueError.
   */
  protected readIndices(target: unknown, batch: number, classes: number): void {
    const where = `${this.typeName}.forward`;
    if (classes > MAX_CLASSES) {
      throw new ShapeError(`${where}: class-index targets choose among at most ${MAX_CLASSES} classes (2^23), but the prediction has ${classes}`);
    }
    if (target && typeof target === 'object' && '_check' in target) {
      const t = checkTensor(where, 'target', target); // refuses a Tensor of another copy of the library
      this.targets.fromTensor(t, batch); // read in place by the kernel, which also checks every index
    } else if (Array.isArray(target) || ArrayBuffer.isView(target)) {
      this.targets.fromArray(target as ArrayLike<number>, batch);
    } else {
      throw new ValueError(`${where}: target must be a Tensor or an array of class indices, got ${describe(target)}`);
    }
  }

  /** Σ weight[target] over the rows kept, from the kernel; the rows for probability targets. */
  protected override counted(prediction: Tensor): number {
    return this.targets.indices ? this.classWeight.lastWeightSum : prediction.shape[0]!;
  }

  /** After a NaN from the kernel: an invalid class index is the caller's error, named here; then a mean over nothing. */
  protected override diagnose(prediction: Tensor, target: unknown): LossDiagnosis {
    if (this.targets.indices) {
      this.targets.diagnose(prediction.shape[1]!, this.classWeight.ignoreIndex);
      const empty = this.classWeight.explainEmptyMean();
      if (empty) return { source: 'target', index: -1, message: empty };
    }
    return super.diagnose(prediction, target);
  }

  override dispose(): void {
    super.dispose();
    this.targets.dispose();
    this.classWeight.dispose();
  }
}
