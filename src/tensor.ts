import type { MemoryKind } from './backend/memory.js';
import { Storage } from './backend/storage.js';
import { disposeSymbol } from './dispose.js';
import { ShapeError, StateError, ValueError } from './errors.js';
import { checkShape, formatShape, resolveShape, sizeOf } from './shape.js';
import { type NestedArray, type ReadonlyNestedArray, checkElement, checkValues, flatten } from './tensor-data.js';
import { describe } from './check-values.js';

export type { NestedArray, ReadonlyNestedArray } from './tensor-data.js';

/**
 * The element count of the one view workspaceView() is constructing, -1 otherwise: that view's
 * shape was checked (and frozen) by its workspace when the shape last changed, and its storage
 * grown to fit it, so the constructor skips the checks it makes for every other caller.
 */
let trustedSize = -1;

/**
 * @internal A view of a workspace's storage from element 0 (Workspace.next, once per module call):
 * `shape` frozen and checked by checkShape, `size` its product, the storage at least that large.
 * Not exported from the package: the public constructor keeps checking what it is given.
 */
export function workspaceView(storage: Storage, shape: readonly number[], size: number, owner: string): Tensor {
  trustedSize = size;
  return new Tensor(storage, 0, shape, owner);
}

/** Data accepted by Tensor.from: nested arrays (read-only ones too), or flat numbers (arrays, typed arrays). */
export type TensorData = number[] | number[][] | NestedArray[] | readonly ReadonlyNestedArray[] | Float32Array | ArrayLike<number>;

/**
 * A float32 row-major array of any rank (batch first), stored in WASM memory.
 *
 * Read it with `toFloat32Array()` (a copy you own, unaffected by anything wasmnn does later),
 * `toArray()` or `item()`; write it with `set(values, offset)` or `fill(value)`. There is no live
 * view of WASM memory in the public API, so nothing you hold can change or empty silently.
 *
 * Tensors made by Tensor.from / zeros / full / clone own their memory: `dispose()` (or `using`)
 * frees it now, otherwise it is freed after the tensor is garbage-collected. Tensors returned by a
 * module's forward/backward or a loss's backward are views of that module's workspace: they stay
 * valid until the module runs again, after which using them throws (call `.clone()` to keep one).
 * `reshape` / `view` share memory with their source and go stale or disposed with it.
 */
export class Tensor {
  readonly #shape: readonly number[];
  readonly #size: number;
  /** @internal */ _storage: Storage;
  /** @internal Element offset into the storage. */ _offset: number;
  /** @internal The storage generation this tensor was made for. */ _generation: number;
  /** @internal Who owns the storage when it is not this tensor (for messages); null: this tensor owns it. */ _owner: string | null;
  private disposedFlag = false;

  /**
   * @internal Use Tensor.from / zeros / full; modules make views through Workspace. A frozen
   * `shape` is used as is (workspaces pass the same frozen array on every call). The shape must
   * already be checked (checkShape) and fit in the storage from `offset`.
   */
  constructor(storage: Storage, offset: number, shape: readonly number[], owner: string | null) {
    let size = trustedSize;
    if (size >= 0) {
      trustedSize = -1; // workspaceView's own call: checked by the workspace (see there)
    } else {
      // No forged offset or shape reaches a kernel.
      if (!(storage instanceof Storage)) throw new ValueError('Tensor: storage must be a Storage (use Tensor.from / zeros / full)');
      size = checkShape(shape, 'Tensor');
      if (!Number.isInteger(offset) || offset < 0 || offset + size > storage.capacity) {
        throw new ShapeError(`Tensor: ${size} elements from offset ${String(offset)} do not fit a storage of ${storage.capacity} elements`);
      }
      if (!Object.isFrozen(shape)) shape = Object.freeze([...shape]);
    }
    this._storage = storage;
    this._offset = offset;
    this.#shape = shape;
    this.#size = size;
    this._generation = storage.generation;
    this._owner = owner;
  }

  /**
   * Copies data into a new tensor. Nested arrays give their own shape (`[[1, 2], [3, 4]]` is
   * [2, 2]); flat data takes `shape` (default: one dimension). The source is never modified or
   * detached, even when it is a copy of another tensor and this allocation grows memory.
   */
  static from(data: TensorData, shape?: readonly number[]): Tensor {
    let values: ArrayLike<number>;
    let inferred: number[];
    if (data instanceof Tensor) {
      throw new ValueError('Tensor.from: data is a Tensor; use t.clone() for a copy, or Tensor.from(t.toFloat32Array(), shape)');
    }
    if (Array.isArray(data) && data.some((d) => Array.isArray(d))) {
      ({ shape: inferred, values } = flatten(data as NestedArray[], 'Tensor.from'));
      values = checkValues(values, 'Tensor.from', 'data');
    } else {
      values = checkValues(data, 'Tensor.from', 'data');
      inferred = [values.length];
    }
    const finalShape = shape ?? inferred;
    const size = checkShape(finalShape, 'Tensor.from');
    if (size !== values.length) {
      throw new ShapeError(`Tensor.from: shape ${formatShape(finalShape)} needs ${size} elements, the data has ${values.length}`);
    }
    // A view of WASM memory would be detached by the allocation below: copy it first.
    if (ArrayBuffer.isView(values) && Storage.inLinearMemory(values)) values = (values as unknown as Float32Array).slice();
    const t = Tensor.owned(finalShape);
    try {
      t._storage.f32(0, t.size).set(values);
    } catch (e) {
      t.dispose(); // a hostile array-like can still throw while being read: keep nothing
      throw e;
    }
    return t;
  }

