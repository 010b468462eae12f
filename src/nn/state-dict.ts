/**
 * The state dict's types and the check Module.loadStateDict runs before it writes anything:
 * names, shapes, value counts, float32 range, integer buffers and lower bounds, each error naming
 * the key. Kept apart from module.ts because it is the one part of Module that reads untrusted
 * input (a file or a converted PyTorch state).
 */
import type { Tensor } from '../tensor.js';
import { checkChoice, checkFloat32Values, checkNumber, checkTensor, describe, sameShape } from '../validate.js';
import { ShapeError, ValueError, formatShape } from '../errors.js';

/** Element type a tensor is saved with: F32, or I64 for integer counters (torch's int64). */
export type StateDtype = 'F32' | 'I64';

/** Largest integer an I64 buffer holds exactly: it lives in float32 memory, exact up to 2^24. */
export const MAX_I64_BUFFER = 2 ** 24;

/** One entry of a state dict: a copy of a parameter or buffer. */
export interface StateEntry {
  shape: number[];
  data: Float32Array;
  /** 'I64' for integer buffers such as BatchNorm's num_batches_tracked; absent means F32. */
  dtype?: StateDtype;
}

/** What loadStateDict accepts per key: stateDict()'s entries, or anything array-like of that shape. */
export type StateDictInput = Record<string, { shape?: readonly number[]; data: ArrayLike<number>; dtype?: string }>;

/** One parameter or buffer of a module tree: dotted name, tensor, kind, saved dtype, smallest value a load may hold. */
export type NamedStateItem = [string, Tensor, 'parameter' | 'buffer', StateDtype, number | undefined];

/** What loadStateDict reports, as torch's `_IncompatibleKeys`: the module's keys the dict lacks, and the dict's keys the module lacks. */
export interface IncompatibleKeys {
  missingKeys: string[];
  unexpectedKeys: string[];
}

/**
 * Throws (naming `where` and the key) unless every entry of `dict` that names an item of `state`
 * has the tensor's shape and value count, finite float32 values (integers for I64 buffers) and no
 * value under the buffer's minimum; with `strict`, also unless `dict` holds exactly the names of
 * `state` (torch's strict load). Returns the missing and unexpected keys. Changes nothing.
 */
export function checkStateDict(where: string, state: readonly NamedStateItem[], dict: StateDictInput, strict = true): IncompatibleKeys {
  if (!dict || typeof dict !== 'object' || Array.isArray(dict)) throw new ValueError(`${where}: expected an object of named tensors, got ${describe(dict)}`);
  const names = new Set(state.map(([n]) => n));
  const missing = state.filter(([n]) => !Object.hasOwn(dict, n)).map(([n]) => n);
  const unexpected = Object.keys(dict).filter((k) => !names.has(k));
  if (strict && (missing.length || unexpected.length)) {
    throw new ValueError(`${where}: ${missing.length ? `missing keys ${missing.map((k) => `'${k}'`).join(', ')}` : ''}` +
      `${missing.length && unexpected.length ? '; ' : ''}${unexpected.length ? `unexpected keys ${unexpected.map((k) => `'${k}'`).join(', ')}` : ''}` +
      ' (loadStateDict(dict, { strict: false }) loads the keys both have, as torch\'s strict=False)');
  }
  for (const [name, p, , dtype, min] of state) {
    if (!Object.hasOwn(dict, name)) continue; // missing, with strict false
    p._check(`${where}: the module's '${name}'`); // a tensor disposed by hand: refused before any other is written
    const entry = dict[name]!;
    // A Tensor's .data getter throws a message about views that does not say what to pass.
    if (entry && typeof entry === 'object' && '_check' in entry && 'shape' in entry) {
      throw new ValueError(`${where}: '${name}' is a Tensor; pass { shape: t.shape, data: t.toFloat32Array() } (what stateDict() gives)`);
    }
    if (!entry || typeof entry !== 'object' || !entry.data || typeof entry.data !== 'object' || typeof entry.data.length !== 'number') {
      throw new ValueError(`${where}: '${name}' must be { shape, data } with array data, got ${describe(entry)}`);
    }
    if (entry.shape !== undefined && !Array.isArray(entry.shape)) {
      throw new ShapeError(`${where}: '${name}' has a shape that is not an array: ${describe(entry.shape)}`);
    }
    if (entry.shape && !sameShape(entry.shape, p.shape)) {
      throw new ShapeError(`${where}: '${name}' has shape ${formatShape(entry.shape)}, the module expects ${formatShape(p.shape)}`);
    }
    if (entry.data.length !== p.size) throw new ShapeError(`${where}: '${name}' has ${entry.data.length} values, the module expects ${p.size} ${formatShape(p.shape)}`);
    if (dtype === 'I64') {
      for (let i = 0; i < entry.data.length; i++) {
        const v = entry.data[i];
        if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new ValueError(`${where}: '${name}' has ${describe(v)} at index ${i} (expected an integer)`);
        // The buffer lives in float32: 2^24 + 1 would silently load (and save again) as 2^24.
        if (Math.abs(v) > MAX_I64_BUFFER) {
          throw new ValueError(`${where}: '${name}' has ${v} at index ${i}; wasmnn holds this int64 buffer in float32, exact only for |v| ≤ 2^24 (${MAX_I64_BUFFER})`);
        }
      }
    } else {
      checkFloat32Values(where, `'${name}'`, entry.data); // in float32: 1e39 would become Infinity
    }
    if (min !== undefined) {
      for (let i = 0; i < entry.data.length; i++) {
        if ((entry.data[i] as number) < min) throw new ValueError(`${where}: '${name}' has ${String(entry.data[i])} at index ${i}; it must be ≥ ${min}`);
      }
    }
  }
  return { missingKeys: missing, unexpectedKeys: unexpected };
}

