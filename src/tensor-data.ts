/**
 * User data on its way into a tensor: array-likes and nested arrays checked element by element
 * (numbers that float32 can hold) before anything is allocated or written.
 */
import { ShapeError, ValueError } from './errors.js';
import { MAX_ELEMENTS, checkShape } from './shape.js';

/** Nested number arrays: what Tensor.from accepts and toArray returns. */
export type NestedArray = number | NestedArray[];

/** Nested number arrays, read-only (`as const` data, `ReadonlyArray`s): Tensor.from only reads them. */
export type ReadonlyNestedArray = number | readonly ReadonlyNestedArray[];

/** Describes a value for messages without calling user code. */
const describe = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v);

/**
 * Throws unless `values` is array-like with a valid length and every element is a number that
 * float32 can hold: NaN and ±Infinity are kept as they are, a finite value beyond ±3.4e38 (which
 * float32 would silently turn into Infinity) is refused. Float32Array needs no element check.
 */
export function checkValues(values: unknown, where: string, name: string): ArrayLike<number> {
  if (values === null || typeof values !== 'object' || !('length' in values)) {
    throw new ValueError(`${where}: ${name} must be an array or typed array of numbers, got ${describe(values)}`);
  }
  const n: unknown = (values as { length: unknown }).length;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > MAX_ELEMENTS) {
    throw new ValueError(`${where}: ${name}.length must be an integer in [0, ${MAX_ELEMENTS}], got ${describe(n)}`);
  }
  if (values instanceof Float32Array) return values;
  const list = values as ArrayLike<unknown>;
  for (let i = 0; i < n; i++) {
    const v = list[i];
    if (typeof v !== 'number') throw new ValueError(`${where}: ${name}[${i}] is not a number (got ${describe(v)})`);
    if (Number.isFinite(v) && !Number.isFinite(Math.fround(v))) {
      throw new ValueError(`${where}: ${name}[${i}] = ${v} is beyond the float32 range (±3.4028235e38)`);
    }
  }
  return list as ArrayLike<number>;
}

/**
 * Deepest nesting Tensor.from follows: far beyond any real tensor's rank,
 * and short of a cyclic array (`a[0] = a`, an endless shape) or a recursion overflowing the stack.
 */
export const MAX_NESTING = 64;

/** Infers the shape of nested arrays and flattens them, checking they are rectangular numbers. */
export function flatten(data: NestedArray[], where: string): { shape: number[]; values: number[] } {
  const shape: number[] = [];
  let level: NestedArray = data;
  while (Array.isArray(level)) {
    if (shape.length === MAX_NESTING) {
      throw new ShapeError(`${where}: data is nested more than ${MAX_NESTING} arrays deep (Tensor.from reads at most ${MAX_NESTING} dimensions; is an array its own element?)`);
    }
    shape.push(level.length);
    level = level[0] as NestedArray;
    if (level === undefined) break;
  }
  checkShape(shape, where, 'data');
  const values: number[] = [];
  const walk = (node: NestedArray, depth: number, path: string): void => {
    if (depth === shape.length) {
      if (typeof node !== 'number') {
        throw new ValueError(`${where}: element ${path} is not a number (got ${describe(node)})`);
      }
      values.push(node);
      return;
    }
    if (!Array.isArray(node) || node.length !== shape[depth]) {
      const got = Array.isArray(node) ? `length ${node.length}` : describe(node);
      throw new ShapeError(`${where}: ragged data: ${path || 'the top level'} should be an array of length ${shape[depth]}, got ${got}`);
    }
    node.forEach((child, i) => walk(child, depth + 1, `${path}[${i}]`));
  };
  walk(data, 0, '');
  return { shape, values };
}

/** Throws unless `value` is a number float32 can hold (NaN and ±Infinity allowed). */
export function checkElement(value: unknown, where: string, name: string): void {
  if (typeof value !== 'number') throw new ValueError(`${where}: ${name} must be a number, got ${describe(value)}`);
  if (Number.isFinite(value) && !Number.isFinite(Math.fround(value))) {
    throw new ValueError(`${where}: ${name} = ${value} is beyond the float32 range (±3.4028235e38)`);
  }
}
