import { Storage } from '../backend/storage.js';
import { Tensor } from '../tensor.js';
import type { ParameterBlock } from './parameter-block.js';

/**
 * A trainable tensor with its gradient. Modules create them; optimizers move every parameter of
 * a model into one contiguous block (see ParameterBlock), which is invisible to users except
 * that `.data` views must be re-read after constructing an optimizer.
 */
export class Parameter extends Tensor {
  /** ∂loss/∂parameter, accumulated by backward() until zeroGrad(). Same shape. */
  grad: Tensor;
  /** @internal The flat block this parameter currently lives in, if any. */
  _block: ParameterBlock | null = null;

  constructor(shape: readonly number[], owner: string) {
    const size = shape.reduce((a, b) => a * b, 1);
    super(new Storage(Math.max(size, 1)), 0, shape, owner);
    this.grad = new Tensor(new Storage(Math.max(size, 1)), 0, shape, owner);
    this.grad._storage.f32(0, size).fill(0);
    this._storage.f32(0, size).fill(0);
  }

  /**
   * @internal Re-points value and gradient at a slice of a flat block (contents already copied)
   * and frees the memory the parameter had before.
   */
  _relocate(value: Storage, grad: Storage, offset: number, block: ParameterBlock): void {
    this._releaseMemory();
    this._storage = value;
    this._offset = offset;
    this._generation = value.generation;
    this.grad = new Tensor(grad, offset, this.shape, this._owner);
    this._block = block;
  }

  /** @internal Frees this parameter's memory (its own, or its share of a flat block). */
  _releaseMemory(): void {
    if (this._block) this._block.leave(this);
    else {
      this._storage.release();
      this.grad._storage.release();
    }
    this._block = null;
  }

  override toString(): string {
    return `Parameter(shape=[${this.shape.join(', ')}])`;
  }
}
