/** Seeded tabular training with the given wasmnn module; returns the saved file, three predictions and the training accuracy. */
export function tabularRun(wasmnn: object): { file: Uint8Array; predictions: Array<string | number | boolean>; accuracy: number };
