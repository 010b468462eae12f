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

/**
 * A loss became NaN or infinite: training diverged (learning rate too high, exploding values).
 * `fit` rethrows it with the epoch and batch in the message; catch it by class, not by message.
 */
export class NonFiniteLossError extends ValueError {
  static override readonly errorName: string = 'NonFiniteLossError';
}

/** An object is used in a state that does not allow it: disposed, stale, backward before forward. */
export class StateError extends WasmnnError {
  static override readonly errorName: string = 'StateError';
}

/** WASM memory cannot grow to hold a requested allocation. */
export class OutOfMemoryError extends WasmnnError {
  static override readonly errorName: string = 'OutOfMemoryError';
}

/**
 * Formats a shape as `[2, 3]` for messages. Lives in shape.ts (with the rest of the shape
 * arithmetic); re-exported here for code written before it moved.
 */
export { formatShape } from './shape.js';
