/**
 * What a layer writes into a model file so that the file alone rebuilds it: a JSON value tree.
 * `{ type: 'Linear', args: [2, 8, { bias: true }] }` means `new Linear(2, 8, { bias: true })`,
 * the class found by its `typeName` in the layer registry (registerLayer).
 */

/** A value JSON can carry. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** The options object among a file's constructor arguments, or {} when it is absent or not an object (parameterCount's reading). */
export function optionsArg(value: JsonValue | undefined): { [key: string]: JsonValue } {
  return value && typeof value === 'object' && !Array.isArray(value) ? value : {};
}

/** A layer's constructor arguments, as returned by Module.toConfig(). */
export interface LayerConfig {
  args: JsonValue[];
}

/** One layer in a saved architecture: its registered type name and constructor arguments. */
export interface LayerSpec {
  type: string;
  args: JsonValue[];
}
