import { ShapeError, StateError, ValueError, formatShape } from './errors.js';
import { describe } from './check-values.js';
import { Tensor } from './tensor.js';

export * from './check-values.js';

/** Throws unless `t` is a usable Tensor; `what` names the argument. */
export function checkTensor(where: string, what: string, t: unknown): Tensor {
  if (!Tensor._isOwn(t)) {
    if (t && typeof t === 'object' && '_check' in t && 'shape' in t) {
      throw new ValueError(`${where}: ${what} is a Tensor of another copy of wasmnn (another WASM memory, e.g. the CommonJS build beside the ES module one); ` +
        'make it with this copy, or copy its values: Tensor.from(t.toFloat32Array(), t.shape)');
    }
    // Plain arrays and typed arrays are the usual mistake: say how to make a Tensor of them.
    const data = Array.isArray(t) || (ArrayBuffer.isView(t) && !(t instanceof DataView));
    const got = data && !Array.isArray(t) ? `a ${Object.prototype.toString.call(t).slice(8, -1)} of length ${(t as unknown as ArrayLike<unknown>).length}` : describe(t);
    throw new ValueError(`${where}: ${what} must be a Tensor, got ${got}${data ? '; make one with Tensor.from(data) (nested arrays, or flat values and a shape)' : ''}`);
  }
  const tensor = t as Tensor;
  if (!tensor._usable()) tensor._check(`${where}: ${what}`); // the message only when it fails
  return tensor;
}

/** Throws ShapeError unless `t` is 2-D with the given column count (any row count ≥ 1). */
export function check2d(where: string, what: string, t: Tensor, cols?: number): void {
  if (t.ndim !== 2 || t.shape[0] === 0 || (cols !== undefined && t.shape[1] !== cols)) {
    const want = cols === undefined ? '[batch, features]' : `[batch, ${cols}]`;
    throw new ShapeError(`${where}: ${what} must have shape ${want} with batch ≥ 1, got ${formatShape(t.shape)}`);
  }
}

/** Whether two shapes have the same dimensions (no allocation, unlike comparing join() strings). */
export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a === b) return true; // shapes are frozen arrays, often passed on as they are
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Throws ShapeError unless x has at least one row and y the same number of rows; returns it. */
export function checkRows(where: string, x: Tensor, y: Tensor): number {
  const n = x.shape[0] ?? 0;
  if (x.ndim < 1 || n === 0) throw new ShapeError(`${where}: x must have at least one row, got shape ${formatShape(x.shape)}`);
  if (y.shape[0] !== n) throw new ShapeError(`${where}: x has ${n} rows but y has ${y.shape[0] ?? 0}`);
  return n;
}

/** What a generator option must provide (a wasmnn Generator, or anything with the same methods). */
interface GeneratorLike {
  uniform(low?: number, high?: number): number;
  normal(mean?: number, std?: number): number;
}

/** Throws ValueError unless value is a Generator (checked by its methods, so copies from another bundle pass). */
export function checkGenerator<G extends GeneratorLike>(where: string, name: string, value: unknown): G {
  const g = value as Partial<GeneratorLike> | null;
  if (!g || typeof g !== 'object' || typeof g.uniform !== 'function' || typeof g.normal !== 'function') {
    throw new ValueError(`${where}: ${name} must be a Generator (new Generator(seed)), got ${describe(value)}`);
  }
  return value as G;
}

/**
 * Throws unless every value is a number that is finite **as float32** (so 1e39, which float64
 * calls finite but becomes Infinity in a Float32Array, is refused); `name` and the index are
 * named. With `nonNegative`, negative values are refused too.
 */
export function checkFloat32Values(where: string, name: string, values: ArrayLike<unknown>, nonNegative = false): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number' || !Number.isFinite(Math.fround(v))) {
      throw new ValueError(`${where}: ${name} has ${describe(v)} at index ${i}${typeof v === 'number' && Number.isFinite(v) ? ' (beyond the float32 range: it would become Infinity)' : ''}`);
    }
    if (nonNegative && v < 0) throw new ValueError(`${where}: ${name} must be ≥ 0 everywhere, has ${v} at index ${i}`);
  }
}

/** Throws StateError naming `what` when an object has been disposed. */
export function checkNotDisposed(disposed: boolean, where: string, what: string): void {
  if (disposed) throw new StateError(`${where}: ${what} has been disposed; create a new one`);
}

/**
 * Throws unless `gradOutput` is a usable Tensor with the shape of the last forward's output:
 * the one check every layer's backward makes before it accumulates anything.
 */
export function checkGradOutput(where: string, gradOutput: unknown, shape: readonly number[]): Tensor {
  const g = checkTensor(where, 'gradOutput', gradOutput);
  if (!sameShape(g.shape, shape)) {
    throw new ShapeError(`${where}: gradOutput must have the shape of the last output ${formatShape(shape)}, got ${formatShape(g.shape)}`);
  }
  return g;
}
