import { disposeSymbol } from '../dispose.js';
import * as ops from '../backend/ops.js';
import { StateError, ValueError } from '../errors.js';
import type { Parameter } from '../nn/parameter.js';
import { ParameterBlock } from './parameter-block.js';
import { Tensor } from '../tensor.js';
import { checkFloat32Values, checkNumber, describe } from '../validate.js';

/** Hyper-parameters of an optimizer, as plain values. */
export type Hyperparameters = Record<string, number | boolean | number[]>;

/** An optimizer's state in plain arrays, for checkpoints (see loadStateDict). */
export interface OptimizerStateDict {
  /** Steps taken so far. */
  step: number;
  /** The hyper-parameters in force (PyTorch's param_groups[0]). */
  paramGroups: Hyperparameters[];
  /** Per parameter, in parameter order: each state buffer by name (PyTorch's state[i]). */
  state: Array<Record<string, Float32Array>>;
}

/**
 * Base class of the optimizers. It moves the parameters into one flat block (so an update is
 * one kernel call), owns the lazily created state buffers parallel to that block, validates
 * `lr`, and implements zeroGrad and the state dict. Subclasses validate **all** their options
 * before calling `super()` (which moves the parameters), as torch.optim does, and implement
 * update(), called by step() with `stepCount` already incremented.
 */
export abstract class Optimizer {
  /** The optimizer's name in messages and checkpoints, written out (minifiers rename classes). */
  static readonly typeName: string = 'Optimizer';
  protected readonly block: ParameterBlock;
  /** Steps taken so far (PyTorch's state['step']). */
  protected stepCount = 0;
  private readonly buffers = new Map<string, Tensor>();
  private learningRate: number;
  private disposedFlag = false;
  /**
   * @internal torch's param_groups[0]['initial_lr']: the rate when the first scheduler on this
   * optimizer was created (ReduceLROnPlateau aside); a scheduler created later starts from it too
   * (torch's base_lrs).
   */
  _initialLr: number | undefined = undefined;

  /** `lr` must be checked by the subclass along with its other options; checked again here. */
  protected constructor(params: readonly Parameter[], lr: number) {
    const name = (new.target as typeof Optimizer).typeName;
    this.learningRate = checkNumber(name, 'lr', lr, { min: 0 });
    // ParameterBlock.of checks the whole list before it moves anything.
    this.block = ParameterBlock.of(params, name);
  }

  /** @internal Throws StateError when this optimizer has been disposed; `where` names the call. */
  _checkUsable(where: string): void {
    if (this.disposedFlag) {
      throw new StateError(`${this.typeName}.${where}: this ${this.typeName} has been disposed (its state buffers are freed); create a new optimizer`);
    }
  }

  /** Whether dispose() was called. */
  get isDisposed(): boolean {
    return this.disposedFlag;
  }

  /** This optimizer's class name (its class's static `typeName`), as stored in checkpoints. */
  get typeName(): string {
    return (this.constructor as typeof Optimizer).typeName;
  }

  /** The learning rate; may be changed between steps (schedulers do). */
  get lr(): number {
    return this.learningRate;
  }
  set lr(value: number) {
    this._checkUsable('lr');
    this.learningRate = checkNumber(`${this.typeName}.lr`, 'lr', value, { min: 0 });
  }

  /** Number of steps taken. */
  get steps(): number {
    return this.stepCount;
  }

  /** The parameters this optimizer updates. */
  get params(): readonly Parameter[] {
    return this.block.params;
  }

  /** Applies one update to every parameter from its `.grad`. */
  step(): void {
    this._checkUsable('step');
    if (!this.block.intact()) this.block.assertIntact(`${this.typeName}.step`); // the message only when it fails
    this.stepCount++;
    this.update();
  }

  /** Sets every parameter's gradient to zero (one fill over the gradient block). */
  zeroGrad(): void {
    this._checkUsable('zeroGrad');
    if (!this.block.intact()) this.block.assertIntact(`${this.typeName}.zeroGrad`);
    this.block.zeroGrad();
  }

  /** The hyper-parameters in force. */
  abstract hyperparameters(): Hyperparameters;

  /** Names of the state buffers this optimizer keeps with its current options. */
  protected abstract stateNames(): readonly string[];

  /** State buffers that can never be negative (second moments, accumulators): checked on load. */
  protected nonNegativeStateNames(): readonly string[] {
    return [];
  }

  /** The update rule: one kernel call over the flat block. */
  protected abstract update(): void;

  /** A state buffer parallel to the parameter block, created on first use filled with `initial`. */
  protected buffer(name: string, initial = 0): Tensor {
    let t = this.buffers.get(name);
    if (!t) {
      t = Tensor.owned(this.block.values.shape, 'optimizer');
      ops.fill(t, initial);
      this.buffers.set(name, t);
    }
    return t;
  }

  /**
   * For update rules written in TypeScript (a user's own optimizer): live views of all parameter
   * values, their gradients and the named state buffers (created on first use, zero-filled),
   * element i of each belonging to the same scalar. Valid only until the next allocation: take
   * them inside update() and use them at once. Padding between parameters has value and
   * gradient 0; an elementwise rule that maps (0, 0, zero state) to 0 keeps it so.
   */
  protected views<N extends string>(...names: N[]): { values: Float32Array; grads: Float32Array } & Record<N, Float32Array> {
    for (const name of names) this.buffer(name); // allocate first, then take the views
    const out: Record<string, Float32Array> = { values: this.block.values._view(), grads: this.block.grads._view() };
    for (const name of names) out[name] = this.buffer(name)._view();
    return out as { values: Float32Array; grads: Float32Array } & Record<N, Float32Array>;
  }

