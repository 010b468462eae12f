import { StateError, ValueError } from '../errors.js';
import type { Tensor } from '../tensor.js';
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
