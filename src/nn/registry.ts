/**
 * The layer registry: `typeName` → class, so that a model file names its layers and loadModel()
 * finds the classes again (never from the class's own name, which minifiers rename). The built-in
 * layers are registered here; a new built-in layer is one more entry in BUILT_IN; a custom layer
 * calls registerLayer(MyLayer) once, after giving it a `static override readonly typeName` and a
 * toConfig().
 */
import { ValueError } from '../errors.js';
import { ELU, GELU, LeakyReLU, ReLU, Sigmoid, Softmax, Softplus, Tanh } from './activations.js';
import type { JsonValue, LayerSpec } from './config.js';
import { Linear } from './linear.js';
import { Scale } from './scale.js';
import { Conv2d } from './conv2d.js';
import { AvgPool2d, MaxPool2d } from './pool.js';
import { AdaptiveAvgPool2d } from './adaptive-pool.js';
import { BatchNorm1d, BatchNorm2d } from './batchnorm.js';
import { LayerNorm } from './layernorm.js';
import { Flatten } from './flatten.js';
import { Dropout } from './dropout.js';
import { LogSoftmax } from './log-softmax.js';
import { Module } from './module.js';
import { Sequential } from './sequential.js';

/** A layer class as the registry needs it: constructible, with the statics of Module. */
export type LayerClass = (abstract new (...args: never[]) => Module) & {
  readonly typeName: string;
  fromConfig(args: readonly JsonValue[], build: (spec: LayerSpec) => Module): Module;
  parameterCount(args: readonly JsonValue[], count: (spec: LayerSpec) => number | undefined): number | undefined;
};

const BUILT_IN: LayerClass[] = [
  Linear, ReLU, LeakyReLU, Tanh, Sigmoid, ELU, GELU, Softplus, Softmax, Scale, Sequential,
  Conv2d, MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, BatchNorm1d, BatchNorm2d, LayerNorm,
  Flatten, Dropout, LogSoftmax,
];

const registry = new Map<string, LayerClass>(BUILT_IN.map((c) => [c.typeName, c]));

/** Type names: letters, digits, '_', '.', '-'; at most 64 characters. */
const NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;

/**
 * Registers a layer class under its static `typeName` so that files naming it load with
 * loadModel(bytes). Registering the same class again is allowed; another class under a taken
 * name is refused (a built-in cannot be replaced by accident).
 *
 * @example
 * class Times extends Module { static override readonly typeName: string = 'Times'; … toConfig() { return { args: [this.factor] }; } }
 * registerLayer(Times);
 */
export function registerLayer(layerClass: LayerClass): void {
  if (typeof layerClass !== 'function' || !(layerClass.prototype instanceof Module)) {
    throw new ValueError(`registerLayer: expected a subclass of Module, got ${layerClass === null ? 'null' : typeof layerClass}`);
  }
  if (!Object.prototype.hasOwnProperty.call(layerClass, 'typeName')) {
    throw new ValueError(`registerLayer: the class must declare its own static typeName (it inherits '${layerClass.typeName}')`);
  }
  const name = layerClass.typeName;
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new ValueError(`registerLayer: typeName must match ${NAME.source}, got ${JSON.stringify(name)}`);
  }
  const taken = registry.get(name);
  if (taken && taken !== layerClass) throw new ValueError(`registerLayer: '${name}' is already registered to another class`);
  registry.set(name, layerClass);
}

/** The class registered under `typeName`, or undefined. */
export function layerClass(typeName: string): LayerClass | undefined {
  return registry.get(typeName);
}

/** The registered type names, sorted. */
export function registeredLayers(): string[] {
  return [...registry.keys()].sort();
}
