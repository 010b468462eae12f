import * as ops from '../backend/ops.js';
import { ValueError } from '../errors.js';
import type { Parameter } from '../nn/parameter.js';
import { ParameterBlock } from '../nn/parameter-block.js';
import { Tensor } from '../tensor.js';
import { checkNumber } from '../validate.js';

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
 * `lr`, and implements zeroGrad and the state dict. Subclasses validate their own options and
 * implement update(), called by step() with `stepCount` already incremented.
 */
export abstract class Optimizer {
  /** The optimizer's name in messages and checkpoints, written out (minifiers rename classes). */
  static readonly typeName: string = 'Optimizer';
  protected readonly block: ParameterBlock;
  /** Steps taken so far (PyTorch's state['step']). */
  protected stepCount = 0;
  private readonly buffers = new Map<string, Tensor>();
  private learningRate: number;

  protected constructor(params: readonly Parameter[], lr: number) {
    const name = (new.target as typeof Optimizer).typeName;
    this.learningRate = checkNumber(name, 'lr', lr, { min: 0 });
    this.block = ParameterBlock.of(params, name);
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
    this.block.assertIntact(`${this.typeName}.step`);
    this.stepCount++;
    this.update();
  }

  /** Sets every parameter's gradient to zero (one fill over the gradient block). */
  zeroGrad(): void {
    this.block.zeroGrad();
  }

  /** The hyper-parameters in force. */
  abstract hyperparameters(): Hyperparameters;

  /** Names of the state buffers this optimizer keeps with its current options. */
  protected abstract stateNames(): readonly string[];

  /** The update rule: one kernel call over the flat block. */
  protected abstract update(): void;

  /** A state buffer parallel to the parameter block, created on first use filled with `initial`. */
  protected buffer(name: string, initial = 0): Tensor {
    let t = this.buffers.get(name);
    if (!t) {
      t = Tensor.owned(this.block.values.shape);
      ops.fill(t, initial);
      this.buffers.set(name, t);
    }
    return t;
  }

  /** A copy of the step count, hyper-parameters and state buffers, per parameter. */
  stateDict(): OptimizerStateDict {
    const state = this.block.params.map((p, i) => {
      const entry: Record<string, Float32Array> = {};
      for (const [name, t] of this.buffers) entry[name] = t._view().slice(this.block.offsets[i]!, this.block.offsets[i]! + p.size);
      return entry;
    });
    return { step: this.stepCount, paramGroups: [this.hyperparameters()], state };
  }

  /**
   * Restores state saved by stateDict() of an optimizer of the same kind over parameters of the
   * same shapes. Everything is checked before anything changes; the hyper-parameters other than
   * lr must equal this optimizer's (construct it with the same options).
   */
  loadStateDict(dict: OptimizerStateDict): void {
    this.checkStateDict(dict);
    const lr = dict.paramGroups?.[0]?.lr;
    if (lr !== undefined) this.lr = lr as number;
    this.stepCount = dict.step;
    dict.state.forEach((entry, i) => {
      for (const [name, values] of Object.entries(entry)) {
        this.buffer(name)._view().set(values, this.block.offsets[i]!);
      }
    });
  }

  /** @internal Throws unless loadStateDict(dict) would succeed; changes nothing. */
  checkStateDict(dict: OptimizerStateDict): void {
    const where = `${this.typeName}.loadStateDict`;
    if (!dict || typeof dict !== 'object' || !Array.isArray(dict.state)) throw new ValueError(`${where}: expected an object from stateDict()`);
    checkNumber(where, 'step', dict.step, { integer: true, min: 0 });
    const params = this.block.params;
    if (dict.state.length !== params.length) {
      throw new ValueError(`${where}: the state has ${dict.state.length} parameters, this optimizer has ${params.length}`);
    }
    const group = dict.paramGroups?.[0] ?? {};
    if (group.lr !== undefined) checkNumber(where, 'paramGroups[0].lr', group.lr, { min: 0 });
    const mine = this.hyperparameters();
    for (const [key, value] of Object.entries(group)) {
      if (key === 'lr') continue;
      if (!(key in mine)) throw new ValueError(`${where}: unknown hyper-parameter '${key}' (is this state from another optimizer?)`);
      if (JSON.stringify(value) !== JSON.stringify(mine[key])) {
        throw new ValueError(`${where}: hyper-parameter ${key} is ${JSON.stringify(value)} in the state but ${JSON.stringify(mine[key])} in this optimizer`);
      }
    }
    dict.state.forEach((entry, i) => {
      for (const [name, values] of Object.entries(entry)) {
        if (!this.stateNames().includes(name)) {
          throw new ValueError(`${where}: state[${i}] has an unknown buffer '${name}'; expected ${this.stateNames().join(', ') || 'none'}`);
        }
        if (!(values instanceof Float32Array) || values.length !== params[i]!.size) {
          throw new ValueError(`${where}: state[${i}].${name} must be a Float32Array of ${params[i]!.size} values`);
        }
      }
    });
  }

  /** Frees the state buffers now rather than at garbage collection. */
  dispose(): void {
    for (const t of this.buffers.values()) t.dispose();
    this.buffers.clear();
  }
}
