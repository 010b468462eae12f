import { disposeSymbol } from '../dispose.js';
import type { Tensor } from '../tensor.js';
import type { Workspace } from '../workspace.js';
import * as ops from '../backend/ops.js';
import { checkBoolean, checkOptions, describe } from '../validate.js';
import { StateError, ValueError } from '../errors.js';
import type { JsonValue, LayerConfig, LayerSpec } from './config.js';
import { Parameter } from './parameter.js';
import { checkBufferRegistration, checkStateDict, checkStateName, type IncompatibleKeys, type NamedStateItem, type StateDictInput, type StateDtype, type StateEntry } from './state-dict.js';

export type { IncompatibleKeys, StateDtype, StateEntry } from './state-dict.js';

/** A registered buffer: state that is saved but not trained (BatchNorm's running statistics). */
interface BufferEntry {
  tensor: Tensor;
  dtype: StateDtype;
  /** The smallest value a loaded state may hold (a variance or a count is never negative). */
  min: number | undefined;
  /** In the state dict (torch's persistent=True), or in namedBuffers() only. */
  persistent: boolean;
}

/** Options of registerBuffer given as an object (its third argument). */
export interface BufferOptions {
  /** 'I64' saves the buffer as int64 (integers up to 2²⁴). Default 'F32'. */
  dtype?: StateDtype;
  /** loadStateDict refuses smaller values. Default: none. */
  min?: number;
  /** false keeps the buffer out of the state dict (torch's persistent=False). Default true. */
  persistent?: boolean;
}

