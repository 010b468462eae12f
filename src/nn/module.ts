import type { Tensor } from '../tensor.js';
import type { Workspace } from '../workspace.js';
import * as ops from '../backend/ops.js';
import { sameShape } from '../validate.js';
import { ShapeError, ValueError, formatShape } from '../errors.js';
import { Parameter } from './parameter.js';

/**
 * Base class of every layer and container, after torch.nn.Module, with an explicit backward:
 *
 *     const y = model.forward(x);            // keeps what backward needs
 *     const dx = model.backward(dLossDy);    // accumulates parameter gradients, returns dL/dx
 *
 * Subclasses register parameters and children in their constructor, and implement forward,
 * backward and (optionally) extraRepr. Outputs are views of workspaces the module re-uses on
 * every call (no allocation per step); clone() a result to keep it across calls.
 */
export abstract class Module {
  /**
   * The layer's name in toString(), messages and saved files. Written out on every class
   * because minifiers rename classes (a class's own name is not stable); custom layers set their own.
   */
  static readonly typeName: string = 'Module';
  /** True in training mode (the default), false after eval(). */
  training = true;
  private readonly ownParams: Array<[string, Parameter]> = [];
  private readonly children: Array<[string, Module]> = [];
  private readonly workspaces: Workspace[] = [];

  /** This module's class name (its class's static `typeName`). */
  get typeName(): string {
    return (this.constructor as typeof Module).typeName;
  }

  /** Computes the output for a [batch, features] input. */
  abstract forward(input: Tensor): Tensor;

  /**
   * Given ∂loss/∂output of the last forward(), accumulates ∂loss/∂parameters into each
   * parameter's `.grad` and returns ∂loss/∂input.
   */
  abstract backward(gradOutput: Tensor): Tensor;

  /** Registers a parameter under `name` (as in PyTorch's state-dict keys). */
  protected registerParameter(name: string, param: Parameter): Parameter {
    this.ownParams.push([name, param]);
    return param;
  }

  /** Registers a child module under `name`. */
  protected registerModule<M extends Module>(name: string, module: M): M {
    this.children.push([name, module]);
    return module;
  }

  /** Registers a workspace so that dispose() frees it. */
  protected registerWorkspace(workspace: Workspace): Workspace {
    this.workspaces.push(workspace);
    return workspace;
  }

  /** Every parameter of this module and its descendants, each once, in registration order. */
  parameters(): Parameter[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /** [name, parameter] pairs with dotted PyTorch names: "0.weight", "0.bias", "2.weight", … */
  namedParameters(prefix = ''): Array<[string, Parameter]> {
    const seen = new Set<Parameter>();
    const out: Array<[string, Parameter]> = [];
    const visit = (module: Module, path: string): void => {
      for (const [name, p] of module.ownParams) {
        if (!seen.has(p)) {
          seen.add(p);
          out.push([path + name, p]);
        }
      }
      for (const [name, child] of module.children) visit(child, `${path}${name}.`);
    };
    visit(this, prefix ? `${prefix}.` : '');
    return out;
  }

  /** [name, module] pairs of the direct children. */
  namedChildren(): Array<[string, Module]> {
    return [...this.children];
  }

  /**
   * Copies of every parameter under its PyTorch name ("0.weight": shape [out, in], …), the
   * layout torch.nn.Module.state_dict() uses.
   */
  stateDict(): Record<string, { shape: number[]; data: Float32Array }> {
    const out: Record<string, { shape: number[]; data: Float32Array }> = {};
    for (const [name, p] of this.namedParameters()) out[name] = { shape: [...p.shape], data: p.toFloat32Array() };
    return out;
  }

  /**
   * Loads parameters saved by stateDict() (or converted from PyTorch). Every name, shape and
   * value is checked first; on any problem it throws naming the key, and the module is unchanged.
   */
  loadStateDict(dict: Record<string, { shape?: readonly number[]; data: ArrayLike<number> }>): void {
    const where = `${this.typeName}.loadStateDict`;
    if (!dict || typeof dict !== 'object') throw new ValueError(`${where}: expected an object of named tensors, got ${typeof dict}`);
    const params = this.namedParameters();
    const names = new Set(params.map(([n]) => n));
    const missing = params.filter(([n]) => !(n in dict)).map(([n]) => n);
    const unexpected = Object.keys(dict).filter((k) => !names.has(k));
    if (missing.length || unexpected.length) {
      throw new ValueError(`${where}: ${missing.length ? `missing keys ${missing.map((k) => `'${k}'`).join(', ')}` : ''}` +
        `${missing.length && unexpected.length ? '; ' : ''}${unexpected.length ? `unexpected keys ${unexpected.map((k) => `'${k}'`).join(', ')}` : ''}`);
    }
    for (const [name, p] of params) {
      const entry = dict[name]!;
      if (!entry || typeof entry !== 'object' || !entry.data || typeof entry.data.length !== 'number') {
        throw new ValueError(`${where}: '${name}' must be { shape, data } with array data`);
      }
      if (entry.shape && !sameShape(entry.shape, p.shape)) {
        throw new ShapeError(`${where}: '${name}' has shape ${formatShape(entry.shape)}, the module expects ${formatShape(p.shape)}`);
      }
      if (entry.data.length !== p.size) throw new ShapeError(`${where}: '${name}' has ${entry.data.length} values, the module expects ${p.size} ${formatShape(p.shape)}`);
      for (let i = 0; i < entry.data.length; i++) {
        const v = entry.data[i];
        if (typeof v !== 'number' || !Number.isFinite(v)) throw new ValueError(`${where}: '${name}' has ${String(v)} at index ${i}`);
      }
    }
    // Everything checked: commit.
    for (const [name, p] of params) p._view().set(dict[name]!.data);
  }

  /** Sets every parameter gradient to zero. */
  zeroGrad(): void {
    for (const p of this.parameters()) ops.fill(p.grad, 0);
  }

  /** Sets training mode (recursively); returns this. */
  train(mode = true): this {
    this.training = mode;
    for (const [, child] of this.children) child.train(mode);
    return this;
  }

  /** Sets evaluation mode; same as train(false). */
  eval(): this {
    return this.train(false);
  }

  /** The module's own settings for toString(), e.g. "in_features=2, out_features=8, bias=true". */
  extraRepr(): string {
    return '';
  }

  /** PyTorch-style description of the module tree. */
  toString(): string {
    const name = this.typeName;
    if (this.children.length === 0) return `${name}(${this.extraRepr()})`;
    const lines = this.children.map(([n, c]) => `  (${n}): ${c.toString().split('\n').join('\n  ')}`);
    return `${name}(\n${lines.join('\n')}\n)`;
  }

  /**
   * Frees this module's memory (parameters, gradients, workspaces) now instead of at garbage
   * collection. The module and tensors it returned cannot be used afterwards.
   */
  dispose(): void {
    for (const [, child] of this.children) child.dispose();
    for (const [, p] of this.ownParams) {
      if (!p.isDisposed) {
        p._releaseMemory();
        p.dispose();
      }
    }
    for (const w of this.workspaces) w.dispose();
  }
}
