import { runtime } from './runtime.js';
import type { Block, MemoryKind } from './memory.js';

/** Frees the block of a Storage that was dropped without release(). */
const registry = new FinalizationRegistry<Block>((block) => {
  if (!block.freed) runtime().allocator.free(block);
});

/**
 * What the pointer-level backend needs of a tensor: its storage, element offset, size and shape,
 * and a check that it is still usable. `Tensor` (one layer up) implements it; backend code never
 * imports tensor.ts, so the layers point one way.
 */
export interface TensorRef {
  readonly _storage: Storage;
  readonly _offset: number;
  readonly size: number;
  readonly shape: readonly number[];
  /** Throws StateError when the tensor is disposed or stale; `what` names the operation. */
  _check(what: string): void;
}

/**
 * A block of WASM memory holding float32 (or int32) elements. Tensors reference a Storage plus
 * an element offset, never a pointer or an array view. `generation` increases whenever the
 * owner re-purposes the contents, which lets tensors detect that they have gone stale.
 */
export class Storage {
  /** @internal */ block: Block;
  /** Bumped when the contents are re-purposed (a new forward pass, a re-allocation). */
  generation = 0;
  private released = false;

  /** `kind` says what the memory is for (counted per kind in memoryStats() and OutOfMemoryError). */
  constructor(
    elements: number,
    readonly kind: MemoryKind = 'internal',
  ) {
    this.block = runtime().allocator.alloc(elements * 4, kind);
    registry.register(this, this.block, this);
  }

  /** Whether `view` looks at WASM linear memory (such a view is detached when memory grows). */
  static inLinearMemory(view: ArrayBufferView): boolean {
    return runtime().allocator.isLinearMemory(view.buffer);
  }

  /** Capacity in 4-byte elements. */
  get capacity(): number {
    return this.block.bytes / 4;
  }

  get isReleased(): boolean {
    return this.released;
  }

  /** Frees the memory now; the storage cannot be used afterwards. */
  release(): void {
    if (this.released) return;
    this.released = true;
    registry.unregister(this);
    runtime().allocator.free(this.block);
  }

  /** Makes room for `elements`, re-allocating (contents lost) only when capacity is short. */
  ensureCapacity(elements: number): void {
    if (elements <= this.capacity) return;
    const fresh = runtime().allocator.alloc(elements * 4, this.kind);
    registry.unregister(this);
    runtime().allocator.free(this.block);
    this.block = fresh;
    registry.register(this, this.block, this);
    this.generation++;
  }

  /** @internal Byte address of element `offset`. */
  ptr(offset = 0): number {
    return this.block.ptr + offset * 4;
  }

  /** A live Float32Array over `length` elements from `offset`. */
  f32(offset: number, length: number): Float32Array {
    const start = this.ptr(offset) >>> 2;
    return runtime().allocator.f32().subarray(start, start + length);
  }

  /** A live Int32Array over `length` elements from `offset`. */
  i32(offset: number, length: number): Int32Array {
    const start = this.ptr(offset) >>> 2;
    return runtime().allocator.i32().subarray(start, start + length);
  }
}
