/**
 * Saving and loading models and optimizer state as bytes (Uint8Array): safetensors for models
 * (loadable by PyTorch's safetensors.torch.load_file + load_state_dict for an equivalent
 * torch.nn.Sequential), a safetensors checkpoint for model + optimizer (exact resume), and JSON
 * for humans. Bytes work alike in Node (fs) and browsers (download, IndexedDB).
 */
import { ValueError } from '../errors.js';
import type { Module } from '../nn/module.js';
import type { Optimizer, OptimizerStateDict } from '../optim/optimizer.js';
import { decodeSafetensors, encodeSafetensors, type NamedArray } from './safetensors.js';

/** A model's parameters as JSON: {"0.weight": {"shape": [8, 2], "data": [...]}, …}. */
export function modelToJSON(model: Module): string {
  const dict = model.stateDict();
  return JSON.stringify(Object.fromEntries(Object.entries(dict).map(([k, v]) => [k, { shape: v.shape, data: Array.from(v.data) }])));
}

/** Loads parameters from modelToJSON() text; checked like loadModel. */
export function modelFromJSON(model: Module, json: string): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (e) {
    throw new ValueError(`modelFromJSON: not valid JSON (${(e as Error).message})`);
  }
  model.loadStateDict(parsed as Record<string, NamedArray>);
}

const MODEL = 'model.';
const OPTIM = 'optimizer.';

/** Model and optimizer state in one safetensors file: training resumed from it is bit-identical. */
export function saveCheckpoint(model: Module, optimizer: Optimizer): Uint8Array {
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

/**
 * Restores a checkpoint into `model` and `optimizer` (built with the same architecture and
 * options). Both are checked completely before either changes.
 */
export function loadCheckpoint(bytes: Uint8Array, model: Module, optimizer: Optimizer): void {
  const { tensors, metadata } = decodeSafetensors(bytes);
  if (metadata.format !== 'wasmnn-checkpoint') throw new ValueError(`loadCheckpoint: not a wasmnn checkpoint (format ${JSON.stringify(metadata.format)})`);
  if (metadata.optimizer !== optimizer.typeName) {
    throw new ValueError(`loadCheckpoint: the checkpoint holds ${metadata.optimizer} state, the optimizer is ${optimizer.typeName}`);
  }
  const modelDict: Record<string, NamedArray> = {};
  const count = Number(metadata.parameters);
  const state: OptimizerStateDict['state'] = Array.from({ length: Number.isInteger(count) && count >= 0 ? count : 0 }, () => ({}));
  for (const [key, t] of Object.entries(tensors)) {
    if (key.startsWith(MODEL)) modelDict[key.slice(MODEL.length)] = t;
    else if (key.startsWith(OPTIM)) {
      const [index, name] = key.slice(OPTIM.length).split('.') as [string, string];
      const i = Number(index);
      if (!Number.isInteger(i) || !state[i] || !name) throw new ValueError(`loadCheckpoint: unexpected optimizer key '${key}'`);
      state[i]![name] = t.data;
    } else {
      throw new ValueError(`loadCheckpoint: unexpected key '${key}'`);
    }
  }
  let paramGroups: OptimizerStateDict['paramGroups'];
  try {
    paramGroups = JSON.parse(metadata.paramGroups ?? '[]');
  } catch {
    throw new ValueError('loadCheckpoint: paramGroups metadata is not valid JSON');
  }
  const dict: OptimizerStateDict = { step: Number(metadata.step), paramGroups, state };
  // Check both, then commit both.
  const snapshot = model.stateDict();
  optimizer.checkStateDict(dict);
  model.loadStateDict(modelDict);
  try {
    optimizer.loadStateDict(dict);
  } catch (e) {
    model.loadStateDict(snapshot);
    throw e;
  }
}