  /** A new tensor of zeros. */
  static zeros(shape: readonly number[]): Tensor {
    return Tensor.filled(shape, 0, 'Tensor.zeros');
  }

  /** A new tensor with every element equal to `value`. */
  static full(shape: readonly number[], value: number): Tensor {
    return Tensor.filled(shape, value, 'Tensor.full');
  }

  private static filled(shape: readonly number[], value: number, where: string): Tensor {
    checkShape(shape, where);
    checkElement(value, where, 'value');
    const t = Tensor.owned(shape);
    t._storage.f32(0, t.size).fill(value);
    return t;
  }

  /**
   * @internal A tensor that owns fresh (uninitialised) storage; `shape` must be checked. `kind`
   * says who holds it (memory accounting).
   */
  static owned(shape: readonly number[], kind: MemoryKind = 'tensor'): Tensor {
    return new Tensor(new Storage(Math.max(sizeOf(shape), 1), kind), 0, shape, null);
  }

  /** The dimensions, outermost (batch) first (frozen; a tensor's shape never changes). */
  get shape(): readonly number[] {
    return this.#shape;
  }

  /** Number of elements (the product of the shape; read-only, so no kernel sees a forged length). */
  get size(): number {
    return this.#size;
  }

  /** Refused: a tensor's shape is fixed (use reshape / view for another shape). */
  set shape(_value: never) {
    throw new StateError(`a tensor's shape cannot be assigned (it is ${formatShape(this.#shape)}); use reshape(shape) or view(shape)`);
  }

  /** Refused: the size follows from the shape. */
  set size(_value: never) {
    throw new StateError(`a tensor's size cannot be assigned (it is ${this.#size}); use reshape(shape) or view(shape)`);
  }

  /** Number of dimensions. */
  get ndim(): number {
    return this.shape.length;
  }

  /**
   * A copy of the elements (row-major) in a Float32Array that belongs to the caller: later
   * allocations, forward passes or dispose() never change it.
   */
  toFloat32Array(): Float32Array {
    return this._view('Tensor.toFloat32Array').slice();
  }

