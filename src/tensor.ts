import { Storage } from './backend/storage.js';
import { ShapeError, StateError, ValueError, formatShape } from './errors.js';

/** Nested number arrays: what Tensor.from accepts and toArray returns. */
export type NestedArray = number | NestedArray[];

/** Data accepted by Tensor.from. */
export type TensorData = number[] | number[][] | NestedArray[] | Float32Array | ArrayLike<number>;

function checkShape(shape: readonly number[], where: string): void {
  if (!Array.isArray(shape)) throw new ShapeError(`${where}: shape must be an array of integers, got ${typeof shape}`);
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new ShapeError(`${where}: shape ${formatShape(shape)} has an invalid dimension ${String(d)} (need integers ≥ 0)`);
    }
  }
}

const product = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** Infers the shape of nested arrays and flattens them, checking they are rectangular numbers. */
function flatten(data: NestedArray[], where: string): { shape: number[]; values: number[] } {
  const shape: number[] = [];
  let level: NestedArray = data;
  while (Array.isArray(level)) {
    shape.push(level.length);
    level = level[0] as NestedArray;
    if (level === undefined) break;
  }
  const values: number[] = [];
  const walk = (node: NestedArray, depth: number, path: string): void => {
    if (depth === shape.length) {
      if (typeof node !== 'number') {
        throw new ValueError(`${where}: element ${path} is not a number (got ${typeof node})`);
      }
      values.push(node);
      return;
    }
    if (!Array.isArray(node) || node.length !== shape[depth]) {
      const got = Array.isArray(node) ? `length ${node.length}` : typeof node;
      throw new ShapeError(`${where}: ragged data: ${path || 'the top level'} should be an array of length ${shape[depth]}, got ${got}`);
    }
    node.forEach((child, i) => walk(child, depth + 1, `${path}[${i}]`));
  };
  walk(data, 0, '');
  return { shape, values };
}

/**
 * A float32 row-major array with a shape, stored in WASM memory.
 *
 * Tensors made by Tensor.from / zeros / full / clone own their memory: `dispose()` frees it now,
 * otherwise it is freed after the tensor is garbage-collected. Tensors returned by a module's
 * forward/backward or a loss's backward are views of that module's workspace: they stay valid
 * until the module runs again, after which using them throws (call `.clone()` to keep one).
 */
export class Tensor {
  /** The dimensions, outermost first. */
  readonly shape: readonly number[];
  /** Number of elements (the product of the shape). */
  readonly size: number;
  /** @internal */ _storage: Storage;
  /** @internal Element offset into the storage. */ _offset: number;
  /** @internal The storage generation this tensor was made for. */ _generation: number;
  /** @internal Who owns the storage when it is not this tensor (for messages). */ _owner: string | null;
  private disposedFlag = false;

  /**
   * @internal Use Tensor.from / zeros / full; modules make views through Workspace. A frozen
   * `shape` is used as is (workspaces pass the same frozen array on every call).
   */
  constructor(storage: Storage, offset: number, shape: readonly number[], owner: string | null) {
    this._storage = storage;
    this._offset = offset;
    this.shape = Object.isFrozen(shape) ? shape : Object.freeze([...shape]);
    this.size = product(this.shape);
    this._generation = storage.generation;
    this._owner = owner;
  }

  /**
   * Copies data into a new tensor. Nested arrays give their own shape (`[[1, 2], [3, 4]]` is
   * [2, 2]); flat data takes `shape` (default: one dimension).
   */
  static from(data: TensorData, shape?: readonly number[]): Tensor {
    let values: ArrayLike<number>;
    let inferred: number[];
    if (Array.isArray(data) && data.some((d) => Array.isArray(d))) {
      ({ shape: inferred, values } = flatten(data as NestedArray[], 'Tensor.from'));
    } else if (Array.isArray(data) || ArrayBuffer.isView(data) || (data && typeof data === 'object' && 'length' in data)) {
      values = data as ArrayLike<number>;
      inferred = [values.length];
      if (Array.isArray(data)) {
        const bad = data.findIndex((v) => typeof v !== 'number');
        if (bad >= 0) throw new ValueError(`Tensor.from: element [${bad}] is not a number (got ${typeof data[bad]})`);
      }
    } else {
      throw new ValueError(`Tensor.from: expected an array, nested arrays or a Float32Array, got ${data === null ? 'null' : typeof data}`);
    }
    const finalShape = shape ?? inferred;
    checkShape(finalShape, 'Tensor.from');
    if (product(finalShape) !== values.length) {
      throw new ShapeError(`Tensor.from: shape ${formatShape(finalShape)} needs ${product(finalShape)} elements, the data has ${values.length}`);
    }
    const t = Tensor.owned(finalShape);
    t._storage.f32(0, t.size).set(values);
    return t;
  }

