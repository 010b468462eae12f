/** Trains a seeded network for 200 steps with the given wasmnn module; returns the parameter bytes. */
export function determinismRun(wasmnn: object): Uint8Array;