  /** A copy of the step count, hyper-parameters and state buffers, per parameter. */
  stateDict(): OptimizerStateDict {
    this._checkUsable('stateDict');
    const state = this.block.params.map((p, i) => {
      const entry: Record<string, Float32Array> = {};
      for (const [name, t] of this.buffers) entry[name] = t._view().slice(this.block.offsets[i]!, this.block.offsets[i]! + p.size);
      return entry;
    });
    return { step: this.stepCount, paramGroups: [this.hyperparameters()], state };
  }

  /**
   * Restores state saved by stateDict() of an optimizer of the same kind over parameters of the
   * same shapes. Everything is checked before anything changes (values in float32: finite, and
   * second moments / accumulators ≥ 0; `step` a safe integer ≥ 0); the hyper-parameters other
   * than lr must equal this optimizer's (construct it with the same options). State without
   * buffers (saved before the first step) resets the buffers.
   */
  loadStateDict(dict: OptimizerStateDict): void {
    this.checkStateDict(dict);
    const names = Object.keys(dict.state[0] ?? {});
    // Allocate first (an OutOfMemoryError then changes nothing), then commit everything.
    const buffers = names.map((name) => this.buffer(name));
    const lr = dict.paramGroups?.[0]?.lr;
    if (lr !== undefined) this.lr = lr as number;
    this.stepCount = dict.step;
    if (names.length === 0) this.disposeBuffers(); // re-created from their initial value on the next step
    dict.state.forEach((entry, i) => {
      names.forEach((name, b) => buffers[b]!._view().set(entry[name]!, this.block.offsets[i]!));
    });
  }

  /** @internal Throws unless loadStateDict(dict) would succeed; changes nothing. */
  checkStateDict(dict: OptimizerStateDict): void {
    const where = `${this.typeName}.loadStateDict`;
    this._checkUsable('loadStateDict');
    this.block.assertIntact(where);
    if (!dict || typeof dict !== 'object' || !Array.isArray(dict.state)) throw new ValueError(`${where}: expected an object from stateDict() with a state array, got ${describe(dict)}`);
    checkNumber(where, 'step', dict.step, { integer: true, min: 0 });
    const params = this.block.params;
    if (dict.state.length !== params.length) {
      throw new ValueError(`${where}: the state has ${dict.state.length} parameters, this optimizer has ${params.length}`);
    }
    const groups: unknown = dict.paramGroups;
    if (groups !== undefined && (!Array.isArray(groups) || groups.length > 1)) {
      throw new ValueError(`${where}: paramGroups must be an array of one object of hyper-parameters, got ${describe(groups)}`);
    }
    const group: unknown = groups?.[0] ?? {};
    if (!group || typeof group !== 'object' || Array.isArray(group)) throw new ValueError(`${where}: paramGroups[0] must be an object, got ${describe(group)}`);
    const hyper = group as Hyperparameters;
    if (hyper.lr !== undefined) checkNumber(where, 'paramGroups[0].lr', hyper.lr, { min: 0 });
    const mine = this.hyperparameters();
    for (const [key, value] of Object.entries(hyper)) {
      if (key === 'lr') continue;
      if (!Object.prototype.hasOwnProperty.call(mine, key)) throw new ValueError(`${where}: unknown hyper-parameter '${key}' (is this state from another optimizer?)`);
      if (JSON.stringify(value) !== JSON.stringify(mine[key])) {
        throw new ValueError(`${where}: hyper-parameter ${key} is ${JSON.stringify(value)} in the state but ${JSON.stringify(mine[key])} in this optimizer`);
      }
    }
    const known = this.stateNames();
    const nonNegative = this.nonNegativeStateNames();
    let names: string[] | null = null;
    dict.state.forEach((entry: unknown, i) => {
      if (!entry || typeof entry !== 'object' || Array.isArray(entry)) throw new ValueError(`${where}: state[${i}] must be an object of named buffers, got ${describe(entry)}`);
      const own = Object.keys(entry).sort();
      if (names === null) names = own;
      else if (own.join() !== names.join()) {
        throw new ValueError(`${where}: state[${i}] has buffers [${own.join(', ')}] but state[0] has [${names.join(', ')}]`);
      }
      for (const [name, values] of Object.entries(entry as Record<string, unknown>)) {
        if (!known.includes(name)) {
          throw new ValueError(`${where}: state[${i}] has an unknown buffer '${name}'; expected ${known.join(', ') || 'none'}`);
        }
        if (!(values instanceof Float32Array) || values.length !== params[i]!.size) {
          throw new ValueError(`${where}: state[${i}].${name} must be a Float32Array of ${params[i]!.size} values, got ${values instanceof Float32Array ? `${values.length} values` : describe(values)}`);
        }
        checkFloat32Values(where, `state[${i}].${name}`, values, nonNegative.includes(name));
      }
    });
    const present = names ?? [];
    if (present.length !== 0 && present.length !== known.length) {
      throw new ValueError(`${where}: the state has buffers [${present.join(', ')}], this optimizer needs all of [${known.join(', ')}] or none`);
    }
    if (present.length === 0 && dict.step > 0 && known.length > 0) {
      throw new ValueError(`${where}: step is ${dict.step} but the state has no buffers; this optimizer needs [${known.join(', ')}] after the first step`);
    }
  }

  private disposeBuffers(): void {
    for (const t of this.buffers.values()) t.dispose();
    this.buffers.clear();
  }

  /**
   * Frees the state buffers (moments, accumulators) now rather than at garbage collection; the
   * optimizer then refuses every call with a StateError. The parameters belong to the model:
   * dispose the model to free them. Idempotent.
   */
  dispose(): void {
    this.disposedFlag = true;
    this.disposeBuffers();
  }

  /** Same as dispose(), for `using opt = new Adam(…)`. */
  [disposeSymbol](): void {
    this.dispose();
  }
}