  /** A new tensor of zeros. */
  static zeros(shape: readonly number[]): Tensor {
    return Tensor.full(shape, 0);
  }

  /** A new tensor with every element equal to `value`. */
  static full(shape: readonly number[], value: number): Tensor {
    checkShape(shape, 'Tensor.full');
    if (typeof value !== 'number') throw new ValueError(`Tensor.full: value must be a number, got ${typeof value}`);
    const t = Tensor.owned(shape);
    t._storage.f32(0, t.size).fill(value);
    return t;
  }

  /** @internal A tensor that owns fresh (uninitialised) storage. */
  static owned(shape: readonly number[]): Tensor {
    return new Tensor(new Storage(Math.max(product(shape), 1)), 0, shape, null);
  }

  /** Number of dimensions. */
  get ndim(): number {
    return this.shape.length;
  }

  /**
   * A Float32Array view of the elements. Reads and writes go to WASM memory. The view is made
   * fresh on each access: don't keep it across calls that may allocate (memory growth detaches
   * old views); read `.data` again instead.
   */
  get data(): Float32Array {
    this._check('data');
    return this._storage.f32(this._offset, this.size);
  }

  /** The elements as nested arrays of numbers, following the shape. */
  toArray(): NestedArray {
    const flat = Array.from(this.data);
    if (this.shape.length === 0) return flat[0]!;
    const build = (dim: number, offset: number): NestedArray[] => {
      const len = this.shape[dim]!;
      const stride = product(this.shape.slice(dim + 1));
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
    return this.data[0]!;
  }

  /** A new tensor (owning its memory) with a copy of the elements. */
  clone(): Tensor {
    const t = Tensor.owned(this.shape);
    t._storage.f32(0, t.size).set(this.data);
    return t;
  }

  /**
   * @internal Rows [start, start + count) as a view sharing this tensor's memory (no copy). The
   * view never frees the memory, and is unusable once this tensor is disposed or goes stale.
   */
  _rows(start: number, count: number): Tensor {
    const width = this.size / this.shape[0]!;
    const view = new Tensor(this._storage, this._offset + start * width, [count, ...this.shape.slice(1)], this._owner ?? 'the tensor it was sliced from');
    view._generation = this._generation;
    return view;
  }

  /** Whether dispose() was called (or the owning module was disposed). */
  get isDisposed(): boolean {
    return this.disposedFlag || this._storage.isReleased;
  }

  /**
   * Frees the memory of a tensor made by from/zeros/full/clone now rather than at garbage
   * collection. On a module's output view it only invalidates this view. Idempotent.
   */
  dispose(): void {
    if (this.disposedFlag) return;
    this.disposedFlag = true;
    if (this._owner === null) this._storage.release();
  }

  toString(): string {
    return `Tensor(shape=${formatShape(this.shape)})`;
  }

  /** @internal Throws if this tensor can no longer be used; `what` names the operation. */
  _check(what: string): void {
    if (this.isDisposed) throw new StateError(`${what}: the tensor ${formatShape(this.shape)} has been disposed`);
    if (this._generation !== this._storage.generation) {
      throw new StateError(
        `${what}: the tensor ${formatShape(this.shape)} is stale: ${this._owner ?? 'its owner'} has re-used its memory ` +
          `for a later call; call .clone() on results you want to keep`,
      );
    }
  }
}
