import type { MemoryKind } from './backend/memory.js';
import { Storage } from './backend/storage.js';
import { StateError, namingOwner } from './errors.js';
import { checkShape } from './shape.js';
import { type Tensor, workspaceView } from './tensor.js';
import { sameShape } from './validate.js';

/**
 * Memory a module re-uses on every call (its output, its input gradient, scratch space).
 * Capacity only grows, so alternating batch sizes cause no re-allocation; each call hands out a
 * new Tensor view and makes the previous views stale, so a result kept by a user across a later
 * call fails loudly instead of silently changing.
 */
export class Workspace {
  private storage: Storage | null = null;
  /**
   * The last shape handed out, frozen, re-used while callers ask for the same dimensions; a
   * caller's frozen array (every tensor's shape is one) is kept as is, so that a caller passing
   * the same array again costs one comparison.
   */
  private lastShape: readonly number[] = Object.freeze([]);
  /** sizeOf(lastShape). */
  private lastSize = 1;

  constructor(
    /** Named in error messages, e.g. "Linear(2, 8).forward". */
    private readonly owner: string,
    /** Who holds the memory, for accounting: a module (default), a loss, a data loader. */
    private readonly kind: MemoryKind = 'module',
  ) {}

  /** The last view, when nextInternal made it (a view next() handed out is never re-used). */
  private internalView: Tensor | null = null;

  /** A fresh view of `shape`; previous views of this workspace become stale. */
  next(shape: readonly number[]): Tensor {
    this.internalView = null;
    if (shape !== this.lastShape && !sameShape(shape, this.lastShape)) {
      const frozen = Object.isFrozen(shape) ? shape : Object.freeze([...shape]);
      // Checked here once per new shape, not by every view's constructor (workspaceView).
      const size = checkShape(frozen, this.owner);
      this.lastShape = frozen;
      this.lastSize = size;
    }
    const size = this.lastSize;
    if (!this.storage) this.storage = namingOwner(this.owner, () => new Storage(Math.max(size, 1), this.kind));
    else {
      const storage = this.storage;
      // The closure only when the block must grow: the steady state of a training step allocates nothing.
      if (size > storage.capacity) namingOwner(this.owner, () => storage.ensureCapacity(size));
      storage.generation++;
    }
    return workspaceView(this.storage, this.lastShape, size, this.owner);
  }

  /**
   * @internal next(shape) for a view that never leaves the library (a Sequential's activations
   * and gradients between two of its own layers, see Sequential.forward): the previous view
   * itself, with its contents about to be re-written, when nextInternal made it, it is still
   * current (neither stale nor freed) and it has this shape; else a fresh view, as next() makes.
   * Nothing a caller holds can change silently: any view next() handed out (a layer called on
   * its own, a result the chain returns) still goes stale at the following call, as before.
   */
  nextInternal(shape: readonly number[]): Tensor {
    const v = this.internalView;
    if (v !== null && v._usable() && sameShape(shape, v.shape)) return v;
    const fresh = this.next(shape);
    this.internalView = fresh;
    return fresh;
  }

  /**
   * Throws StateError when `input` is a view of this workspace's memory — a module called on its
   * own last output (`act.forward(act.forward(x))`): next() would make that input stale in the
   * middle of the call, and the caller's result with it. Checked before anything changes.
   */
  checkNotHeld(where: string, input: Tensor): void {
    if (this.storage !== null && input._storage === this.storage) {
      throw new StateError(`${where}: input is a view of this layer's own last output (the memory of ${this.owner}, which this call ` +
        're-uses); pass output.clone(), or use a second instance of the layer');
    }
  }

  /** Frees the memory; views become unusable. */
  dispose(): void {
    this.storage?.release();
    this.storage = null;
    this.internalView = null;
  }
}
