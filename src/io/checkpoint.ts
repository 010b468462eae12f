/**
 * Saving and loading models and optimizer state as bytes (Uint8Array): safetensors for models
 * (loadable by PyTorch's safetensors.torch.load_file + load_state_dict for an equivalent
 * torch.nn.Sequential), a safetensors checkpoint for model + optimizer (exact resume), and JSON
 * for humans. Bytes work alike in Node (fs) and browsers (download, IndexedDB).
 *
 * Every loader treats its input as untrusted: counts and sizes are checked against the file
 * itself before anything is allocated, values are checked as float32, and the model (and the
 * optimizer) change only after everything was found valid.
 */
import { ValueError, formatShape } from '../errors.js';
import { Module, checkModule } from '../nn/module.js';
import { Optimizer, type OptimizerStateDict } from '../optim/optimizer.js';
import { describe } from '../validate.js';
import { decodeSafetensors, encodeSafetensors, type DecodedArray, type NamedArray } from './safetensors.js';
import { parseStrictJson } from './strict-json.js';


/** Throws ValueError unless `optimizer` is an Optimizer. */
function checkOptimizer(where: string, optimizer: unknown): void {
  if (!(optimizer instanceof Optimizer)) throw new ValueError(`${where}: optimizer must be an Optimizer, got ${describe(optimizer)}`);
}

/** A model's parameters as JSON: {"0.weight": {"shape": [8, 2], "data": [...]}, …}. */
export function modelToJSON(model: Module): string {
  checkModule('modelToJSON', model);
  const dict = model.stateDict();
  return JSON.stringify(Object.fromEntries(Object.entries(dict).map(([k, v]) => [k, { shape: v.shape, data: Array.from(v.data) }])));
}

/**
 * Loads parameters from modelToJSON() text; checked like loadModel, and strictly: duplicate keys,
 * '__proto__', and numbers that are not float32 (1e39 would become Infinity) are refused, naming the key.
 */
export function modelFromJSON(model: Module, json: string): void {
  const w = 'modelFromJSON';
  checkModule(w, model);
  if (typeof json !== 'string') throw new ValueError(`${w}: expected a string, got ${json === null ? 'null' : typeof json}`);
  const parsed = parseStrictJson(w, json);
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ValueError(`${w}: expected an object of named tensors`);
  for (const [key, entry] of Object.entries(parsed)) {
    const data = entry && typeof entry === 'object' && !Array.isArray(entry) ? entry.data : undefined;
    if (!Array.isArray(data)) throw new ValueError(`${w}: '${key}' must be { shape, data } with an array of numbers as data`);
    data.forEach((v, i) => {
      if (typeof v !== 'number' || !Number.isFinite(Math.fround(v))) {
        throw new ValueError(`${w}: '${key}' has ${JSON.stringify(v)} at index ${i}, which is not a finite float32`);
      }
    });
  }
  model.loadStateDict(parsed as unknown as Record<string, NamedArray>);
}

const MODEL = 'model.';
const OPTIM = 'optimizer.';
/** `optimizer.<parameter index>.<buffer name>`. */
const OPTIM_KEY = /^optimizer\.(0|[1-9]\d{0,8})\.([A-Za-z_][A-Za-z0-9_]*)$/;
/** State buffers that hold sums of squares: a negative value in a file is corruption. */
const NON_NEGATIVE_STATE = new Set(['expAvgSq', 'maxExpAvgSq', 'squareAvg', 'sum']);

/**
 * Throws ValueError unless every parameter the optimizer updates is one of the model's: a pair
 * of another model's optimizer was saved (and loaded) silently, its state matching none of the
 * weights beside it in the file.
 */
function checkPair(where: string, model: Module, optimizer: Optimizer): void {
  const own = new Set(model.parameters());
  const i = optimizer.params.findIndex((p) => !own.has(p));
  if (i >= 0) {
    throw new ValueError(`${where}: the optimizer's parameter ${i} ${formatShape(optimizer.params[i]!.shape)} is not one of this model's parameters ` +
      '(was the optimizer built over another model?): checkpoint a model with the optimizer built over model.parameters()');
  }
}

/** Model and optimizer state in one safetensors file: training resumed from it is bit-identical. */
export function saveCheckpoint(model: Module, optimizer: Optimizer): Uint8Array {
  checkModule('saveCheckpoint', model);
  checkOptimizer('saveCheckpoint', optimizer);
  checkPair('saveCheckpoint', model, optimizer);
  const tensors: Record<string, NamedArray> = {};
  for (const [k, v] of Object.entries(model.stateDict())) tensors[MODEL + k] = v;
  const state = optimizer.stateDict();
  state.state.forEach((entry, i) => {
    for (const [name, data] of Object.entries(entry)) tensors[`${OPTIM}${i}.${name}`] = { shape: [data.length], data };
  });
  return encodeSafetensors(tensors, {
    format: 'wasmnn-checkpoint', optimizer: optimizer.typeName,
    step: String(state.step), paramGroups: JSON.stringify(state.paramGroups), parameters: String(state.state.length),
  });
}

