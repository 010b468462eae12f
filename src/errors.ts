/** Base class of every error wasmnn throws on purpose. */
export class WasmnnError extends Error {
  /** The class's own name, written out so that minified bundles keep it. */
  static readonly errorName: string = 'WasmnnError';
  constructor(message: string) {
    super(message);
    this.name = (new.target as typeof WasmnnError).errorName;
  }
}

/** A tensor's shape does not fit the operation (the message names expected vs actual). */
export class ShapeError extends WasmnnError {
  static override readonly errorName: string = 'ShapeError';
}

/** A value is out of range or of the wrong kind: a hyper-parameter, an option, NaN, a label. */
export class ValueError extends WasmnnError {
  static override readonly errorName: string = 'ValueError';
}

/** An object is used in a state that does not allow it: disposed, stale, backward before forward. */
export class StateError extends WasmnnError {
  static override readonly errorName: string = 'StateError';
}

/** Where the non-finite value behind a NonFiniteLossError was found. */
export type NonFiniteSource = 'prediction' | 'target' | 'overflow';

/**
 * A loss came out NaN or ±Infinity (training diverged, or the data holds NaN/Infinity). Thrown by
 * every Loss's forward(); `source` says where the first non-finite value is (`'overflow'`: every
 * input is finite but the sum overflowed float32), `index` its flat index (-1 for overflow) and
 * `value` the loss itself. A ValueError, so code catching ValueError still catches it.
 */
export class NonFiniteLossError extends ValueError {
  static override readonly errorName: string = 'NonFiniteLossError';
  constructor(
    message: string,
    /** The non-finite loss (NaN, Infinity or -Infinity). */
    readonly value: number,
    /** Which input holds the first non-finite value, or 'overflow'. */
    readonly source: NonFiniteSource,
    /** Flat index of that value in `source`, or -1. */
    readonly index: number,
  ) {
    super(message);
  }
}

/** WASM memory cannot grow to hold a requested allocation. */
export class OutOfMemoryError extends WasmnnError {
  static override readonly errorName: string = 'OutOfMemoryError';
}

/**
 * Runs `allocate`; an OutOfMemoryError from it is re-thrown with `owner` (the layer, loss or
 * loader that asked, e.g. "Conv2d(1, 6).forward") in front of its message, so the error names
 * who needed the memory and not only the kind of owner. Other errors pass unchanged.
 */
export function namingOwner<T>(owner: string, allocate: () => T): T {
  try {
    return allocate();
  } catch (e) {
    if (e instanceof OutOfMemoryError && owner && !e.message.startsWith(`${owner}: `)) throw new OutOfMemoryError(`${owner}: ${e.message}`);
    throw e;
  }
}

/**
 * Formats a shape as `[2, 3]` for messages. Lives in shape.ts (with the rest of the shape
 * arithmetic); re-exported here for code written before it moved.
 */
export { formatShape } from './shape.js';
