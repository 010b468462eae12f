import * as ops from '../backend/ops.js';
import { Storage } from '../backend/storage.js';
import { ShapeError, ValueError, formatShape } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { check2d } from '../validate.js';
import { Loss, type LossOptions } from './loss.js';

/** Class targets: a Tensor [batch] of class numbers, or [batch, classes] probabilities; or an array of class numbers. */
export type CrossEntropyTarget = Tensor | ArrayLike<number>;

/**
 * Softmax + negative log-likelihood on raw scores (logits) [batch, classes], as
 * torch.nn.CrossEntropyLoss. Targets are either class indices (a Tensor of shape [batch] holding
 * integers, or an array / Int32Array of them) or class probabilities of shape [batch, classes]
 * (e.g. one-hot). 'mean' divides by the batch size.
 */
export class CrossEntropyLoss extends Loss {
  private indices: Storage | null = null;
  private probabilities: Tensor | null = null;

  constructor(options: LossOptions = {}) {
    super(options);
  }

  protected checkTarget(logits: Tensor, target: unknown): void {
    check2d('CrossEntropyLoss.forward', 'prediction (logits)', logits);
    const [batch, classes] = logits.shape as [number, number];
    this.probabilities = null;
    if (target && typeof target === 'object' && '_check' in target) {
      const t = target as Tensor;
      t._check('CrossEntropyLoss.forward: target');
      if (t.ndim === 2) {
        if (t.shape[0] !== batch || t.shape[1] !== classes) {
          throw new ShapeError(`CrossEntropyLoss.forward: probability targets must have the logits' shape ${formatShape(logits.shape)}, got ${formatShape(t.shape)}`);
        }
        this.probabilities = t;
        return;
      }
      if (t.ndim !== 1) {
        throw new ShapeError(`CrossEntropyLoss.forward: target must be class indices [${batch}] or probabilities ${formatShape(logits.shape)}, got ${formatShape(t.shape)}`);
      }
      this.storeIndices(() => t.data, batch, classes);
      return;
    }
    if (Array.isArray(target) || ArrayBuffer.isView(target)) {
      this.storeIndices(() => target as ArrayLike<number>, batch, classes);
      return;
    }
    throw new ValueError(`CrossEntropyLoss.forward: target must be a Tensor or an array of class indices, got ${target === null ? 'null' : typeof target}`);
  }

  /**
   * Validates class indices and copies them (as int32) into WASM memory. `source` is read only
   * after the index buffer exists, because allocating may grow memory and detach earlier views.
   */
  private storeIndices(source: () => ArrayLike<number>, batch: number, classes: number): void {
    this.indices ??= new Storage(batch);
    this.indices.ensureCapacity(batch);
    const values = source();
    if (values.length !== batch) {
      throw new ShapeError(`CrossEntropyLoss.forward: expected ${batch} class indices (one per row of the logits), got ${values.length}`);
    }
    for (let i = 0; i < batch; i++) {
      const c = values[i]!;
      if (!Number.isInteger(c) || c < 0 || c >= classes) {
        throw new ValueError(`CrossEntropyLoss.forward: target[${i}] = ${c} is not a class index in [0, ${classes - 1}]`);
      }
    }
    this.indices.i32(0, batch).set(values);
  }

  protected compute(logits: Tensor, _target: unknown, grad: Tensor): number {
    const batch = logits.shape[0]!;
    const scale = this.reduction === 'mean' ? 1 / batch : 1;
    if (this.probabilities) return ops.crossEntropyProbabilities(logits, this.probabilities, grad, scale);
    return ops.crossEntropyIndices(logits, this.indices!, grad, scale);
  }

  override dispose(): void {
    super.dispose();
    this.indices?.release();
    this.indices = null;
  }
}
