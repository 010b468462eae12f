// Adversarial probes of the modules, losses, optimizers, schedulers, init and random API (issue
// 10, classes 2, 4 and 8). Each `it` is one probe that failed on main before this suite was
// written (checked by running this file against main's src/): it asserts the WasmnnError
// subclass, that the message names the argument or the object, and that parameters, gradients
// and optimizer state are exactly as they were before the rejected call.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as lib from '../../src/index.js';
import {
  Adam, CrossEntropyLoss, Generator, LeakyReLU, Linear, MSELoss, Module, ReLU, ReduceLROnPlateau, SGD, Sequential,
  Softmax, StateError, StepLR, Tensor, ValueError, WasmnnError, manualSeed, memoryStats, nn, clipGradNorm,
  type Optimizer, type OptimizerStateDict, type Parameter,
} from '../../src/index.js';
import { rawErrors, rejects } from '../helpers/trust.js';

/** A copy of a tensor's values. */
function read(t: Tensor): number[] {
  return Array.from(t.toFloat32Array());
}

/** Every parameter value and gradient of a model, flattened. */
function snapshot(params: readonly Parameter[]): { values: number[]; grads: number[] } {
  return { values: params.flatMap((p) => read(p)), grads: params.flatMap((p) => read(p.grad)) };
}

function mlp(): Sequential {
  manualSeed(7);
  return new Sequential(new Linear(3, 4), new ReLU(), new Linear(4, 2));
}

/** A model with non-zero gradients and an Adam optimizer that has taken two steps. */
function trained(): { model: Sequential; opt: Adam; loss: MSELoss; x: Tensor; y: Tensor } {
  const model = mlp();
  const opt = new Adam(model.parameters(), { lr: 0.01 });
  const loss = new MSELoss();
  const x = Tensor.from([[1, 2, 3], [-1, 0.5, 2]]);
  const y = Tensor.from([[0, 1], [1, 0]]);
  for (let i = 0; i < 2; i++) {
    opt.zeroGrad();
    loss.forward(model.forward(x), y);
    model.backward(loss.backward());
    opt.step();
  }
  loss.forward(model.forward(x), y);
  model.backward(loss.backward()); // gradients left non-zero on purpose
  return { model, opt, loss, x, y };
}

function optState(opt: Optimizer): string {
  const d = opt.stateDict();
  return JSON.stringify({ step: d.step, groups: d.paramGroups, state: d.state.map((e) => Object.entries(e).map(([k, v]) => [k, Array.from(v)])) });
}

