/**
 * Model files: safetensors bytes holding the parameters under PyTorch's names ("0.weight", …),
 * so torch loads them, plus, in `__metadata__`, the architecture (see architecture.ts) so that
 * loadModel(bytes) rebuilds the model without code, and any metadata of the caller's (a
 * TabularModel stores its preprocessing there).
 */
import { ValueError } from '../errors.js';
import { checkModule, type Module } from '../nn/module.js';
import { checkBoolean, checkOptions, describe } from '../validate.js';
import { buildArchitecture, describeArchitecture, parseArchitecture } from './architecture.js';
import { decodeSafetensors, encodeSafetensors } from './safetensors.js';

/** Options of saveModel. */
export interface SaveModelOptions {
  /** Write the layer structure so that loadModel(bytes) rebuilds the model. Default true. */
  architecture?: boolean;
  /** More `__metadata__` entries (string values; the keys format, producer and architecture are reserved). */
  metadata?: Record<string, string>;
}

const RESERVED = ['format', 'producer', 'architecture'];

/**
 * A model as safetensors bytes: its parameters under PyTorch's names and, unless
 * `{ architecture: false }`, its architecture. Every layer must implement toConfig() and be
 * registered (the built-ins are); otherwise this throws and says so.
 */
export function saveModel(model: Module, options: SaveModelOptions = {}): Uint8Array {
  checkModule('saveModel', model);
  checkOptions('saveModel', options, ['architecture', 'metadata']);
  const architecture = checkBoolean('saveModel', 'architecture', options.architecture ?? true);
  const extra: unknown = options.metadata ?? {};
  if (typeof extra !== 'object' || extra === null || Array.isArray(extra)) {
    throw new ValueError(`saveModel: metadata must be an object of strings, got ${describe(extra)}`);
  }
  // Every entry is checked before the architecture is described (which asks every layer).
  const entries = Object.entries(extra);
  for (const [key, value] of entries) {
    if (RESERVED.includes(key) || key === '__proto__') throw new ValueError(`saveModel: metadata key '${key}' is reserved`);
    if (typeof value !== 'string') throw new ValueError(`saveModel: metadata.${key} must be a string, got ${describe(value)}`);
  }
  const metadata: Record<string, string> = { format: 'pt', producer: 'wasmnn' };
  if (architecture) metadata.architecture = JSON.stringify(describeArchitecture(model));
  for (const [key, value] of entries) metadata[key] = value as string;
  return encodeSafetensors(model.stateDict(), metadata);
}

/**
 * `loadModel(bytes)` rebuilds the model a file describes (its architecture metadata, its
 * weights) and returns it; `loadModel(model, bytes)` loads the weights into an existing model.
 * Either way everything is checked first: on any problem it throws a WasmnnError, an existing
 * model is unchanged and nothing newly built stays allocated.
 */
export function loadModel(bytes: Uint8Array): Module;
export function loadModel(model: Module, bytes: Uint8Array): void;
export function loadModel(modelOrBytes: Module | Uint8Array, maybeBytes?: Uint8Array): Module | void {
  if (modelOrBytes instanceof Uint8Array) return readModelFile(modelOrBytes).model;
  if (!modelOrBytes || typeof (modelOrBytes as Module).loadStateDict !== 'function') {
    throw new ValueError(`loadModel: expected (bytes) or (model, bytes), got a ${modelOrBytes === null ? 'null' : typeof modelOrBytes} first`);
  }
  modelOrBytes.loadStateDict(decodeSafetensors(maybeBytes as Uint8Array).tensors);
}

/** A model rebuilt from a file, with the file's metadata (strings). */
export function readModelFile(bytes: Uint8Array): { model: Module; metadata: Record<string, string> } {
  const { tensors, metadata } = decodeSafetensors(bytes);
  if (metadata.architecture === undefined) {
    throw new ValueError('loadModel: the file has no architecture metadata (saved with { architecture: false } or by another program); ' +
      'build the model in code and call loadModel(model, bytes)');
  }
  const spec = parseArchitecture(metadata.architecture);
  const values = Object.values(tensors).reduce((n, t) => n + t.data.length, 0);
  const model = buildArchitecture(spec, values);
  try {
    model.loadStateDict(tensors);
  } catch (e) {
    model.dispose();
    throw e;
  }
  return { model, metadata };
}
