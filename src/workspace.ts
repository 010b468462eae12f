import type { MemoryKind } from './backend/memory.js';
import { Storage } from './backend/storage.js';
import { namingOwner } from './errors.js';
import { sizeOf } from './shape.js';
import { Tensor } from './tensor.js';
import { sameShape } from './validate.js';

/**
 * Memory a module re-uses on every call (its output, its input gradient, scratch space).
 * Capacity only grows, so alternating batch sizes cause no re-allocation; each call hands out a
 * new Tensor view and makes the previous views stale, so a result kept by a user across a later
 * call fails loudly instead of silently changing.
 */
export class Workspace {
  private storage: Storage | null = null;
  /** The last shape handed out, frozen, re-used while callers ask for the same dimensions. */
  private lastShape: readonly number[] = Object.freeze([]);

  constructor(
    /** Named in error messages, e.g. "Linear(2, 8).forward". */
    private readonly owner: string,
    /** Who holds the memory, for accounting: a module (default), a loss, a data loader. */
    private readonly kind: MemoryKind = 'module',
  ) {}

  /** A fresh view of `shape`; previous views of this workspace become stale. */
  next(shape: readonly number[]): Tensor {
    if (!sameShape(shape, this.lastShape)) this.lastShape = Object.freeze([...shape]);
    const size = sizeOf(this.lastShape);
    if (!this.storage) this.storage = namingOwner(this.owner, () => new Storage(Math.max(size, 1), this.kind));
    else {
      const storage = this.storage;
      // The closure only when the block must grow: the steady state of a training step allocates nothing.
      if (size > storage.capacity) namingOwner(this.owner, () => storage.ensureCapacity(size));
      storage.generation++;
    }
    return new Tensor(this.storage, 0, this.lastShape, this.owner);
  }

  /** Frees the memory; views become unusable. */
  dispose(): void {
    this.storage?.release();
    this.storage = null;
  }
}