describe('trust: a disposed object refuses to be used', () => {
  it('opt.dispose(); opt.step() is a StateError naming the optimizer, and the weights do not move', () => {
    const { model, opt } = trained();
    const before = snapshot(model.parameters());
    opt.dispose();
    rejects(() => opt.step(), StateError, /Adam\.step: .*disposed/);
    expect(snapshot(model.parameters())).toEqual(before);
  });

  it('opt.dispose(); opt.zeroGrad() is a StateError and the gradients stay', () => {
    const { model, opt } = trained();
    const before = snapshot(model.parameters());
    opt.dispose();
    rejects(() => opt.zeroGrad(), StateError, /Adam\.zeroGrad: .*disposed/);
    expect(snapshot(model.parameters())).toEqual(before);
  });

  it('a disposed optimizer refuses lr =, stateDict() and loadStateDict()', () => {
    const { opt } = trained();
    const state = opt.stateDict();
    opt.dispose();
    rejects(() => { opt.lr = 0.5; }, StateError, /Adam\.lr: .*disposed/);
    expect(opt.lr).toBe(0.01);
    rejects(() => opt.stateDict(), StateError, /Adam\.stateDict: .*disposed/);
    rejects(() => opt.loadStateDict(state), StateError, /Adam\.loadStateDict: .*disposed/);
  });

  it('a disposed Loss refuses forward (it does not silently re-allocate its workspace) and backward', () => {
    const loss = new MSELoss();
    const p = Tensor.from([[1, 2]]), t = Tensor.from([[0, 0]]);
    loss.forward(p, t);
    loss.dispose();
    const bytes = memoryStats().bytesInUse;
    rejects(() => loss.forward(p, t), StateError, /MSELoss\.forward: .*disposed/);
    rejects(() => loss.backward(), StateError, /MSELoss\.backward: .*disposed/);
    expect(memoryStats().bytesInUse).toBe(bytes);
  });

  it('a disposed CrossEntropyLoss refuses forward with array targets', () => {
    const loss = new CrossEntropyLoss();
    loss.dispose();
    rejects(() => loss.forward(Tensor.from([[1, 2]]), [1]), StateError, /CrossEntropyLoss\.forward: .*disposed/);
  });

  it('a disposed model refuses forward with a StateError naming the model', () => {
    const model = mlp();
    model.dispose();
    rejects(() => model.forward(Tensor.from([[1, 2, 3]])), StateError, /Sequential\.forward: this Sequential has been disposed/);
    rejects(() => model.backward(Tensor.from([[1, 2]])), StateError, /Sequential\.backward: .*disposed/);
  });

  it('a disposed model refuses parameters(), stateDict() and zeroGrad(), naming the module', () => {
    const layer = new Linear(3, 2);
    layer.dispose();
    rejects(() => layer.parameters(), StateError, /Linear\.parameters: .*disposed/);
    rejects(() => layer.stateDict(), StateError, /Linear\.stateDict: .*disposed/);
    rejects(() => layer.zeroGrad(), StateError, /Linear\.zeroGrad: .*disposed/);
  });

  it('a disposed layer cannot be appended to a Sequential', () => {
    const layer = new Linear(3, 2);
    layer.dispose();
    const model = new Sequential(new ReLU());
    rejects(() => model.append(layer), StateError, /Linear\) has been disposed/);
    expect(model.length).toBe(1);
  });

  it('`using` frees a model, its optimizer and its loss at the end of the block: memory back to the baseline', () => {
    const x = Tensor.from([[1, 2, 3], [4, 5, 6]]), y = Tensor.from([[0, 1], [1, 0]]);
    const baseline = memoryStats().bytesInUse;
    {
      using model = new Sequential(new Linear(3, 8), new lib.Tanh(), new Linear(8, 2), new lib.Softmax());
      using opt = new Adam(model.parameters(), { amsgrad: true });
      using loss = new MSELoss();
      for (let i = 0; i < 3; i++) {
        opt.zeroGrad();
        loss.forward(model.forward(x), y);
        model.backward(loss.backward());
        opt.step();
      }
      expect(memoryStats().bytesInUse).toBeGreaterThan(baseline);
    }
    expect(memoryStats().bytesInUse).toBe(baseline);
  });

  it('Module, Loss and Optimizer implement Symbol.dispose (`using model = …`)', () => {
    const model = mlp();
    const opt = new SGD(model.parameters());
    const loss = new MSELoss();
    const before = memoryStats().bytesInUse;
    for (const o of [opt, loss, model]) (o as unknown as Disposable)[Symbol.dispose]();
    expect(model.isDisposed && opt.isDisposed && loss.isDisposed).toBe(true);
    expect(memoryStats().bytesInUse).toBeLessThan(before);
  });
});