  /**
   * Writes `values` into the elements from flat index `offset` (default 0). Everything is checked
   * first (a tensor that is usable, numbers that fit float32, offset + values.length ≤ size);
   * a rejected call writes nothing.
   */
  set(values: ArrayLike<number>, offset = 0): this {
    this._check('Tensor.set');
    const checked = checkValues(values, 'Tensor.set', 'values');
    if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0 || offset > this.size) {
      throw new ValueError(`Tensor.set: offset must be an integer in [0, ${this.size}], got ${describe(offset)}`);
    }
    if (offset + checked.length > this.size) {
      throw new ShapeError(
        `Tensor.set: values has ${checked.length} elements, which do not fit from offset ${offset} in a tensor of ` +
          `${this.size} elements ${formatShape(this.shape)}`,
      );
    }
    this._storage.f32(this._offset + offset, checked.length).set(checked);
    return this;
  }

  /** Sets every element to `value` (a number; NaN and ±Infinity allowed, finite values must fit float32). */
  fill(value: number): this {
    this._check('Tensor.fill');
    checkElement(value, 'Tensor.fill', 'value');
    this._storage.f32(this._offset, this.size).fill(value);
    return this;
  }

  /** The elements as nested arrays of numbers, following the shape. */
  toArray(): NestedArray {
    const flat = this._view('Tensor.toArray');
    if (this.shape.length === 0) return flat[0]!;
    const build = (dim: number, offset: number): NestedArray[] => {
      const len = this.shape[dim]!;
      const stride = sizeOf(this.shape.slice(dim + 1));
      const out: NestedArray[] = [];
      for (let i = 0; i < len; i++) {
        out.push(dim === this.shape.length - 1 ? flat[offset + i]! : build(dim + 1, offset + i * stride));
      }
      return out;
    };
    return build(0, 0);
  }

  /** The single element of a one-element tensor. */
  item(): number {
    if (this.size !== 1) throw new ShapeError(`Tensor.item: needs exactly one element, shape is ${formatShape(this.shape)}`);
    return this._view('Tensor.item')[0]!;
  }

  /** A new tensor (owning its memory) with a copy of the elements. */
  clone(): Tensor {
    return this._copy('tensor');
  }

  /** @internal clone() for library code that holds the copy (a data loader): `kind` for accounting. */
  _copy(kind: MemoryKind): Tensor {
    this._check('Tensor.clone');
    const t = Tensor.owned(this.shape, kind);
    t._storage.f32(0, t.size).set(this._view('Tensor.clone'));
    return t;
  }

  /**
   * The same elements seen with another shape, sharing this tensor's memory (no copy): writes
   * through one show in the other. One dimension may be -1 (inferred). The view never frees the
   * memory and becomes unusable when this tensor is disposed or goes stale.
   */
  view(shape: readonly number[]): Tensor {
    return this._reshaped(shape, 'Tensor.view');
  }

  /** Same as view(): every tensor is contiguous, so reshaping never copies. */
  reshape(shape: readonly number[]): Tensor {
    return this._reshaped(shape, 'Tensor.reshape');
  }

  private _reshaped(shape: readonly number[], where: string): Tensor {
    this._check(where);
    const resolved = resolveShape(shape, this.size, this.shape, where);
    const v = new Tensor(this._storage, this._offset, resolved, this._owner ?? 'the tensor it is a view of');
    v._generation = this._generation;
    return v;
  }

  /**
   * @internal Rows [start, start + count) as a view sharing this tensor's memory (no copy). The
   * view never frees the memory, and is unusable once this tensor is disposed or goes stale.
   */
  _rows(start: number, count: number): Tensor {
    this._check('rows');
    const rows = this.shape[0] ?? 0;
    if (!Number.isInteger(start) || !Number.isInteger(count) || start < 0 || count < 0 || start + count > rows) {
      throw new ShapeError(`rows: [${start}, ${start + count}) is outside the ${rows} rows of ${formatShape(this.shape)}`);
    }
    const width = rows === 0 ? 0 : this.size / rows;
    const view = new Tensor(this._storage, this._offset + start * width, [count, ...this.shape.slice(1)], this._owner ?? 'the tensor it was sliced from');
    view._generation = this._generation;
    return view;
  }

  /**
   * @internal A live Float32Array over the elements, for library code. Use it immediately: it is
   * invalid (detached, length 0) after any allocation, because WASM memory may grow. Never hand
   * it to users; give them toFloat32Array().
   */
  _view(what = 'Tensor._view'): Float32Array {
    this._check(what);
    return this._storage.f32(this._offset, this.size);
  }

  /** Whether dispose() was called (or the owning module was disposed). */
  get isDisposed(): boolean {
    return this.disposedFlag || this._storage.isReleased;
  }

  /**
   * Frees the memory of a tensor made by from/zeros/full/clone now rather than at garbage
   * collection. On a module's output view (or a reshape) it only invalidates this view. Idempotent.
   */
  dispose(): void {
    if (this.disposedFlag) return;
    this.disposedFlag = true;
    if (this._owner === null) this._storage.release();
  }

  /** `using t = Tensor.zeros(...)` disposes it at the end of the block. */
  [disposeSymbol](): void {
    this.dispose();
  }

  /** `Tensor(shape=[…])`: the shape, not the values (read them with toArray()). */
  toString(): string {
    return `Tensor(shape=${formatShape(this.shape)})`;
  }

  /** @internal Throws if this tensor can no longer be used; `what` names the operation. */
  /**
   * @internal Whether `value` was made by this copy of the library. A Tensor of another copy (the
   * CommonJS build beside the ES module one, two bundled versions) points into another WASM
   * memory: its offsets read here would be silently wrong numbers.
   */
  static _isOwn(value: unknown): value is Tensor {
    return typeof value === 'object' && value !== null && #shape in value;
  }

  /**
   * @internal Whether _check() would pass, without a message: hot paths build theirs (a
   * template string per call) only when it fails.
   */
  _usable(): boolean {
    return !this.isDisposed && this._generation === this._storage.generation;
  }

  _check(what: string): void {
    if (this._usable()) return;
    if (this.isDisposed) throw new StateError(`${what}: the tensor ${formatShape(this.shape)} has been disposed`);
    if (this._generation !== this._storage.generation) {
      throw new StateError(
        `${what}: the tensor ${formatShape(this.shape)} is stale: ${this._owner ?? 'its owner'} has re-used its memory ` +
          `for a later call; call .clone() on results you want to keep`,
      );
    }
  }
}

// `.data` was a live view of WASM memory that went stale silently when memory grew. It is gone
// from the type; JavaScript code that still reads it gets this explanation instead of undefined.
Object.defineProperty(Tensor.prototype, 'data', {
  configurable: true,
  enumerable: false,
  get(this: Tensor): never {
    throw new StateError(
      `Tensor.data was removed: its live view of WASM memory went stale silently when memory grew. ` +
        `Read with t.toFloat32Array() (a copy you own), t.toArray() or t.item(); write with t.set(values, offset) or t.fill(value)`,
    );
  },
});
