/** Base class of every error wasmnn throws on purpose. */
export class WasmnnError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A tensor's shape does not fit the operation (the message names expected vs actual). */
export class ShapeError extends WasmnnError {}

/** A value is out of range or of the wrong kind: a hyper-parameter, an option, NaN, a label. */
export class ValueError extends WasmnnError {}

/** An object is used in a state that does not allow it: disposed, stale, backward before forward. */
export class StateError extends WasmnnError {}

/** WASM memory cannot grow to hold a requested allocation. */
export class OutOfMemoryError extends WasmnnError {}

/** Formats a shape as `[2, 3]` for messages. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
