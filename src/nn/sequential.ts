import { StateError, ValueError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { checkGradOutput, checkNumber, checkTensor, describe, sameShape } from '../validate.js';
import { threadCount } from '../backend/parallel.js';
import { getBackend } from '../backend/runtime.js';
import type { JsonValue, LayerConfig, LayerSpec } from './config.js';
import { Module } from './module.js';
import { Linear } from './linear.js';
import { ReLU } from './activations.js';

// The methods as the classes define them, taken once: a method later patched on the prototype
// (a spy, a wrapper) is then a replaced method like one set on the instance, and runs.
const LINEAR = {
  forward: Linear.prototype.forward, backward: Linear.prototype.backward, backwardParameters: Linear.prototype.backwardParameters,
};
const RELU = { forward: ReLU.prototype.forward, backward: ReLU.prototype.backward };


/** What else makes backward refuse (Module._forgetForward), for its message. */
const AFTER_FORGET = ' (predict, evaluate, fit\'s checks and loadStateDict replace what backward needs: run forward again)';
/**
 * Whether layers a, b are a plain Linear followed by a plain ReLU (not subclasses, no forward,
 * backward or backwardParameters replaced on the instance or the prototype — dispose() replaces
 * them too):
 * Linear then runs both in one kernel call per pass when the layer is small, with the same
 * results and state as the two calls.
 */
function linearRelu(a: Module | undefined, b: Module | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  const classB: unknown = b.constructor;
  return plainLinear(a) && classB === ReLU && b.forward === RELU.forward && b.backward === RELU.backward;
}

/** Whether `m` is a plain Linear (as in linearRelu): its forward keeps its input and returns its own output only. */
function plainLinear(m: Module | undefined): boolean {
  if (m === undefined) return false;
  const cls: unknown = m.constructor;
  return cls === Linear && m.forward === LINEAR.forward && m.backward === LINEAR.backward && m.backwardParameters === LINEAR.backwardParameters;
}

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
  /** The shape of the last forward's input: an empty chain's output, for backward's check. */
  private lastInputShape: readonly number[] = [];
  /**
   * The backward calls that completed since the chain last changed (input shape, mode, the
   * training flag of every module at every depth — their count also tells a chain nested inside
   * that grew —, threads, backend): their workspaces have grown, so the same call again allocates
   * nothing and cannot run out of memory half-way. Any other call copies the gradients first.
   */
  private readonly grownFor: { shape: readonly number[]; inputGrad: boolean; flags: Uint8Array; threads: number; backend: string }[] = [];
  /** The current flags (see grownFor), re-used from call to call; grows with the tree only. */
  private flagScratch = new Uint8Array(0);

  constructor(...modules: Module[]) {
    super();
    // Every argument is checked before the first one is registered.
    modules.forEach((m, i) => Sequential.checkModule('Sequential', `argument ${i}`, m));
    modules.forEach((m) => this.append(m));
  }

  private static checkModule(where: string, what: string, module: unknown): void {
    if (!(module instanceof Module)) throw new ValueError(`${where}: ${what} must be a Module, got ${describe(module)}`);
    if (module.isDisposed) throw new StateError(`${where}: ${what} (${module.typeName}) has been disposed`);
  }

  /** Adds a module at the end; returns this. */
  append(module: Module): this {
    this.checkUsable('append');
    Sequential.checkModule('Sequential.append', `argument ${this.layers.length === 0 ? 0 : `(position ${this.layers.length})`}`, module);
    this.registerModule(String(this.layers.length), module);
    this.layers.push(module);
    this.forwarded = false; // the chain changed: the last forward no longer describes it
    this.grownFor.length = 0;
    return this;
  }

  /** The module at `index` (negative counts from the end). */
  at(index: number): Module {
    checkNumber('Sequential.at', 'index', index, { integer: true });
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
    if (!Array.isArray(args)) return undefined;
    let total = 0;
    for (const spec of args) {
      const n = count(spec as unknown as LayerSpec);
      if (n === undefined) return undefined;
      total += n;
    }
    return total;
  }

  /** @internal See Module._forgetForward. */
  override _forgetForward(): void {
    this.forwarded = false;
    super._forgetForward();
  }

  forward(input: Tensor): Tensor {
    // Reset first: after a forward rejected half-way, the layers hold inputs of two different
    // calls, and backward must refuse rather than mix them.
    this.forwarded = false;
    const layers = this.layers;
    if (layers.length === 0) checkTensor('Sequential.forward', 'input', input); // no layer checks it
    let x = input;
    for (let i = 0; i < layers.length; i++) {
      const layer = layers[i]!, next = layers[i + 1];
      if (linearRelu(layer, next)) {
        // The pair's output stays inside the chain when a plain Linear takes it next (it keeps
        // its input and returns only its own output): then its view is re-used (nextInternal).
        x = (layer as Linear)._forwardRelu(x, next as ReLU, plainLinear(layers[i + 2]));
        i++;
      } else {
        x = layer.forward(x);
      }
    }
    this.forwarded = true;
    this.lastInputShape = input.shape;
    return x;
  }

  backward(gradOutput: Tensor): Tensor {
    return this.atomicBackward('backward', gradOutput, true)!;
  }

  /** backward() through every layer but the first, which gets backwardParameters (no input gradient). */
  override backwardParameters(gradOutput: Tensor): void {
    this.atomicBackward('backwardParameters', gradOutput, false);
  }

  /**
   * runBackward, leaving every gradient as it was when it throws part-way (an OutOfMemoryError
   * while a layer's workspace grows, after later layers accumulated): a call like one that
   * completed before runs as is (its workspaces are grown: no allocation, no copy per step);
   * any other first copies the gradients (to JavaScript arrays), and puts them back if it throws.
   */
  private atomicBackward(where: string, gradOutput: Tensor, inputGrad: boolean): Tensor | null {
    // One pass when the tree kept its size (every step), a second one after it changed.
    const modules = this._trainingFlags(this.flagScratch);
    if (this.flagScratch.length !== modules) this._trainingFlags(this.flagScratch = new Uint8Array(modules));
    const flags = this.flagScratch;
    const threads = threadCount(), backend = getBackend(), shape = this.lastInputShape;
    const grown = this.grownFor;
    for (let i = grown.length - 1; i >= 0; i--) { // the newest first: a training loop repeats it
      const k = grown[i]!;
      if (k.inputGrad === inputGrad && k.threads === threads && k.backend === backend && sameShape(k.shape, shape) && sameFlags(k.flags, flags)) {
        return this.runBackward(where, gradOutput, inputGrad);
      }
    }
    // The call's own checks first (they change nothing), so a rejected call copies nothing.
    if (!this.forwarded) throw new StateError(`Sequential.${where}: called before a successful forward()${AFTER_FORGET}`);
    this.checkGradient(where, gradOutput);
    this._checkBackwardReady(where);
    // Copies in JavaScript memory (they cannot run out of WASM memory), dropped after the call:
    // this path runs on the first step and on new batch shapes only.
    const params = this.parameters();
    const copies = params.map((p) => p.grad.toFloat32Array());
    let result: Tensor | null;
    try {
      result = this.runBackward(where, gradOutput, inputGrad);
    } catch (e) {
      params.forEach((p, i) => p.grad._view('Sequential.' + where).set(copies[i]!));
      throw e;
    }
    if (this.grownFor.length >= 8) this.grownFor.shift();
    this.grownFor.push({ shape, inputGrad, flags: flags.slice(), threads, backend });
    return result;
  }

  /**
   * The layers' backward in reverse order (a Linear + ReLU pair in one call); with inputGrad =
   * false the first layer (or pair) computes only its parameter gradients. Returns the input
   * gradient, or null when it was not computed.
   */
  private runBackward(where: string, gradOutput: Tensor, inputGrad: boolean): Tensor | null {
    if (!this.forwarded) throw new StateError(`Sequential.${where}: called before a successful forward()${AFTER_FORGET}`);
    this.checkGradient(where, gradOutput);
    // Every layer can run (its saved input still valid) before the first one accumulates.
    this._checkBackwardReady(where);
    const layers = this.layers;
    let g: Tensor | null = gradOutput;
    // Whether only this file's fused pairs and plain Linears ran since the check above: they
    // write their own gradient workspaces only, never what another layer saved, so a pair need
    // not check its saved tensors again (a layer of other code may do anything: then it does).
    let ready = true;
    let fused = linearRelu(layers[layers.length - 2], layers[layers.length - 1]);
    for (let i = layers.length - 1; i >= 0; i--) {
      const layer = layers[i]!, previous = layers[i - 1];
      if (fused) i--;
      const wantInputGrad = inputGrad || i > 0;
      // Whether the layers below end in a fused pair (the next iteration's `fused`): the pair's
      // input gradient then stays inside the chain (its view is re-used).
      const below = i >= 2 && linearRelu(layers[i - 2], layers[i - 1]);
      if (fused) g = (previous as Linear)._backwardRelu(g!, layer as ReLU, wantInputGrad, below, ready);
      else {
        const linear = plainLinear(layer);
        if (!linear) ready = false;
        if (wantInputGrad) g = linear && below ? (layer as Linear)._backwardToPair(g!) : layer.backward(g!);
        else {
          layer.backwardParameters(g!);
          g = null;
        }
      }
      fused = below;
    }
    return g;
  }

  /**
   * gradOutput is a usable Tensor (the layers check its shape; an empty chain checks it against
   * the last input, which it returned as its output).
   */
  private checkGradient(where: string, gradOutput: Tensor): void {
    if (this.layers.length === 0) checkGradOutput(`Sequential.${where}`, gradOutput, this.lastInputShape);
    else checkTensor(where === 'backward' ? 'Sequential.backward' : `Sequential.${where}`, 'gradOutput', gradOutput);
  }

  override _checkBackwardReady(where: string): void {
    super._checkBackwardReady(where);
    if (!this.forwarded) throw new StateError(`Sequential.${where}: called before a successful forward()${AFTER_FORGET}`);
    for (const layer of this.layers) layer._checkBackwardReady(where);
  }
}

/** Whether two flag arrays (Module._trainingFlags) are equal, length included. */
function sameFlags(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