/** How the modules of a model will run a batch, for Module._batchProblem. */
export type BatchMode = 'train' | 'own' | 'eval';

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
  private readonly ownBuffers: Array<[string, BufferEntry]> = [];
  private readonly childList: Array<[string, Module]> = [];
  private readonly workspaces: Workspace[] = [];
  private disposedFlag = false;

  /** This module's class name (its class's static `typeName`). */
  get typeName(): string {
    return (this.constructor as typeof Module).typeName;
  }

  /** Computes the output for a `[batch, …]` input (batch first; the rest depends on the layer). */
  abstract forward(input: Tensor): Tensor;

  /**
   * Given ∂loss/∂output of the last forward(), accumulates ∂loss/∂parameters into each
   * parameter's `.grad` and returns ∂loss/∂input.
   */
  abstract backward(gradOutput: Tensor): Tensor;

  /**
   * backward() for a training step that does not need ∂loss/∂input (the input is data: PyTorch
   * skips the input gradient of a tensor that does not require grad). Accumulates exactly the
   * parameter gradients backward(gradOutput) would, and may skip computing the input gradient.
   * The default runs backward() and drops its result; Sequential passes the call on to its first
   * layer, and Conv2d skips its input-gradient pass. fit() trains through it.
   */
  backwardParameters(gradOutput: Tensor): void {
    this.backward(gradOutput);
  }

  /** Whether dispose() was called: the module then refuses forward, backward and parameter use. */
  get isDisposed(): boolean {
    return this.disposedFlag;
  }

  /** Throws StateError naming this module when it has been disposed; `where` names the call. */
  protected checkUsable(where: string): void {
    if (this.disposedFlag) {
      throw new StateError(`${this.typeName}.${where}: this ${this.typeName} has been disposed (dispose() freed its parameters and workspaces); create a new one`);
    }
  }

  /**
   * @internal Throws (changing nothing) unless backward() can run now: called by containers on
   * every child before any child accumulates a gradient, so a rejected backward leaves every
   * gradient as it was. Layers that keep their input override it to check the input is usable.
   */
  _checkBackwardReady(where: string): void {
    this.checkUsable(where);
  }

  /**
   * @internal Makes backward() refuse until the next forward(): predict, evaluate and fit's probes
   * run the model in eval mode, and a backward() after them used *their* input (silently wrong
   * gradients for the user's own forward before). Sequential and Linear forget their input;
   * the default passes the call to the children.
   */
  _forgetForward(): void {
    for (const [, child] of this.childList) child._forgetForward();
  }

  /**
   * @internal Why a batch of `rows` rows could not pass this module or its children, judged from
   * the shapes of the last forward (fit asks after probing, so that a batch that would fail
   * mid-epoch, or at an evaluation after an epoch, is refused before the first update); null when
   * it can. `mode`: how the modules will run it — 'train': every module training (fit puts a model
   * in eval() mode in training mode whole); 'own': each with its own flag (a layer frozen with
   * eval() inside a training model stays frozen); 'eval': every module in eval mode (evaluate,
   * predict and fit's evaluations).
   */
  _batchProblem(rows: number, mode: BatchMode): string | null {
    for (const [, child] of this.childList) {
      const problem = child._batchProblem(rows, mode);
      if (problem) return problem;
    }
    return null;
  }

  /** Registers a parameter under `name` (as in PyTorch's state-dict keys). */
  protected registerParameter(name: string, param: Parameter): Parameter {
    checkStateName(this.typeName, 'parameter', name, this.ownNames());
    if (!(param instanceof Parameter)) throw new ValueError(`${this.typeName}: parameter '${name}' must be a Parameter (new Parameter(shape, owner)), got ${describe(param)}`);
    this.ownParams.push([name, param]);
    return param;
  }

  /**
   * Registers a buffer under `name` (a PyTorch state-dict key such as "running_mean"): a tensor
   * the module owns and updates itself, saved and loaded with the parameters but not trained.
   * dtype 'I64' saves it as int64 (its values must be integers); it is held as float32, exact
   * up to 2²⁴. `min` makes loadStateDict refuse smaller values (e.g. 0 for a variance). dispose()
   * frees it. The third argument may instead be `{ dtype, min, persistent }`: `persistent: false`
   * keeps the buffer out of stateDict() (and files), as torch's register_buffer(persistent=False);
   * namedBuffers() still lists it.
   */
  protected registerBuffer(name: string, tensor: Tensor, dtype: StateDtype | BufferOptions = 'F32', min?: number): Tensor {
    const where = this.typeName;
    let persistent = true;
    if (typeof dtype === 'object' && dtype !== null) {
      if (min !== undefined) throw new ValueError(`${where}: buffer '${String(name)}': give min inside the options object, not as a fourth argument`);
      checkOptions(`${where}: buffer '${String(name)}'`, dtype, ['dtype', 'min', 'persistent']);
      persistent = checkBoolean(`${where}: buffer '${String(name)}'`, 'persistent', dtype.persistent ?? true);
      ({ min } = dtype);
      dtype = dtype.dtype ?? 'F32';
    }
    checkStateName(where, 'buffer', name, this.ownNames());
    checkBufferRegistration(where, name, tensor, dtype, min);
    this.ownBuffers.push([name, { tensor, dtype, min, persistent }]);
    return tensor;
  }

  /** Registers a child module under `name`. */
  protected registerModule<M extends Module>(name: string, module: M): M {
    checkStateName(this.typeName, 'child', name, this.ownNames());
    if (!(module instanceof Module)) throw new ValueError(`${this.typeName}: child '${name}' must be a Module, got ${describe(module)}`);
    if (module.disposedFlag) throw new StateError(`${this.typeName}: child '${name}' (${module.typeName}) has been disposed`);
    if ((module as Module) === this || module.contains(this)) {
      throw new ValueError(`${this.typeName}: child '${name}' (${module.typeName}) contains this module: a module cannot be its own descendant`);
    }
    // backward() keeps one input per module: a module used twice in one tree would get the
    // gradient of its last use only (silently wrong). Weight sharing needs two modules.
    const mine = this.descendants();
    const shared = [...module.descendants()].find((m) => mine.has(m));
    if (shared) {
      throw new ValueError(`${this.typeName}: child '${name}' would make ${shared.typeName} appear twice in this model; ` +
        'explicit backward keeps one input per module, so use a separate instance for each position');
    }
    this.childList.push([name, module]);
    return module;
  }

  /** The names of this module's own parameters, buffers and children (each must be unique). */
  private ownNames(): string[] {
    return [...this.ownParams, ...this.ownBuffers, ...this.childList].map(([n]) => n);
  }

  /** Registers a workspace so that dispose() frees it. */
  protected registerWorkspace(workspace: Workspace): Workspace {
    this.workspaces.push(workspace);
    return workspace;
  }

  /**
   * @internal The training flag (1 or 0) of this module and of each descendant, depth first,
   * written into `out` from index `at` as far as it reaches (none when null); returns the index
   * after the last module: Sequential's backward recognises a call it has run before by these.
   */
  _trainingFlags(out: Uint8Array | null, at = 0): number {
    if (out !== null && at < out.length) out[at] = this.training ? 1 : 0;
    let next = at + 1;
    for (let i = 0; i < this.childList.length; i++) next = this.childList[i]![1]._trainingFlags(out, next);
    return next;
  }

  /** This module and all its descendants. */
  private descendants(into = new Set<Module>()): Set<Module> {
    into.add(this);
    for (const [, c] of this.childList) c.descendants(into);
    return into;
  }

  /** Whether `module` is this module or one of its descendants. */
  private contains(module: Module): boolean {
    return module === this || this.childList.some(([, c]) => c.contains(module));
  }

  /** Every parameter of this module and its descendants, each once, in registration order. */
  parameters(): Parameter[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /** [name, parameter] pairs with dotted PyTorch names: "0.weight", "0.bias", "2.weight", … */
  namedParameters(prefix = ''): Array<[string, Parameter]> {
    this.checkUsable('parameters');
    if (typeof prefix !== 'string') throw new ValueError(`${this.typeName}.namedParameters: prefix must be a string, got ${describe(prefix)}`);
    return this.namedState(prefix).filter(([, , kind]) => kind === 'parameter').map(([n, p]) => [n, p as Parameter]);
  }

  /** [name, buffer] pairs with dotted PyTorch names ("1.running_mean", …), in registration order. */
  namedBuffers(prefix = ''): Array<[string, Tensor]> {
    this.checkUsable('namedBuffers');
    if (typeof prefix !== 'string') throw new ValueError(`${this.typeName}.namedBuffers: prefix must be a string, got ${describe(prefix)}`);
    return this.namedState(prefix).filter(([, , kind]) => kind === 'buffer').map(([n, t]) => [n, t]);
  }

  /**
   * Parameters and buffers in torch's state_dict order: each module's parameters, then its
   * buffers, then its children's. A parameter registered under several names (tied weights)
   * appears once, under its first name, for namedParameters (torch's named_parameters); under
   * every name with `stateDict` (torch's state_dict, which saves and loads each key), which also
   * leaves out the buffers registered with persistent: false.
   */
  private namedState(prefix = '', stateDict = false): NamedStateItem[] {
    const seen = new Set<Tensor>();
    const out: NamedStateItem[] = [];
    const visit = (module: Module, path: string): void => {
      for (const [name, p] of module.ownParams) {
        if (stateDict || !seen.has(p)) {
          seen.add(p);
          out.push([path + name, p, 'parameter', 'F32', undefined]);
        }
      }
      for (const [name, b] of module.ownBuffers) if (b.persistent || !stateDict) out.push([path + name, b.tensor, 'buffer', b.dtype, b.min]);
      for (const [name, child] of module.childList) visit(child, `${path}${name}.`);
    };
    visit(this, prefix ? `${prefix}.` : '');
    return out;
  }

  /** [name, module] pairs of the direct children. */
  namedChildren(): Array<[string, Module]> {
    return [...this.childList];
  }

  /** The direct children, in registration order (torch's children()). */
  children(): Module[] {
    this.checkUsable('children');
    return this.childList.map(([, c]) => c);
  }

  /**
   * [name, module] pairs of this module and every descendant, depth first, this module first
   * under `prefix` ('' by default), each module once (torch's named_modules()).
   */
  namedModules(prefix = ''): Array<[string, Module]> {
    this.checkUsable('namedModules');
    if (typeof prefix !== 'string') throw new ValueError(`${this.typeName}.namedModules: prefix must be a string, got ${describe(prefix)}`);
    const out: Array<[string, Module]> = [];
    const seen = new Set<Module>();
    const visit = (module: Module, path: string): void => {
      if (seen.has(module)) return;
      seen.add(module);
      out.push([path, module]);
      for (const [name, child] of module.childList) visit(child, path ? `${path}.${name}` : name);
    };
    visit(this, prefix);
    return out;
  }

  /** This module and every descendant, depth first, this module first (torch's modules()). */
  modules(): Module[] {
    return this.namedModules().map(([, m]) => m);
  }

  /**
   * Calls `fn` on every descendant, children before their parent, then on this module, as
   * torch's apply() (typically to initialise weights: `model.apply((m) => { if (m instanceof Linear) … })`).
   * Returns this.
   */
  apply(fn: (module: Module) => void): this {
    this.checkUsable('apply');
    if (typeof fn !== 'function') throw new ValueError(`${this.typeName}.apply: fn must be a function of a module, got ${describe(fn)}`);
    for (const [, child] of this.childList) child.apply(fn);
    fn(this);
    return this;
  }

  /**
   * Copies of every parameter and buffer under its PyTorch name ("0.weight": shape [out, in],
   * "1.running_mean", …), the layout torch.nn.Module.state_dict() uses. Integer buffers carry
   * dtype 'I64'. A parameter registered under two names (tied weights) is saved under both, as
   * torch's (parameters() and namedParameters() give it once).
   */
  stateDict(): Record<string, StateEntry> {
    this.checkUsable('stateDict');
    const out: Record<string, StateEntry> = {};
    for (const [name, t, , dtype] of this.namedState('', true)) {
      out[name] = dtype === 'F32' ? { shape: [...t.shape], data: t.toFloat32Array() } : { shape: [...t.shape], data: t.toFloat32Array(), dtype };
    }
    return out;
  }

  /**
   * Loads parameters and buffers saved by stateDict() (or converted from PyTorch). Every name,
   * shape and value is checked first; on any problem it throws naming the key, and the module is
   * unchanged. As torch's load_state_dict: `strict` (default true) refuses a dict whose keys are
   * not exactly the module's; `{ strict: false }` loads the keys both have and leaves the rest
   * (a shape or value problem in a loaded key still throws, changing nothing). Returns torch's
   * `_IncompatibleKeys` as `{ missingKeys, unexpectedKeys }` (both empty after a strict load).
   * A loaded module's backward() refuses until its next forward() (torch's backward raises too:
   * the weights its graph saved were modified in place).
   */
  loadStateDict(dict: StateDictInput, options: { strict?: boolean } = {}): IncompatibleKeys {
    this.checkUsable('loadStateDict');
    const where = `${this.typeName}.loadStateDict`;
    checkOptions(where, options, ['strict']);
    const strict = checkBoolean(where, 'strict', options.strict ?? true);
    const state = this.namedState('', true);
    const keys = checkStateDict(where, state, dict, strict);
    // Everything checked: commit.
    for (const [name, t] of state) if (Object.hasOwn(dict, name)) t._view().set(dict[name]!.data);
    // A backward now would mix the last forward's activations with the new weights.
    this._forgetForward();
    return keys;
  }

  /** Sets every parameter gradient to zero. */
  zeroGrad(): void {
    this.checkUsable('zeroGrad');
    for (const p of this.parameters()) ops.fill(p.grad, 0);
  }

  /** Sets training mode (recursively); returns this. */
  train(mode = true): this {
    checkBoolean(`${this.typeName}.train`, 'mode', mode);
    this.training = mode;
    for (const [, child] of this.childList) child.train(mode);
    return this;
  }

  /** Sets evaluation mode; same as train(false). */
  eval(): this {
    return this.train(false);
  }

  /**
   * The constructor arguments that rebuild this module: `new Class(...toConfig().args)` (without
   * a generator; the weights come from the file). saveModel() writes them with the `typeName`,
   * and loadModel(bytes) finds the class again in the layer registry (registerLayer). Built-in
   * layers implement it; a custom layer overrides it and calls registerLayer(MyLayer) once.
   */
  toConfig(): LayerConfig {
    throw new ValueError(`${this.typeName}.toConfig: this layer does not describe its constructor arguments, so its architecture cannot be saved; ` +
      `implement toConfig() returning { args } such that new ${this.typeName}(...args) rebuilds it and call registerLayer(${this.typeName}), ` +
      'or save the weights only with saveModel(model, { architecture: false })');
  }

  /**
   * Rebuilds a module from toConfig() arguments read from a file; `build` turns a child's
   * { type, args } into a module (containers use it). The default calls the constructor.
   */
  static fromConfig(this: new (...args: never[]) => Module, args: readonly JsonValue[], build: (spec: LayerSpec) => Module): Module {
    void build;
    return new this(...(args as never[]));
  }

  /**
   * The number of parameter values a module built from `args` would hold, if the class can tell
   * without building it (loadModel compares it with the file before allocating anything);
   * undefined when it cannot (the default). Built-in layers implement it.
   */
  static parameterCount(args: readonly JsonValue[], count: (spec: LayerSpec) => number | undefined): number | undefined {
    void args;
    void count;
    return undefined;
  }

  /** The module's own settings for toString(), e.g. "in_features=2, out_features=8, bias=True" (as torch prints it). */
  extraRepr(): string {
    return '';
  }

  /** PyTorch-style description of the module tree. */
  toString(): string {
    const name = this.typeName;
    if (this.childList.length === 0) return `${name}(${this.extraRepr()})`;
    const lines = this.childList.map(([n, c]) => `  (${n}): ${c.toString().split('\n').join('\n  ')}`);
    return `${name}(\n${lines.join('\n')}\n)`;
  }

  /**
   * Frees this module's memory (parameters, gradients, workspaces, and those of its children)
   * now instead of at garbage collection. The module and tensors it returned cannot be used
   * afterwards: forward, backward, parameters() and the state dict throw a StateError naming it.
   * Idempotent. `using model = new Sequential(…)` calls it at the end of the block.
   */
  dispose(): void {
    if (this.disposedFlag) return;
    this.disposedFlag = true;
    // forward/backward are the subclasses' own methods: shadow them on the instance, so every
    // layer (built-in or custom) refuses to run with freed memory.
    for (const method of ['forward', 'backward', 'backwardParameters'] as const) {
      Object.defineProperty(this, method, {
        configurable: true,
        writable: true,
        value: () => this.checkUsable(method),
      });
    }
    for (const [, child] of this.childList) child.dispose();
    for (const [, p] of this.ownParams) {
      if (!p.isDisposed) {
        p._releaseMemory();
        p.dispose();
      }
    }
    for (const [, b] of this.ownBuffers) b.tensor.dispose();
    for (const w of this.workspaces) w.dispose();
  }

  /** Same as dispose(), for `using model = …` (explicit resource management). */
  [disposeSymbol](): void {
    this.dispose();
  }
}

/**
 * Throws a ValueError naming `where` unless `model` is a Module (the one check of fit, evaluate,
 * predict and the model files; a disposed model is refused later, by the call that uses it).
 */
export function checkModule(where: string, model: unknown): Module {
  if (!(model instanceof Module)) throw new ValueError(`${where}: model must be a Module, got ${describe(model)}`);
  return model;
}
