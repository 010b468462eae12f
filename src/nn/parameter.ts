import { Storage } from '../backend/storage.js';
import { StateError, ValueError, namingOwner } from '../errors.js';
import { checkShape, formatShape } from '../shape.js';
import { Tensor } from '../tensor.js';

/**
 * Where a parameter's memory lives when it is not its own: an optimizer's flat block
 * (optim/parameter-block.ts). Declared here so that nn/ does not import optim/.
 */
export interface ParameterHome {
  /** Called when a member parameter releases its memory; the home frees itself when none remain. */
  leave(param: Parameter): void;
}

/**
 * A trainable tensor with its gradient. Modules create them; optimizers move every parameter of
 * a model into one contiguous block (see ParameterBlock), which is invisible to users: read and
 * write values with toFloat32Array() / set() as for any tensor.
 */
export class Parameter extends Tensor {
  #grad: Tensor;
  /** @internal The flat block this parameter currently lives in, if any. */
  _block: ParameterHome | null = null;

  /**
   * A zero-filled parameter of `shape` with a zero gradient. `owner` names the module in
   * messages (e.g. "Linear(2, 8)"). The shape is checked (integers ≥ 0 that fit in memory);
   * if the gradient cannot be allocated the value's memory is freed before the error propagates.
   */
  constructor(shape: readonly number[], owner: string) {
    if (typeof owner !== 'string') throw new ValueError(`Parameter: owner must be a string naming the module, got ${typeof owner}`);
    // An OutOfMemoryError names the module the parameter is for (e.g. "Linear(4096, 4096): …").
    const size = namingOwner(owner, () => checkShape(shape, 'Parameter', 'shape'));
    const value = namingOwner(owner, () => new Storage(Math.max(size, 1), 'parameter'));
    let grad: Storage;
    try {
      grad = namingOwner(owner, () => new Storage(Math.max(size, 1), 'parameter'));
    } catch (e) {
      value.release();
      throw e;
    }
    super(value, 0, shape, owner);
    this.#grad = new Tensor(grad, 0, this.shape, owner);
    grad.f32(0, size).fill(0);
    value.f32(0, size).fill(0);
  }

  /**
   * ∂loss/∂parameter, accumulated by backward() until zeroGrad(); same shape. Read-only: the
   * memory belongs to the parameter (write it with `p.grad.set(...)` / `p.grad.fill(0)`).
   */
  get grad(): Tensor {
    return this.#grad;
  }

  /** Refused: the gradient's memory belongs to the parameter (optimizers and backward write it). */
  set grad(_value: never) {
    throw new StateError(
      `Parameter.grad cannot be replaced (the ${formatShape(this.shape)} gradient's memory belongs to the parameter); ` +
        'write into it with p.grad.set(values) or p.grad.fill(0)',
    );
  }

  /**
   * @internal Re-points value and gradient at a slice of a flat block (contents already copied)
   * and frees the memory the parameter had before.
   */
  _relocate(value: Storage, grad: Storage, offset: number, block: ParameterHome): void {
    this._releaseMemory();
    this._storage = value;
    this._offset = offset;
    this._generation = value.generation;
    this.#grad = new Tensor(grad, offset, this.shape, this._owner);
    this._block = block;
  }

  /** @internal Frees this parameter's memory (its own, or its share of a flat block). */
  _releaseMemory(): void {
    if (this._block) this._block.leave(this);
    else {
      this._storage.release();
      this.#grad._storage.release();
    }
    this._block = null;
  }

  /** `Parameter(shape=[…])`: the shape, not the values (read them with toArray()). */
  override toString(): string {
    return `Parameter(shape=${formatShape(this.shape)})`;
  }
}
