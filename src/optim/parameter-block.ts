import { Storage } from '../backend/storage.js';
import * as ops from '../backend/ops.js';
import { StateError, ValueError } from '../errors.js';
import { Tensor } from '../tensor.js';
import { Parameter, type ParameterHome } from '../nn/parameter.js';

/** Each parameter starts on a 16-byte boundary inside the block. */
const ALIGN_ELEMENTS = 4;
const alignUp = (n: number): number => Math.ceil(n / ALIGN_ELEMENTS) * ALIGN_ELEMENTS;

/**
 * All parameters of an optimizer in one contiguous block of values and a parallel block of
 * gradients, so that an optimizer step is one kernel call and zeroGrad one fill (the layout of
 * PyTorch's fused optimizers). Padding between parameters is zero in both blocks and stays
 * zero under every update rule.
 */
export class ParameterBlock implements ParameterHome {
  /** All values, as one flat tensor. */
  readonly values: Tensor;
  /** All gradients, parallel to values. */
  readonly grads: Tensor;
  /** Element offset of each parameter. */
  readonly offsets: readonly number[];
  private members: number;

  private constructor(readonly params: readonly Parameter[]) {
    const offsets: number[] = [];
    let total = 0;
    for (const p of params) {
      offsets.push(total);
      total += alignUp(p.size);
    }
    // Every member fits inside the block: shapes are checked by Parameter, sizes are read-only.
    if (params.some((p, i) => offsets[i]! + p.size > total)) throw new StateError('internal: a parameter does not fit its block');
    this.offsets = offsets;
    this.members = params.length;
    const valueStorage = new Storage(Math.max(total, 1), 'parameter');
    let gradStorage: Storage;
    try {
      gradStorage = new Storage(Math.max(total, 1), 'parameter');
    } catch (e) {
      valueStorage.release(); // out of memory: the parameters stay where they were, nothing is kept
      throw e;
    }
    this.values = new Tensor(valueStorage, 0, [total], 'a parameter block');
    this.grads = new Tensor(gradStorage, 0, [total], 'a parameter block');
    ops.fill(this.values, 0);
    ops.fill(this.grads, 0);
    params.forEach((p, i) => {
      valueStorage.f32(offsets[i]!, p.size).set(p._view());
      gradStorage.f32(offsets[i]!, p.size).set(p.grad._view());
      p._relocate(valueStorage, gradStorage, offsets[i]!, this);
    });
  }

  /**
   * The block holding exactly `params` in this order: the existing one when they already form
   * one, else a new block (their values and gradients are moved into it).
   */
  static of(params: readonly Parameter[], where: string): ParameterBlock {
    if (!Array.isArray(params) || params.length === 0) {
      throw new ValueError(`${where}: expected a non-empty array of parameters (model.parameters()), got ${Array.isArray(params) ? 'an empty array' : typeof params}`);
    }
    params.forEach((p, i) => {
      if (!(p instanceof Parameter)) throw new ValueError(`${where}: params[${i}] is not a Parameter (got ${typeof p})`);
      p._check(`${where}: params[${i}]`);
      // A gradient disposed by hand was found only while moving: the parameters before it had
      // already been moved into a block that was then dropped (memory held, nothing refused cleanly).
      p.grad._check(`${where}: params[${i}].grad`);
    });
    if (new Set(params).size !== params.length) throw new ValueError(`${where}: the parameter list contains duplicates`);
    const home = params[0]!._block;
    const block = home instanceof ParameterBlock ? home : null;
    if (block && block.params.length === params.length && block.params.every((p, i) => p === params[i])) return block;
    return new ParameterBlock(params);
  }

  /**
   * Whether every parameter is still alive and in this block (assertIntact would pass): one loop
   * without closures or messages, twice per training step (zeroGrad, step).
   */
  intact(): boolean {
    const params = this.params;
    if (this.members !== params.length) return false;
    for (let i = 0; i < params.length; i++) if (params[i]!._block !== this || params[i]!.isDisposed) return false;
    return true;
  }

  /** Throws if a parameter has since been disposed or moved into another block (by another optimizer). */
  assertIntact(where: string): void {
    if (this.intact()) return;
    if (this.params.some((p) => p.isDisposed)) {
      throw new StateError(`${where}: some of this optimizer's parameters have been disposed (model.dispose()); create a new optimizer for a new model`);
    }
    if (this.members !== this.params.length || this.params.some((p) => p._block !== this)) {
      throw new StateError(
        `${where}: some of this optimizer's parameters were moved by another optimizer created over an ` +
          `overlapping parameter list; give each optimizer a disjoint set of parameters`,
      );
    }
  }

  /** Sets every gradient to zero (one fill). */
  zeroGrad(): void {
    ops.fill(this.grads, 0);
  }

  /** @internal Called when a member parameter leaves; frees the block when none remain. */
  leave(param: Parameter): void {
    if (param._block !== this) return;
    this.members--;
    if (this.members === 0) {
      this.values._storage.release();
      this.grads._storage.release();
    }
  }
}
