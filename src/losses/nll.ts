import * as ops from '../backend/ops.js';
import { ShapeError, ValueError, formatShape } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { check2d } from '../validate.js';
import { Workspace } from '../workspace.js';
import { Loss, type LossDiagnosis, type LossOptions, type PredictionKind } from './loss.js';

/**
 * Negative log-likelihood of class indices, as torch.nn.NLLLoss: the input holds
 * log-probabilities [batch, classes] (the output of LogSoftmax), the target one class index
 * per row (a Tensor [batch] of integers, or an array of them). loss = -Σ_r input[r, target_r],
 * divided by the batch size for 'mean'. (torch's `weight` and `ignore_index` are not offered.)
 *
 * @example
 * const model = new Sequential(new Linear(4, 3), new LogSoftmax(1));
 * const loss = new NLLLoss();
 * loss.forward(model.forward(x), [0, 2, 1]);
 */
export class NLLLoss extends Loss {
  static override readonly typeName: string = 'NLLLoss';
  private indices: Tensor | null = null;
  /** Arrays given as targets, as the float32 class indices the kernel reads. */
  private readonly arrayTargets = new Workspace('NLLLoss targets');
  private lastArray: ArrayLike<unknown> | null = null;

  constructor(options: LossOptions = {}) {
    super(options);
  }

  /** Log-probabilities rank classes as logits do (argmax), so fit/evaluate classify. */
  override get predictionKind(): PredictionKind {
    return 'logits';
  }

  protected checkTarget(input: Tensor, target: unknown): void {
    check2d('NLLLoss.forward', 'input (log-probabilities)', input);
    const batch = input.shape[0]!;
    this.indices = this.lastArray = null;
    if (target && typeof target === 'object' && '_check' in target) {
      const t = target as Tensor;
      t._check('NLLLoss.forward: target');
      if (t.ndim !== 1 || t.size !== batch) {
        throw new ShapeError(`NLLLoss.forward: target must be ${batch} class indices of shape [${batch}] (one per row of the input), got ${formatShape(t.shape)}`);
      }
      this.indices = t; // read in place by the kernel, which checks every index
      return;
    }
    if (Array.isArray(target) || ArrayBuffer.isView(target)) {
      const values = target as ArrayLike<number>;
      if (values.length !== batch) {
        throw new ShapeError(`NLLLoss.forward: expected ${batch} class indices (one per row of the input), got ${values.length}`);
      }
      const t = this.arrayTargets.next([batch]);
      t._view().set(values); // read only now: allocating may grow memory and detach a caller's view
      this.indices = t;
      this.lastArray = values as ArrayLike<unknown>;
      return;
    }
    throw new ValueError(`NLLLoss.forward: target must be a Tensor or an array of class indices, got ${target === null ? 'null' : typeof target}`);
  }

  protected compute(input: Tensor, _target: unknown, grad: Tensor): number {
    const scale = this.reduction === 'mean' ? 1 / input.shape[0]! : 1;
    return ops.nllLoss(input, this.indices!, grad, scale);
  }

  /** After a NaN from the kernel: an invalid class index is the caller's error, named here. */
  protected override diagnose(input: Tensor, target: unknown): LossDiagnosis {
    if (this.indices) {
      const classes = input.shape[1]!;
      const values = this.lastArray ?? this.indices._view();
      for (let i = 0; i < values.length; i++) {
        const c = values[i];
        if (!(typeof c === 'number' && Number.isInteger(c) && c >= 0 && c < classes)) {
          throw new ValueError(`NLLLoss.forward: target[${i}] = ${String(c)} is not a class index in [0, ${classes - 1}]`);
        }
      }
    }
    return super.diagnose(input, target);
  }

  override dispose(): void {
    super.dispose();
    this.arrayTargets.dispose();
  }
}