describe('trust: a rejected call changes nothing', () => {
  it('after a rejected loss.forward, loss.backward() is a StateError, not the previous gradient', () => {
    const loss = new MSELoss();
    loss.forward(Tensor.from([[1, 2]]), Tensor.from([[0, 0]]));
    rejects(() => loss.forward(Tensor.from([[1, 2]]), Tensor.from([[0, 0, 0]])), lib.ShapeError, /target must have the prediction's shape/);
    rejects(() => loss.backward(), StateError, /MSELoss\.backward: called before a successful forward/);
  });

  it('after a rejected Linear.forward, Linear.backward is a StateError and accumulates nothing', () => {
    const layer = new Linear(3, 4);
    layer.forward(Tensor.from([[1, 2, 3]]));
    rejects(() => layer.forward(Tensor.from([[1, 2, 3, 4, 5]])), lib.ShapeError, /Linear\.forward: input must have shape \[batch, 3\]/);
    const before = snapshot(layer.parameters());
    rejects(() => layer.backward(Tensor.from([[1, 1, 1, 1]])), StateError, /Linear\.backward: called before a successful forward/);
    expect(snapshot(layer.parameters())).toEqual(before);
  });

  it('an optimizer rejected for a bad option moves no parameter (another optimizer over them keeps working)', () => {
    const model = mlp();
    const opt = new Adam(model.parameters(), { lr: 0.01 });
    const first = model.parameters()[0]!;
    rejects(() => new SGD([first], { momentum: -1 }), ValueError, /SGD: momentum must be ≥ 0, got -1/);
    rejects(() => new Adam([first], { betas: [0.9, 2] }), ValueError, /Adam: betas\[1\] must be < 1, got 2/);
    expect(() => opt.step()).not.toThrow(); // on main, the rejected constructors had moved `first` out of opt's block
  });

  it('lr = 1e39 is refused (it would be Infinity in float32) and leaves the weights as they were', () => {
    const model = mlp();
    const before = snapshot(model.parameters());
    rejects(() => new SGD(model.parameters(), { lr: 1e39 }), ValueError, /SGD: lr must lie within the float32 range/);
    rejects(() => new LeakyReLU(1e39), ValueError, /LeakyReLU: negativeSlope must lie within the float32 range/);
    expect(snapshot(model.parameters())).toEqual(before);
  });

  it('a hyper-parameter that rounds out of range in float32 is refused (β2 = 1 - 1e-9 is 1 in the kernel)', () => {
    const model = mlp();
    const before = snapshot(model.parameters());
    rejects(() => new Adam(model.parameters(), { betas: [0.9, 1 - 1e-9] }), ValueError, /Adam: betas\[1\] = 0\.999999999 rounds to 1 in float32/);
    rejects(() => new lib.Softplus({ beta: 1e-46 }), ValueError, /Softplus: beta = 1e-46 rounds to 0 in float32/);
    expect(snapshot(model.parameters())).toEqual(before);
  });

  it('a Sequential forward rejected half-way makes backward a StateError, gradients untouched', () => {
    const model = new Sequential(new ReLU(), new Linear(3, 2));
    model.forward(Tensor.from([[1, 2, 3], [4, 5, 6], [7, 8, 9]]));
    rejects(() => model.forward(Tensor.from([[1, 2, 3, 4, 5]])), lib.ShapeError, /Linear\.forward: input must have shape \[batch, 3\]/);
    const before = snapshot(model.parameters());
    rejects(() => model.backward(Tensor.from([[1, 1], [1, 1], [1, 1]])), StateError, /Sequential\.backward: called before a successful forward/);
    expect(snapshot(model.parameters())).toEqual(before);
  });

  it('a Sequential backward whose first layer lost its input accumulates into no gradient', () => {
    const model = mlp();
    const x = Tensor.from([[1, 2, 3]]);
    model.forward(x);
    x.dispose();
    const before = snapshot(model.parameters());
    rejects(() => model.backward(Tensor.from([[1, 1]])), StateError, /Linear\.backward: the input of the last forward\(\).*disposed/);
    expect(snapshot(model.parameters())).toEqual(before);
  });

  it('a layer constructor that fails after allocating frees what it allocated', () => {
    const before = memoryStats().bytesInUse;
    const failing = { uniform: () => { throw new ValueError('generator exhausted'); }, normal: () => 0 };
    rejects(() => new Linear(64, 64, { generator: failing as unknown as Generator }), ValueError, /generator exhausted/);
    expect(memoryStats().bytesInUse).toBe(before);
  });

  it('ReduceLROnPlateau.step(NaN) is rejected before the epoch advances', () => {
    const model = mlp();
    const opt = new SGD(model.parameters(), { lr: 0.1 });
    const sched = new ReduceLROnPlateau(opt, { patience: 0 });
    sched.step(1);
    rejects(() => sched.step(NaN), ValueError, /ReduceLROnPlateau\.step: metric must be a finite number, got NaN/);
    expect(sched.epoch).toBe(1);
    expect(opt.lr).toBe(0.1);
  });

  it('module.train() with a non-boolean is refused and the mode stays', () => {
    const model = mlp();
    rejects(() => model.train('no' as unknown as boolean), ValueError, /Sequential\.train: mode must be true or false, got 'no'/);
    expect(model.training).toBe(true);
    expect(model.at(0).training).toBe(true);
  });
});

describe('trust: state dicts are checked in float32 before anything changes', () => {
  it('Module.loadStateDict refuses 1e39 (Infinity in float32), naming key and index', () => {
    const model = mlp();
    const before = snapshot(model.parameters());
    const dict = model.stateDict();
    dict['2.bias']!.data = Float64Array.from([0.5, 1e39]) as unknown as Float32Array;
    rejects(() => model.loadStateDict(dict), ValueError, /'2\.bias' has 1e\+39 at index 1 \(beyond the float32 range/);
    expect(snapshot(model.parameters())).toEqual(before);
  });

  it('Optimizer.loadStateDict refuses a negative second moment, naming the buffer and index', () => {
    const { opt } = trained();
    const state = opt.stateDict();
    const before = optState(opt);
    state.state[1]!.expAvgSq![2] = -1;
    rejects(() => opt.loadStateDict(state), ValueError, /state\[1\]\.expAvgSq must be ≥ 0 everywhere, has -1 at index 2/);
    expect(optState(opt)).toBe(before);
  });

  it('Optimizer.loadStateDict refuses NaN and Infinity in a first moment', () => {
    const { opt } = trained();
    const before = optState(opt);
    for (const bad of [NaN, Infinity]) {
      const state = opt.stateDict();
      state.state[0]!.expAvg![0] = bad;
      rejects(() => opt.loadStateDict(state), ValueError, new RegExp(`state\\[0\\]\\.expAvg has ${bad} at index 0`));
    }
    expect(optState(opt)).toBe(before);
  });

  it('Optimizer.loadStateDict with a null state entry is a ValueError, not a TypeError', () => {
    const { opt } = trained();
    const state = opt.stateDict();
    (state.state as unknown[])[0] = null;
    rejects(() => opt.loadStateDict(state), ValueError, /state\[0\] must be an object of named buffers, got null/);
  });

  it('Optimizer.loadStateDict refuses a step beyond 2^53 - 1', () => {
    const { opt } = trained();
    const before = optState(opt);
    rejects(() => opt.loadStateDict({ ...opt.stateDict(), step: 2 ** 53 }), ValueError, /step must be an integer, got 9007199254740992/);
    expect(optState(opt)).toBe(before);
  });

  it('Optimizer.loadStateDict refuses state without moments at step > 0 (the old moments would stay)', () => {
    const { opt } = trained();
    const before = optState(opt);
    const dict: OptimizerStateDict = { ...opt.stateDict(), state: opt.stateDict().state.map(() => ({})) };
    rejects(() => opt.loadStateDict(dict), ValueError, /step is 2 but the state has no buffers/);
    expect(optState(opt)).toBe(before);
  });
});

describe('trust: no raw JavaScript errors, every argument named', () => {
  it('new Linear(2, 3, { generator: 42 }) is a ValueError naming generator', () => {
    rejects(() => new Linear(2, 3, { generator: 42 as unknown as Generator }), ValueError, /Linear: generator must be a Generator.*got 42/);
  });

  it('init functions refuse a missing tensor and a non-generator', () => {
    rejects(() => nn.init.uniform(null as unknown as Tensor), ValueError, /init\.uniform: t must be a Tensor, got null/);
    const w = Tensor.zeros([3, 2]);
    rejects(() => nn.init.kaimingUniform(w, { generator: {} as Generator }), ValueError, /init\.kaimingUniform: generator must be a Generator/);
    rejects(() => nn.init.constant(w, 1e39), ValueError, /init\.constant: value must lie within the float32 range/);
    rejects(() => nn.init.calculateGain('leaky_relu', NaN), ValueError, /calculateGain: param must be a finite number, got NaN/);
    expect(read(w)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('manualSeed refuses fractional and unsafe seeds instead of truncating them', () => {
    rejects(() => manualSeed(1.5), ValueError, /manualSeed: seed must be an integer.*got 1\.5/);
    rejects(() => manualSeed(2 ** 53), ValueError, /seed must be an integer.*got 9007199254740992/);
    rejects(() => new Generator('3' as unknown as number), ValueError, /got '3' \(a string\)/);
  });

  it('Generator methods refuse NaN bounds and negative sizes', () => {
    const g = new Generator(1);
    rejects(() => g.permutation(-1), ValueError, /Generator\.permutation: n must be an integer/);
    rejects(() => g.uniform(NaN, 1), ValueError, /Generator\.uniform: low and high must be finite/);
    rejects(() => g.normal(0, -1), ValueError, /Generator\.normal: .*std a finite number ≥ 0/);
  });

  it('clipGradNorm(null, 1) is a ValueError naming params', () => {
    rejects(() => clipGradNorm(null as unknown as Parameter[], 1), ValueError, /clipGradNorm: params must be an array/);
    rejects(() => clipGradNorm([Tensor.zeros([2]) as Parameter], 1), ValueError, /clipGradNorm: params\[0\] must be a Parameter/);
  });

  it('schedulers refuse a missing options object and a non-optimizer', () => {
    const opt = new SGD(mlp().parameters(), { lr: 0.1 });
    rejects(() => new StepLR(opt, undefined as unknown as { stepSize: number }), ValueError, /StepLR: options are required/);
    rejects(() => new StepLR(null as unknown as Optimizer, { stepSize: 1 }), ValueError, /StepLR: optimizer must be an Optimizer, got null/);
    expect(opt.lr).toBe(0.1);
  });

  it('Sequential.at refuses a string index instead of returning a layer', () => {
    rejects(() => mlp().at('1' as unknown as number), ValueError, /Sequential\.at: index must be a finite number, got '1'/);
    rejects(() => mlp().at(1.5), ValueError, /Sequential\.at: index must be an integer, got 1\.5/);
  });

  it('a Sequential cannot contain itself (no endless recursion in parameters())', () => {
    const model = mlp();
    const outer = new Sequential(model);
    rejects(() => model.append(outer), ValueError, /contains this module/);
    rejects(() => model.append(model), ValueError, /contains this module/);
    expect(model.parameters()).toHaveLength(4);
  });

  it('a module used twice in one model is refused (backward would see only its last input)', () => {
    const shared = new Linear(3, 3);
    rejects(() => new Sequential(shared, new ReLU(), shared), ValueError, /would make Linear appear twice in this model/);
    const inner = new Sequential(shared);
    rejects(() => new Sequential(shared, inner), ValueError, /appear twice/);
  });

  it('an option set to null is refused instead of silently meaning the default', () => {
    rejects(() => new Linear(2, 3, { bias: null as unknown as boolean }), ValueError, /Linear: option 'bias' is null/);
    const model = mlp();
    const before = snapshot(model.parameters());
    rejects(() => new Adam(model.parameters(), { lr: null as unknown as number }), ValueError, /Adam: option 'lr' is null/);
    rejects(() => new MSELoss({ reduction: null as unknown as 'sum' }), ValueError, /MSELoss: option 'reduction' is null/);
    expect(snapshot(model.parameters())).toEqual(before);
  });

  it('Softmax(dim = 1.5) is a ValueError naming dim', () => {
    rejects(() => new Softmax(1.5), ValueError, /Softmax: dim must be an integer, got 1\.5/);
  });
});

describe('trust: divergence is an error class', () => {
  it('a NaN loss is a NonFiniteLossError (a ValueError) that says where the NaN is', () => {
    const e = rejects(() => new MSELoss().forward(Tensor.from([[1, NaN]]), Tensor.from([[0, 0]])), ValueError, /the loss is NaN: the prediction has NaN at flat index 1/);
    expect(e).toBeInstanceOf(lib.NonFiniteLossError);
    expect(e.name).toBe('NonFiniteLossError');
    expect((e as InstanceType<typeof lib.NonFiniteLossError>).source).toBe('prediction');
    expect((e as InstanceType<typeof lib.NonFiniteLossError>).index).toBe(1);
  });

  it('fit reports divergence as a NonFiniteLossError too (not a plain ValueError matched by message)', () => {
    manualSeed(3);
    const model = new Sequential(new Linear(1, 1));
    const x = Tensor.from([[1e3], [2e3]]), y = Tensor.from([[1], [2]]);
    const e = rejects(() => lib.fit(model, { loss: new MSELoss(), optimizer: new SGD(model.parameters(), { lr: 1e6 }), x, y, epochs: 50, batchSize: 2 }),
      ValueError, /fit: training diverged at epoch \d+, batch 1: MSELoss\.forward: the loss is (NaN|Infinity)/);
    expect(e).toBeInstanceOf(lib.NonFiniteLossError);
    expect((e as InstanceType<typeof lib.NonFiniteLossError>).source).toMatch(/prediction|overflow/);
  });

  it('an infinite target is reported as the target', () => {
    const e = rejects(() => new MSELoss().forward(Tensor.from([1, 2]), Tensor.from([0, -Infinity])), ValueError, /the target has -Infinity at flat index 1/);
    expect((e as InstanceType<typeof lib.NonFiniteLossError>).source).toBe('target');
  });
});

describe('trust: properties (fast-check)', () => {
  const weird = fc.oneof(
    fc.constantFrom(null, undefined, NaN, Infinity, -Infinity, 1e39, -1e39, -1, 1.5, '2', true),
    fc.constant({}), fc.constant([]), fc.double({ noNaN: true }),
  );

  it('any rejected optimizer construction leaves an existing optimizer over the same parameters working', () => {
    const makers: Array<(p: Parameter[], o: unknown) => unknown> = [
      (p, o) => new SGD(p, o as never), (p, o) => new Adam(p, o as never), (p, o) => new lib.AdamW(p, o as never),
      (p, o) => new lib.Adagrad(p, o as never), (p, o) => new lib.RMSprop(p, o as never),
    ];
    const keys = ['lr', 'momentum', 'eps', 'weightDecay', 'alpha', 'lrDecay', 'betas', 'amsgrad', 'centered'];
    let rejected = 0;
    fc.assert(fc.property(fc.integer({ min: 0, max: makers.length - 1 }), fc.constantFrom(...keys), weird, (mi, key, value) => {
      const model = mlp();
      const opt = new SGD(model.parameters(), { lr: 0.1 });
      const subset = model.parameters().slice(1, 3);
      try {
        makers[mi]!(subset, { [key]: value });
        return; // accepted: nothing to check
      } catch (e) {
        expect(e).toBeInstanceOf(WasmnnError);
        expect((e as Error).message).toMatch(new RegExp(`${key}|unknown option`));
        rejected++;
      }
      expect(() => opt.step()).not.toThrow();
      model.dispose();
    }), { numRuns: 300 });
    expect(rejected).toBeGreaterThan(100);
  });

  it('after any rejected loss.forward, backward() is a StateError', () => {
    const losses = [new MSELoss(), new lib.L1Loss(), new lib.HuberLoss(), new lib.BCEWithLogitsLoss(), new lib.BCELoss(), new CrossEntropyLoss()];
    const value = fc.oneof(fc.double({ min: -3, max: 3, noNaN: true }), fc.constantFrom(NaN, Infinity, -Infinity, 1e39));
    let rejected = 0;
    fc.assert(fc.property(fc.integer({ min: 0, max: losses.length - 1 }), fc.array(value, { minLength: 4, maxLength: 4 }), fc.oneof(fc.array(value, { minLength: 4, maxLength: 4 }), weird), (li, pv, tv) => {
      const loss = losses[li]!;
      loss.forward(Tensor.from([[0.5, 0.5], [0.5, 0.5]]), li === 5 ? [0, 1] : Tensor.from([[0, 1], [1, 0]]));
      let pred: Tensor, target: unknown;
      try {
        // Tensor.from may refuse values such as 1e39 itself: then there is no forward to probe.
        pred = Tensor.from(pv, [2, 2]);
        target = Array.isArray(tv) && tv.length === 4 ? (li === 5 ? tv.slice(0, 2) : Tensor.from(tv, [2, 2])) : tv;
      } catch (e) {
        expect(e).toBeInstanceOf(WasmnnError);
        return;
      }
      try {
        loss.forward(pred, target);
        expect(loss.backward().shape).toEqual([2, 2]);
      } catch (e) {
        expect(e).toBeInstanceOf(WasmnnError);
        rejected++;
        rejects(() => loss.backward(), StateError, /backward: called before a successful forward/);
      }
    }), { numRuns: 300 });
    expect(rejected).toBeGreaterThan(100);
  });

  it('Module.loadStateDict accepts exactly the values that are finite in float32, and changes nothing otherwise', () => {
    const model = mlp();
    const entry = fc.oneof(fc.double({ min: -3e38, max: 3e38, noNaN: true }), fc.constantFrom(NaN, Infinity, 1e39, -3.5e38, 3.4e38));
    fc.assert(fc.property(fc.array(entry, { minLength: 2, maxLength: 2 }), (bias) => {
      const dict = model.stateDict();
      dict['2.bias'] = { shape: [2], data: bias as unknown as Float32Array };
      const before = snapshot(model.parameters());
      const ok = bias.every((v) => Number.isFinite(Math.fround(v)));
      if (ok) {
        model.loadStateDict(dict);
        expect(read(model.at(2).parameters()[1]!)).toEqual(bias.map(Math.fround));
      } else {
        rejects(() => model.loadStateDict(dict), ValueError, /'2\.bias' has .* at index [01]/);
        expect(snapshot(model.parameters())).toEqual(before);
      }
    }), { numRuns: 300 });
  });

  it('Module subclasses written by users get the disposed-refusal too', () => {
    class Twice extends Module {
      static override readonly typeName: string = 'Twice';
      forward(x: Tensor): Tensor { return x; }
      backward(g: Tensor): Tensor { return g; }
    }
    const m = new Twice();
    m.dispose();
    rejects(() => m.forward(Tensor.from([1])), StateError, /Twice\.forward: this Twice has been disposed/);
  });
});

describe('trust: a scan of every export in nn/ (with the convolution and normalisation layers), losses/, optim/, nn.init and random', () => {
  /** Hostile arguments: wrong types, non-finite and out-of-float32 numbers, unusable tensors. */
  function hostile(): Array<[string, unknown]> {
    const disposed = Tensor.zeros([2, 3]);
    disposed.dispose();
    const layer = new Linear(3, 3);
    const stale = layer.forward(Tensor.zeros([1, 3]));
    layer.forward(Tensor.zeros([1, 3]));
    return [
      ['null', null], ['undefined', undefined], ['NaN', NaN], ['Infinity', Infinity], ['-Infinity', -Infinity],
      ['1e39', 1e39], ['-1', -1], ['1.5', 1.5], ["'2'", '2'], ['{}', {}], ['[]', []], ['0', 0], ['true', true],
      ['a disposed tensor', disposed], ['a rank-3 tensor', Tensor.zeros([2, 3, 4])], ['a stale view', stale],
      ['a function', () => 1], ['[1, 2, 3]', [1, 2, 3]], ['a [2, 3] tensor', Tensor.zeros([2, 3])],
      ['a [3] tensor', Tensor.zeros([3])], ['a symbol', Symbol('x')], ['a bigint', 10n],
    ];
  }
  type Call = (v: never) => unknown;
  const ctor = (C: unknown): Call => (v) => new (C as new (v: unknown) => unknown)(v);
  const model = (): Sequential => new Sequential(new Linear(3, 2), new ReLU());

  function calls(): Array<[string, Call]> {
    const out: Array<[string, Call]> = [];
    const modules = { Linear, LeakyReLU, ELU: lib.ELU, Softplus: lib.Softplus, Softmax, Sequential, ReLU, Tanh: lib.Tanh, GELU: lib.GELU };
    const losses = { MSELoss, L1Loss: lib.L1Loss, HuberLoss: lib.HuberLoss, SmoothL1Loss: lib.SmoothL1Loss, BCELoss: lib.BCELoss, BCEWithLogitsLoss: lib.BCEWithLogitsLoss, CrossEntropyLoss };
    for (const [name, C] of Object.entries({ ...modules, ...losses, Generator })) out.push([`new ${name}(v)`, ctor(C)]);
    out.push(['new Linear(3, v)', (v) => new Linear(3, v)], ['new Linear(3, 2, { bias: v })', (v) => new Linear(3, 2, { bias: v })]);
    const spatial = { Conv2d: lib.Conv2d, MaxPool2d: lib.MaxPool2d, AvgPool2d: lib.AvgPool2d, BatchNorm1d: lib.BatchNorm1d, BatchNorm2d: lib.BatchNorm2d, LayerNorm: lib.LayerNorm };
    for (const [name, C] of Object.entries(spatial)) out.push([`new ${name}(v)`, ctor(C)]);
    out.push(
      ['new Conv2d(2, 2, v)', (v) => new lib.Conv2d(2, 2, v)], ['new Conv2d(2, 2, 3, v)', (v) => new lib.Conv2d(2, 2, 3, v)],
      ['new BatchNorm2d(2, v)', (v) => new lib.BatchNorm2d(2, v)], ['new LayerNorm(3, v)', (v) => new lib.LayerNorm(3, v)],
      ['new AvgPool2d(2, v)', (v) => new lib.AvgPool2d(2, v)],
    );
    const layers = [() => new lib.Conv2d(2, 2, 3), () => new lib.MaxPool2d(2), () => new lib.BatchNorm2d(2), () => new lib.LayerNorm(3)];
    layers.forEach((make, i) => {
      out.push([`layer${i}.forward(v)`, (v) => make().forward(v)], [`layer${i}.backward(v)`, (v) => make().backward(v)]);
    });
    const optimizers = { SGD, Adam, AdamW: lib.AdamW, Adagrad: lib.Adagrad, RMSprop: lib.RMSprop };
    for (const [name, C] of Object.entries(optimizers)) {
      const O = C as unknown as new (p: unknown, o?: unknown) => Optimizer;
      out.push([`new ${name}(v)`, (v) => new O(v)], [`new ${name}(params, v)`, (v) => new O(model().parameters(), v)]);
      for (const key of ['lr', 'momentum', 'betas', 'eps', 'weightDecay', 'alpha', 'lrDecay', 'initialAccumulatorValue', 'dampening', 'nesterov', 'amsgrad', 'centered', 'maximize']) {
        out.push([`new ${name}(params, { ${key}: v })`, (v) => new O(model().parameters(), { [key]: v })]);
      }
      out.push([`${name}.loadStateDict(v)`, (v) => new O(model().parameters()).loadStateDict(v)]);
      out.push([`${name}.lr = v`, (v) => { new O(model().parameters()).lr = v; }]);
    }
    const schedulers = { StepLR, ExponentialLR: lib.ExponentialLR, CosineAnnealingLR: lib.CosineAnnealingLR, ReduceLROnPlateau };
    for (const [name, C] of Object.entries(schedulers)) {
      const S = C as unknown as new (o: unknown, opts?: unknown) => { step(m?: unknown): void };
      const opts = name === 'ReduceLROnPlateau' ? {} : { stepSize: 1, gamma: 0.5, tMax: 3 };
      out.push([`new ${name}(v, options)`, (v) => new S(v, { stepSize: 1, gamma: 0.5, tMax: 3 })]);
      out.push([`new ${name}(optimizer, v)`, (v) => new S(new SGD(model().parameters()), v)]);
      out.push([`${name}.step(v)`, (v) => new S(new SGD(model().parameters()), opts).step(v)]);
    }
    out.push(
      ['model.forward(v)', (v) => model().forward(v)],
      ['model.backward(v)', (v) => { const m = model(); m.forward(Tensor.zeros([2, 3])); m.backward(v); }],
      ['model.loadStateDict(v)', (v) => model().loadStateDict(v)],
      ["model.loadStateDict({ '0.weight': v })", (v) => model().loadStateDict({ '0.weight': v, '0.bias': { data: [0, 0] } })],
      ["model.loadStateDict({ '0.weight': { data: v } })", (v) => model().loadStateDict({ '0.weight': { data: v }, '0.bias': { data: [0, 0] } })],
      ["model.loadStateDict({ '0.weight': { shape: v } })", (v) => model().loadStateDict({ '0.weight': { shape: v, data: [0, 0, 0, 0, 0, 0] }, '0.bias': { data: [0, 0] } })],
      ['model.namedParameters(v)', (v) => model().namedParameters(v)],
      ['model.train(v)', (v) => model().train(v)],
      ['model.at(v)', (v) => model().at(v)],
      ['model.append(v)', (v) => model().append(v)],
      ['clipGradNorm(v, 1)', (v) => clipGradNorm(v, 1)],
      ['clipGradNorm(params, v)', (v) => clipGradNorm(model().parameters(), v)],
      ['manualSeed(v)', (v) => manualSeed(v)],
      ['generator.permutation(3, v)', (v) => new Generator(1).permutation(3, v)],
      ['generator.uniform(0, v)', (v) => new Generator(1).uniform(0, v)],
    );
    for (const [name, L] of Object.entries(losses)) {
      const loss = L as unknown as new () => { forward(p: unknown, t: unknown): number };
      out.push([`${name}.forward(v, target)`, (v) => new loss().forward(v, Tensor.zeros([2, 3]))]);
      out.push([`${name}.forward(prediction, v)`, (v) => new loss().forward(Tensor.zeros([2, 3]), v)]);
    }
    for (const method of ['randint', 'permutation', 'uniform', 'normal', 'manualSeed'] as const) {
      out.push([`generator.${method}(v)`, (v) => (new Generator(1)[method] as (v: unknown) => unknown)(v)]);
    }
    for (const [name, f] of Object.entries(nn.init)) {
      const fn = f as (...a: unknown[]) => unknown;
      out.push([`init.${name}(v)`, (v) => fn(v)], [`init.${name}(t, v)`, (v) => fn(Tensor.zeros([3, 2]), v)]);
      out.push([`init.${name}(t, 0, v)`, (v) => fn(Tensor.zeros([3, 2]), 0, v)], [`init.${name}(t, 0, 1, v)`, (v) => fn(Tensor.zeros([3, 2]), 0, 1, v)]);
    }
    return out;
  }

  it('no hostile argument gets anything but a WasmnnError out of any of them', () => {
    const { raw, total } = rawErrors(calls(), hostile());
    expect(total).toBeGreaterThan(2000);
    expect(raw).toEqual([]);
  });
});
