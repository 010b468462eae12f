import { ShapeError, ValueError, formatShape } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { describe } from '../validate.js';
import { Workspace } from '../workspace.js';

/**
 * The class-index targets of CrossEntropyLoss and NLLLoss: one class number per row, given as a
 * Tensor [batch] (read in place by the kernel) or as an array (copied into a re-used workspace,
 * as the float32 the kernel reads). The kernels check every index and return NaN for a bad one;
 * only then does `diagnose` scan the targets to name it, so the success path costs no JS pass.
 */
export class ClassIndexTargets {
  /** The targets of the current call: the caller's Tensor itself, or the workspace's copy. */
  indices: Tensor | null = null;
  private readonly copies: Workspace;
  /** The caller's array, kept for error messages (it may hold non-numbers the copy hides). */
  private lastArray: ArrayLike<unknown> | null = null;

  constructor(
    /** e.g. "NLLLoss.forward", for messages. */
    private readonly where: string,
    /** What the rows belong to in messages: "logits" or "input". */
    private readonly rowsOf: string,
  ) {
    this.copies = new Workspace(`${where.split('.')[0]} targets`, 'loss');
  }

  /** Forgets the previous call's targets. */
  clear(): void {
    this.indices = this.lastArray = null;
  }

  /** Uses a 1-D Tensor of `batch` class numbers in place. */
  fromTensor(t: Tensor, batch: number): void {
    if (t.ndim !== 1 || t.size !== batch) {
      throw new ShapeError(`${this.where}: target must be ${batch} class indices of shape [${batch}] (one per row of the ${this.rowsOf}), got ${formatShape(t.shape)}`);
    }
    this.indices = t;
  }

  /** Copies an array of `batch` class numbers into the workspace the kernel reads. */
  fromArray(given: ArrayLike<number>, batch: number): void {
    // torch's class indices are int64: a BigInt64Array's values are read as numbers (the check
    // below refuses any that float32 does not hold exactly). Float32Array.set would throw a raw TypeError.
    const values: ArrayLike<unknown> = given instanceof BigInt64Array || given instanceof BigUint64Array ? Array.from(given, Number) : given;
    if (values.length !== batch) {
      throw new ShapeError(`${this.where}: expected ${batch} class indices (one per row of the ${this.rowsOf}), got ${values.length}`);
    }
    for (let i = 0; i < batch; i++) {
      // A bigint element would make Float32Array.set throw a raw TypeError.
      if (typeof values[i] === 'bigint') throw new ValueError(`${this.where}: target[${i}] = ${describe(values[i])} is not a class index; pass numbers (Number(v)) or a BigInt64Array`);
    }
    const t = this.copies.next([batch]);
    const view = t._view();
    view.set(values as ArrayLike<number>); // read only now: allocating may grow memory and detach a caller's view
    // A value the float32 copy changed (1 + 1e-9 → 1, 2^24 + 1 → 2^24, null → 0, '1' → 1) would
    // silently become another class or ignoreIndex; NaN is left to the kernel's check.
    for (let i = 0; i < batch; i++) {
      const v = values[i] as unknown;
      if (view[i] !== v && !(typeof v === 'number' && Number.isNaN(v))) {
        throw new ValueError(`${this.where}: target[${i}] = ${describe(v)} is not a class index (an integer that float32 holds exactly)`);
      }
    }
    this.indices = t;
    this.lastArray = values;
  }

  /**
   * After the kernel returned NaN: throws naming the first target that is not a class in
   * [0, classes) (nor the loss's ignoreIndex).
   */
  diagnose(classes: number, ignoreIndex: number): void {
    if (!this.indices) return;
    const values = this.lastArray ?? this.indices._view();
    for (let i = 0; i < values.length; i++) {
      const c = values[i];
      if (!(typeof c === 'number' && ((Number.isInteger(c) && c >= 0 && c < classes) || c === ignoreIndex))) {
        throw new ValueError(`${this.where}: target[${i}] = ${String(c)} is not a class index in [0, ${classes - 1}] (nor ignoreIndex ${ignoreIndex}); ` +
          `targets are whole class numbers, one per row${this.rowsOf === 'logits' ? ' (or probabilities of the logits\' shape)' : ''}`);
      }
    }
  }

  /** Frees the workspace of copied arrays. */
  dispose(): void {
    this.copies.dispose();
    this.clear();
  }
}