/** A decimal integer string of metadata, bounded; throws ValueError naming the key. */
function metadataInteger(value: string | undefined, key: string, max: number): number {
  if (value === undefined || !/^(0|[1-9]\d{0,15})$/.test(value) || Number(value) > max) {
    throw new ValueError(`loadCheckpoint: metadata '${key}' must be an integer in [0, ${max}], got ${JSON.stringify(value)}`);
  }
  return Number(value);
}

/** The optimizer's part of a checkpoint, checked value by value (finite, sums of squares ≥ 0). */
function optimizerState(tensors: Record<string, DecodedArray>, count: number): OptimizerStateDict['state'] {
  const state: OptimizerStateDict['state'] = Array.from({ length: count }, () => ({}));
  for (const [key, t] of Object.entries(tensors)) {
    if (!key.startsWith(OPTIM)) continue;
    const m = OPTIM_KEY.exec(key);
    if (!m || Number(m[1]) >= count) throw new ValueError(`loadCheckpoint: unexpected optimizer key '${key}' (the optimizer has ${count} parameters)`);
    if (t.dtype !== 'F32') throw new ValueError(`loadCheckpoint: '${key}' must be F32, got ${t.dtype}`);
    const nonNegative = NON_NEGATIVE_STATE.has(m[2]!);
    for (let i = 0; i < t.data.length; i++) {
      const v = t.data[i]!;
      if (!Number.isFinite(v) || (nonNegative && v < 0)) {
        throw new ValueError(`loadCheckpoint: '${key}' has ${v} at index ${i}${nonNegative && v < 0 ? ' (a sum of squares cannot be negative)' : ''}`);
      }
    }
    state[Number(m[1])]![m[2]!] = t.data;
  }
  return state;
}

/**
 * Restores a checkpoint into `model` and `optimizer` (built with the same architecture and
 * options). The file, the model's values and the optimizer's state are all checked before
 * either changes; if the optimizer refuses its state, the model is put back as it was.
 */
export function loadCheckpoint(bytes: Uint8Array, model: Module, optimizer: Optimizer): void {
  checkModule('loadCheckpoint', model);
  checkOptimizer('loadCheckpoint', optimizer);
  checkPair('loadCheckpoint', model, optimizer);
  const { tensors, metadata } = decodeSafetensors(bytes);
  if (metadata.format !== 'wasmnn-checkpoint') throw new ValueError(`loadCheckpoint: not a wasmnn checkpoint (format ${JSON.stringify(metadata.format)})`);
  if (metadata.optimizer !== optimizer.typeName) {
    throw new ValueError(`loadCheckpoint: the checkpoint holds ${metadata.optimizer} state, the optimizer is ${optimizer.typeName}`);
  }
  // Counts come from the optimizer we load into, never from the file: the file's must agree.
  const count = optimizer.params.length;
  const declared = metadataInteger(metadata.parameters, 'parameters', Number.MAX_SAFE_INTEGER);
  if (declared !== count) throw new ValueError(`loadCheckpoint: metadata 'parameters' is ${declared}, but the optimizer has ${count} parameters`);
  const step = metadataInteger(metadata.step, 'step', Number.MAX_SAFE_INTEGER);
  const modelDict: Record<string, DecodedArray> = Object.create(null);
  for (const [key, t] of Object.entries(tensors)) {
    if (key.startsWith(MODEL)) modelDict[key.slice(MODEL.length)] = t;
    else if (!key.startsWith(OPTIM)) throw new ValueError(`loadCheckpoint: unexpected key '${key}'`);
  }
  const state = optimizerState(tensors, count);
  const paramGroups = parseStrictJson("loadCheckpoint: metadata 'paramGroups'", metadata.paramGroups ?? '[]');
  if (!Array.isArray(paramGroups) || paramGroups.some((g) => !g || typeof g !== 'object' || Array.isArray(g))) {
    throw new ValueError(`loadCheckpoint: metadata 'paramGroups' must be a JSON array of objects`);
  }
  const dict: OptimizerStateDict = { step, paramGroups: paramGroups as OptimizerStateDict['paramGroups'], state };
  // Check both, then commit both.
  optimizer.checkStateDict(dict);
  const snapshot = model.stateDict();
  model.loadStateDict(modelDict);
  try {
    optimizer.loadStateDict(dict);
  } catch (e) {
    model.loadStateDict(snapshot);
    throw e;
  }
}
