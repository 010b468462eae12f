/**
 * Shape arithmetic, in one place: the product of the dimensions, the text of a shape in messages,
 * the checks every public entry point applies to a shape it is given, and `-1` inference for
 * reshape. Nothing here touches memory.
 */
import { OutOfMemoryError, ShapeError } from './errors.js';

/**
 * The most float32 elements one tensor may have: WASM linear memory is at most 4 GiB, so no
 * tensor can need more than 2^30 four-byte elements.
 */
export const MAX_ELEMENTS = 2 ** 30;

/** Number of elements of a shape (1 for the scalar shape []). Assumes a checked shape. */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i]!;
  return n;
}

/** Formats a shape as `[2, 3]` for messages (any values, so it can show what was wrong). */
export function formatShape(shape: readonly unknown[]): string {
  if (!Array.isArray(shape)) return describeDimension(shape);
  return `[${shape.map(describeDimension).join(', ')}]`;
}

/** A dimension as text, for any value a caller may pass (never calls the value's own methods). */
function describeDimension(d: unknown): string {
  switch (typeof d) {
    case 'number':
    case 'boolean':
    case 'undefined':
      return String(d);
    case 'bigint':
      return `${d}n`;
    case 'string':
      return `'${d.length > 20 ? `${d.slice(0, 20)}…` : d}'`;
    default:
      return d === null ? 'null' : Array.isArray(d) ? 'an array' : typeof d;
  }
}

/**
 * Throws ShapeError unless `shape` is an array of integers ≥ 0, and OutOfMemoryError when its
 * product exceeds what WASM memory can hold (2^30 float32 elements). `where` is the call
 * ("Tensor.zeros"), `name` the argument ("shape"). Returns the element count.
 */
export function checkShape(shape: unknown, where: string, name = 'shape'): number {
  if (!Array.isArray(shape)) {
    throw new ShapeError(`${where}: ${name} must be an array of integers ≥ 0, got ${describeDimension(shape)}`);
  }
  let size = 1;
  for (let i = 0; i < shape.length; i++) {
    const d: unknown = shape[i];
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) {
      const got = typeof d === 'number' ? String(d) : `${typeof d} ${describeDimension(d)}`;
      throw new ShapeError(`${where}: ${name} ${formatShape(shape)} has an invalid dimension ${got} at index ${i} (need an integer ≥ 0)`);
    }
    size *= d;
  }
  if (size > MAX_ELEMENTS) {
    // A well-formed shape that no memory can hold: the documented OutOfMemoryError, raised
    // before anything is allocated.
    throw new OutOfMemoryError(
      `${where}: cannot allocate ${name} ${formatShape(shape)}: ${size} elements (${size * 4} bytes); ` +
        `WASM memory holds at most ${MAX_ELEMENTS} float32 elements (4 GiB)`,
    );
  }
  return size;
}

/**
 * The shape `target` resolves to for `size` elements: at most one dimension may be -1, which is
 * inferred. Throws ShapeError naming `where` when the shape is invalid or the counts differ.
 */
export function resolveShape(target: unknown, size: number, from: readonly number[], where: string): number[] {
  if (!Array.isArray(target)) {
    throw new ShapeError(`${where}: shape must be an array of integers, got ${target === null ? 'null' : typeof target}`);
  }
  const inferAt = target.indexOf(-1);
  if (inferAt >= 0 && target.indexOf(-1, inferAt + 1) >= 0) {
    throw new ShapeError(`${where}: shape ${formatShape(target)} has more than one -1 dimension`);
  }
  const known = target.map((d, i) => (i === inferAt ? 1 : d) as number);
  const knownSize = checkShape(known, where);
  const shape = [...known];
  if (inferAt >= 0) {
    if (knownSize === 0 || size % knownSize !== 0) {
      throw new ShapeError(`${where}: cannot view ${formatShape(from)} (${size} elements) as ${formatShape(target)}`);
    }
    shape[inferAt] = size / knownSize;
  } else if (knownSize !== size) {
    throw new ShapeError(`${where}: cannot view ${formatShape(from)} (${size} elements) as ${formatShape(target)} (${knownSize} elements)`);
  }
  return shape;
}
