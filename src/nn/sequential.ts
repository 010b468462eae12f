import { StateError, ValueError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import type { JsonValue, LayerConfig, LayerSpec } from './config.js';
import { Module } from './module.js';

/**
 * A chain of modules: forward runs them in order, backward in reverse. Children are named
 * "0", "1", … so parameter names match torch.nn.Sequential ("0.weight", "2.bias", …).
 *
 * @example
 * const model = new Sequential(new Linear(2, 25), new ReLU(), new Linear(25, 2));
 */
export class Sequential extends Module {
  static override readonly typeName: string = 'Sequential';
  private readonly layers: Module[] = [];
  private forwarded = false;

  constructor(...modules: Module[]) {
    super();
    modules.forEach((m) => this.append(m));
  }

  /** Adds a module at the end; returns this. */
  append(module: Module): this {
    if (!(module instanceof Module)) {
      throw new ValueError(`Sequential: argument ${this.layers.length} is not a Module (got ${module === null ? 'null' : typeof module})`);
    }
    this.registerModule(String(this.layers.length), module);
    this.layers.push(module);
    return this;
  }

  /** The module at `index`. */
  at(index: number): Module {
    const m = this.layers[index < 0 ? this.layers.length + index : index];
    if (!m) throw new ValueError(`Sequential.at: index ${index} out of range (length ${this.layers.length})`);
    return m;
  }

  /** Number of modules. */
  get length(): number {
    return this.layers.length;
  }

  /** The children's `{ type, args }`, in order. */
  override toConfig(): LayerConfig {
    return { args: this.layers.map((m) => ({ type: m.typeName, args: m.toConfig().args })) };
  }

  /** Builds each child from its `{ type, args }` (already validated by the loader). */
  static override fromConfig(args: readonly JsonValue[], build: (spec: LayerSpec) => Module): Module {
    const children: Module[] = [];
    try {
      for (const spec of args) children.push(build(spec as unknown as LayerSpec));
    } catch (e) {
      children.forEach((c) => c.dispose());
      throw e;
    }
    return new Sequential(...children);
  }

  /** The sum over the children, if each can tell. */
  static override parameterCount(args: readonly JsonValue[], count: (spec: LayerSpec) => number | undefined): number | undefined {
    let total = 0;
    for (const spec of args) {
      const n = count(spec as unknown as LayerSpec);
      if (n === undefined) return undefined;
      total += n;
    }
    return total;
  }

  forward(input: Tensor): Tensor {
    let x = input;
    for (const layer of this.layers) x = layer.forward(x);
    this.forwarded = true;
    return x;
  }

  backward(gradOutput: Tensor): Tensor {
    if (!this.forwarded) throw new StateError('Sequential.backward: called before forward()');
    let g = gradOutput;
    for (let i = this.layers.length - 1; i >= 0; i--) g = this.layers[i]!.backward(g);
    return g;
  }
}