/**
 * Throws ValueError unless `name` can name a new parameter, buffer or child of a module (as
 * torch's register_buffer / register_parameter / add_module): a non-empty string without '.'
 * (state-dict keys join names with dots, so 'a.b' would collide with child 'a''s 'b'), not
 * '__proto__' (it vanishes from a state-dict object), and not already a name of this module
 * (two entries under one key: the state dict keeps one, and loading it back fails).
 */
export function checkStateName(where: string, what: string, name: unknown, taken: readonly string[]): string {
  if (typeof name !== 'string' || name === '') throw new ValueError(`${where}: a ${what} name must be a non-empty string, got ${describe(name)}`);
  if (name.includes('.')) throw new ValueError(`${where}: ${what} name '${name}' cannot contain '.' (state-dict keys join names with dots)`);
  if (name === '__proto__') throw new ValueError(`${where}: ${what} name '__proto__' is reserved (it cannot be a state-dict key)`);
  if (taken.includes(name)) throw new ValueError(`${where}: this module already has a parameter, buffer or child named '${name}'`);
  return name;
}

/**
 * Throws unless a buffer can be registered: a usable Tensor of this copy of the library, a dtype
 * 'F32' or 'I64' (whose values must then be integers float32 holds exactly, |v| ≤ 2^24, or the
 * file would hold another number), and values ≥ `min` when given (loadStateDict enforces it).
 */
export function checkBufferRegistration(where: string, name: string, tensor: unknown, dtype: unknown, min: unknown): void {
  const t = checkTensor(where, `buffer '${name}'`, tensor);
  checkChoice(where, `the dtype of buffer '${name}'`, dtype, ['F32', 'I64']);
  if (min !== undefined) checkNumber(where, `the min of buffer '${name}'`, min);
  const values = t.toFloat32Array();
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (dtype === 'I64' && !(Number.isInteger(v) && Math.abs(v) <= MAX_I64_BUFFER)) {
      throw new ValueError(`${where}: I64 buffer '${name}' has ${v} at index ${i}; an I64 buffer holds integers in [-2^24, 2^24]`);
    }
    if (min !== undefined && v < (min as number)) throw new ValueError(`${where}: buffer '${name}' has ${v} at index ${i}, below its min ${String(min)}`);
  }
}
