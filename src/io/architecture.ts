/**
 * A model's architecture as JSON in the safetensors `__metadata__` ("architecture"): the tree of
 * `{ type, args }` from each layer's toConfig(), and the way back through the layer registry.
 * The text comes from a file, so it is treated as hostile: bounded size, depth and count, every
 * type registered, and the parameter count compared with the file before anything is allocated.
 */
import { ValueError, WasmnnError } from '../errors.js';
import type { JsonValue, LayerSpec } from '../nn/config.js';
import type { Module } from '../nn/module.js';
import { layerClass, registeredLayers } from '../nn/registry.js';
import { parseStrictJson } from './strict-json.js';

/** Limits on an architecture read from a file. */
export const ARCHITECTURE_LIMITS = { maxChars: 1 << 20, maxDepth: 32, maxValues: 100_000, maxLayers: 10_000 } as const;

/** Describes `model` as `{ type, args }`; throws if a layer cannot be rebuilt from its file. */
export function describeArchitecture(model: Module): LayerSpec {
  checkRegistered(model, 'model');
  const spec: LayerSpec = { type: model.typeName, args: model.toConfig().args };
  checkJson(spec, 'architecture', 0, { values: 0 });
  return spec;
}

/** Every module of the tree must be registered under its typeName as exactly its class. */
function checkRegistered(module: Module, path: string): void {
  const cls = layerClass(module.typeName);
  if (cls !== module.constructor) {
    throw new ValueError(`saveModel: ${path} is a ${module.typeName} whose class is not registered under that name, so its file could not be loaded; ` +
      `give the class its own static typeName and call registerLayer(${module.typeName}), or pass { architecture: false }`);
  }
  for (const [name, child] of module.namedChildren()) checkRegistered(child, `${path}.${name}`);
}

/** Checks that `value` is plain JSON (finite numbers) within the depth and size limits. */
function checkJson(value: unknown, path: string, depth: number, budget: { values: number }): void {
  if (++budget.values > ARCHITECTURE_LIMITS.maxValues) throw new ValueError(`architecture: more than ${ARCHITECTURE_LIMITS.maxValues} values`);
  if (depth > ARCHITECTURE_LIMITS.maxDepth) throw new ValueError(`architecture: nested deeper than ${ARCHITECTURE_LIMITS.maxDepth} levels at ${path}`);
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new ValueError(`architecture: ${path} is ${value}, not a finite number`);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => checkJson(v, `${path}[${i}]`, depth + 1, budget));
    return;
  }
  const proto: unknown = typeof value === 'object' ? Object.getPrototypeOf(value) : undefined;
  if (typeof value === 'object' && (proto === Object.prototype || proto === null)) {
    for (const [k, v] of Object.entries(value)) checkJson(v, `${path}.${k}`, depth + 1, budget);
    return;
  }
  throw new ValueError(`architecture: ${path} is a ${typeof value}, not a JSON value`);
}

/** Parses and checks an architecture from a file's metadata. */
export function parseArchitecture(text: string): LayerSpec {
  if (typeof text !== 'string') throw new ValueError(`architecture: expected a JSON string, got ${typeof text}`);
  if (text.length > ARCHITECTURE_LIMITS.maxChars) throw new ValueError(`architecture: ${text.length} characters, more than ${ARCHITECTURE_LIMITS.maxChars}`);
  // Strictly: JSON.parse would keep the last of two "type" keys silently (another layer).
  const parsed: unknown = parseStrictJson('architecture', text, ARCHITECTURE_LIMITS.maxDepth);
  checkJson(parsed, 'architecture', 0, { values: 0 });
  return checkSpec(parsed, 'architecture', { layers: 0 });
}

/** A `{ type, args }` node whose type is registered. */
function checkSpec(value: unknown, path: string, budget: { layers: number }): LayerSpec {
  if (++budget.layers > ARCHITECTURE_LIMITS.maxLayers) throw new ValueError(`architecture: more than ${ARCHITECTURE_LIMITS.maxLayers} layers`);
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new ValueError(`architecture: ${path} must be { type, args }, got ${JSON.stringify(value)?.slice(0, 80)}`);
  const { type, args, ...rest } = value as Record<string, unknown>;
  const extra = Object.keys(rest);
  if (extra.length) throw new ValueError(`architecture: ${path} has unexpected key '${extra[0]}' (expected type and args)`);
  if (typeof type !== 'string') throw new ValueError(`architecture: ${path}.type must be a string, got ${JSON.stringify(type)}`);
  if (!layerClass(type)) {
    throw new ValueError(`architecture: ${path} is an unknown layer type '${type.slice(0, 80)}'; registered: ${registeredLayers().join(', ')} (a custom layer must be registered with registerLayer before loading)`);
  }
  if (!Array.isArray(args)) throw new ValueError(`architecture: ${path}.args must be an array, got ${JSON.stringify(args)?.slice(0, 80)}`);
  return { type, args: args as JsonValue[] };
}

/**
 * Builds the model an architecture describes. `parameters` is the number of values the file
 * holds: when the classes can count their parameters from the arguments (every built-in can),
 * a mismatch is refused before anything is allocated. On any error nothing stays allocated.
 */
export function buildArchitecture(spec: LayerSpec, parameters: number): Module {
  const budget = { layers: 0 };
  const count = (s: LayerSpec, path: string): number | undefined => {
    const node = checkSpec(s, path, budget);
    let i = 0;
    return layerClass(node.type)!.parameterCount(node.args, (child) => count(child, `${path}.args[${i++}]`));
  };
  const expected = count(spec, 'architecture');
  if (expected !== undefined && expected !== parameters) {
    throw new ValueError(`loadModel: the architecture needs ${expected} parameter values but the file holds ${parameters}`);
  }
  budget.layers = 0;
  const build = (s: LayerSpec, path: string): Module => {
    const node = checkSpec(s, path, budget);
    let i = 0;
    try {
      const module = layerClass(node.type)!.fromConfig(node.args, (child) => build(child, `${path}.args[${i++}]`));
      // An argument the class does not take would be dropped silently: the model would not be
      // the one the file describes. toConfig() gives every argument the class takes.
      const taken = module.toConfig().args.length;
      if (node.args.length > taken) {
        module.dispose();
        throw new ValueError(`loadModel: ${path} (${node.type}) has ${node.args.length} arguments, but a ${node.type} takes at most ${taken}; ` +
          `extra argument ${JSON.stringify(node.args[taken]).slice(0, 80)} would be ignored`);
      }
      return module;
    } catch (e) {
      if (e instanceof WasmnnError) throw e;
      throw new ValueError(`loadModel: ${path} (${node.type}) could not be built from args ${JSON.stringify(node.args).slice(0, 120)}: ${(e as Error).message}`);
    }
  };
  return build(spec, 'architecture');
}
