// Round 5 probes of the round-4 layers, losses and training entry points. Each case failed before
// its fix: a raw TypeError / RangeError, an 'internal:' error, a state changed by a rejected call,
// a value silently rounded, or a message that said the wrong thing.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  BatchNorm1d, BatchNorm2d, Conv2d, CrossEntropyLoss, DataLoader, Dropout, Flatten, Generator, LabelEncoder, Linear, MSELoss, Module, NLLLoss, OutOfMemoryError,
  Parameter, ReLU, SGD, Sequential, ShapeError, StateError, Tensor, ValueError, encodeSafetensors, evaluate, fit, gradcheck, loadModel, memoryStats, predict, saveModel,
} from '../../src/index.js';
import { grads, rejects, seededData as data, state, values } from '../helpers/trust.js';


describe('round 5: Conv2d whose output no memory can hold', () => {
  it("padding 2^24 is an OutOfMemoryError naming the layer (it was ValueError 'internal: cannot allocate …': the byte count passed 2^53)", () => {
    const conv = new Conv2d(3, 4, 3, { padding: 2 ** 24, generator: new Generator(1) });
    const x = Tensor.zeros([1, 3, 8, 8]);
    const before = memoryStats().bytesInUse;
    rejects(() => conv.forward(x), OutOfMemoryError, /^Conv2d\(3, 4\)\.forward: cannot allocate .*\(\d+ bytes\)/);
    expect(memoryStats().bytesInUse).toBe(before);
    rejects(() => conv.backward(Tensor.zeros([1, 4, 6, 6])), StateError, /called before a successful forward/);
  });
});

describe('round 5: class-index targets given as bigints', () => {
  const logits = (): Tensor => Tensor.from([[1, 2, 3], [3, 1, 0]]);

  it("a BigInt64Array (torch's int64 class indices) is read as numbers (it threw a raw TypeError: Cannot mix BigInt and other types)", () => {
    const expected = new CrossEntropyLoss().forward(logits(), [0, 2]);
    expect(new CrossEntropyLoss().forward(logits(), new BigInt64Array([0n, 2n]))).toBe(expected);
    const logp = Tensor.from([[-1, -2, -0.5], [-0.1, -3, -2]]);
    expect(new NLLLoss().forward(logp, new BigInt64Array([0n, 2n]))).toBe(new NLLLoss().forward(logp, [0, 2]));
    rejects(() => new NLLLoss().forward(logp, new BigInt64Array([0n, 3n])), ValueError, /^NLLLoss\.forward: target\[1\] = 3 is not a class index in \[0, 2\]/);
    rejects(() => new NLLLoss().forward(logp, new BigInt64Array([0n, 2n ** 40n])), ValueError, /target\[1\] = 1099511627776 is not a class index/);
  });

  it('an array holding a bigint is a ValueError naming the element (it was a raw TypeError: Cannot convert a BigInt value to a number)', () => {
    rejects(() => new CrossEntropyLoss().forward(logits(), [0, 1n] as never), ValueError,
      /^CrossEntropyLoss\.forward: target\[1\] = 1n \(a bigint\) is not a class index/);
    rejects(() => new NLLLoss().forward(logits(), [0n, 1] as never), ValueError, /^NLLLoss\.forward: target\[0\] = 0n \(a bigint\)/);
  });

  it('LabelEncoder.decode names a bigint as one (it said "index 0 is 0, expected an integer")', () => {
    rejects(() => new LabelEncoder().fit(['a', 'b']).decode(new BigInt64Array([0n]) as never), ValueError, /index 0 is 0n \(a bigint\)/);
  });
});

describe('round 5: Tensor.from on arrays nested without end', () => {
  it('a cyclic array is a ShapeError (it grew the shape array until V8 ran out of heap and killed the process), a 10 000-deep one too (a raw RangeError: call stack)', () => {
    const cyclic: unknown[] = [1];
    cyclic[0] = cyclic;
    rejects(() => Tensor.from(cyclic as never), ShapeError, /^Tensor\.from: data is nested more than 64 arrays deep/);
    let deep: unknown = [1];
    for (let i = 0; i < 10_000; i++) deep = [deep];
    rejects(() => Tensor.from(deep as never), ShapeError, /nested more than 64 arrays deep/);
    let ok: unknown = [2];
    for (let i = 0; i < 63; i++) ok = [ok];
    expect(Tensor.from(ok as never).shape).toEqual([...new Array<number>(63).fill(1), 1]);
  });
});

describe('round 5: registerBuffer / registerParameter / registerModule (custom layers)', () => {
  class Custom extends Module {
    static override readonly typeName: string = 'Custom';
    constructor(register: (m: Custom) => void) {
      super();
      register(this);
    }
    buffer(name: unknown, t: unknown, dtype?: unknown, min?: unknown): void {
      this.registerBuffer(name as string, t as Tensor, dtype as 'F32', min as number);
    }
    parameter(name: unknown, p: unknown): void {
      this.registerParameter(name as string, p as Parameter);
    }
    child(name: unknown, m: Module): void {
      this.registerModule(name as string, m);
    }
    forward(x: Tensor): Tensor {
      return x;
    }
    backward(g: Tensor): Tensor {
      return g;
    }
  }

  it("names as torch allows them: non-empty strings without '.', not '__proto__', once per module (a duplicate's state dict could not be loaded back)", () => {
    for (const [name, message] of [
      ['a.b', /^Custom: buffer name 'a\.b' cannot contain '\.'/], ['', /^Custom: a buffer name must be a non-empty string, got ''/],
      [5, /a buffer name must be a non-empty string, got 5/], [null, /got null/], ['__proto__', /buffer name '__proto__' is reserved/],
    ] as const) {
      rejects(() => new Custom((m) => m.buffer(name, Tensor.zeros([2]))), ValueError, message);
    }
    rejects(() => new Custom((m) => {
      m.buffer('x', Tensor.zeros([1]));
      m.buffer('x', Tensor.zeros([2]));
    }), ValueError, /^Custom: this module already has a parameter, buffer or child named 'x'/);
    rejects(() => new Custom((m) => {
      m.parameter('w', new Parameter([2], 'Custom'));
      m.buffer('w', Tensor.zeros([3]));
    }), ValueError, /already has a parameter, buffer or child named 'w'/);
    rejects(() => new Custom((m) => m.parameter('a.b', new Parameter([1], 'Custom'))), ValueError, /parameter name 'a\.b' cannot contain '\.'/);
    rejects(() => new Custom((m) => m.child('a.b', new ReLU())), ValueError, /child name 'a\.b' cannot contain '\.'/);
    const m = new Custom((c) => {
      c.buffer('x', Tensor.zeros([1]));
      c.parameter('w', new Parameter([2], 'Custom'));
      c.child('act', new ReLU());
    });
    expect(Object.keys(m.stateDict())).toEqual(['w', 'x']);
    m.loadStateDict(m.stateDict());
  });

  it('values: a buffer must be a Tensor, a parameter a Parameter (they failed later with raw TypeErrors in stateDict, zeroGrad, dispose)', () => {
    for (const t of [5, null, [1, 2]]) rejects(() => new Custom((m) => m.buffer('x', t)), ValueError, /^Custom: buffer 'x' must be a Tensor, got /);
    for (const p of [null, Tensor.zeros([2])]) rejects(() => new Custom((m) => m.parameter('w', p)), ValueError, /^Custom: parameter 'w' must be a Parameter/);
  });

  it("an I64 buffer must hold integers float32 keeps exactly, the dtype must be 'F32' or 'I64' (1.5 as I64 registered, and saveModel refused it only when writing)", () => {
    rejects(() => new Custom((m) => m.buffer('n', Tensor.from([1.5]), 'I64')), ValueError, /^Custom: I64 buffer 'n' has 1\.5 at index 0/);
    rejects(() => new Custom((m) => m.buffer('n', Tensor.zeros([1]), 'F16')), ValueError, /the dtype of buffer 'n' must be one of 'F32', 'I64'/);
    rejects(() => new Custom((m) => m.buffer('v', Tensor.from([-1]), 'F32', 0)), ValueError, /buffer 'v' has -1 at index 0, below its min 0/);
    const m = new Custom((c) => c.buffer('n', Tensor.from([7]), 'I64', 0));
    expect(m.stateDict().n).toEqual({ shape: [1], data: Float32Array.from([7]), dtype: 'I64' });
  });
});

describe('round 5: fit / evaluate with an element-wise loss whose targets do not fit the output', () => {
  const model = (): Sequential => new Sequential(new Linear(2, 3, { generator: new Generator(1) }), new BatchNorm1d(3));

  it("is a ShapeError before the first step (fit's step moved BatchNorm's running statistics, then MSELoss refused y)", () => {
    const m = model(), opt = new SGD(m.parameters(), { lr: 0.1 });
    const before = { s: state(m), g: grads(m) };
    rejects(() => fit(m, { x: data([4, 2], 1), y: data([4], 2), loss: new MSELoss(), optimizer: opt, epochs: 1 }), ShapeError,
      /^fit: y \[4\] does not fit the model's output: MSELoss needs targets of the prediction's shape, rows of \[3\], but y has rows of \[\]/);
    expect({ s: state(m), g: grads(m) }).toEqual(before);
    expect(m.training).toBe(true);
    rejects(() => evaluate(m, { x: data([4, 2], 1), y: data([4, 2], 2), loss: new MSELoss() }), ShapeError, /^evaluate: y \[4, 2\] does not fit the model's output/);
    // y of the output's shape trains as before
    fit(m, { x: data([4, 2], 1), y: data([4, 3], 2), loss: new MSELoss(), optimizer: opt, epochs: 1 });
    expect(state(m)['1.num_batches_tracked']).toEqual([1]);
  });

  it('fit(model, x, y) instead of fit(model, { x, y }) names the Tensor (it said "unknown option \'_storage\'")', () => {
    const m = model();
    rejects(() => fit(m, data([4, 2], 1) as never), ValueError, /^fit: options must be an object, got a Tensor \[4, 2\]/);
    rejects(() => evaluate(m, data([4, 2], 1) as never), ValueError, /^evaluate: options must be an object, got a Tensor \[4, 2\]/);
  });
});

describe('round 5: predict and evaluate keep every module\'s own training flag', () => {
  it('a BatchNorm frozen with eval() inside a model in training mode stays frozen (predict and evaluate put it back in training mode)', () => {
    const bn = new BatchNorm1d(3);
    const m = new Sequential(new Linear(2, 3, { generator: new Generator(1) }), bn, new Linear(3, 1, { generator: new Generator(2) }));
    bn.eval();
    const x = data([4, 2], 1), y = data([4, 1], 2);
    predict(m, x);
    expect([m.training, bn.training]).toEqual([true, false]);
    evaluate(m, { x, y, loss: new MSELoss() });
    expect([m.training, bn.training]).toEqual([true, false]);
    rejects(() => evaluate(m, { x, y: data([4, 3], 2), loss: new MSELoss() }), ShapeError, /does not fit the model's output/);
    expect([m.training, bn.training]).toEqual([true, false]);
    m.eval();
    predict(m, x);
    expect([m.training, bn.training]).toEqual([false, false]);
  });
});

describe('round 5: BatchNorm', () => {
  it('resetRunningStats on a disposed layer names it (it said "fill: the tensor [3] has been disposed")', () => {
    const bn = new BatchNorm2d(3);
    bn.dispose();
    rejects(() => bn.resetRunningStats(), StateError, /^BatchNorm2d\.resetRunningStats: this BatchNorm2d has been disposed/);
  });

  it('options that are an array or a Tensor are refused (new BatchNorm1d(2, []) was accepted as no options, a Tensor named its _storage)', () => {
    rejects(() => new BatchNorm1d(2, [] as never), ValueError, /^BatchNorm1d: options must be an object, got an array of length 0/);
    rejects(() => new BatchNorm2d(2, Tensor.zeros([2]) as never), ValueError, /^BatchNorm2d: options must be an object, got a Tensor \[2\]/);
    expect(new BatchNorm1d(2, { momentum: null }).momentum).toBeNull();
  });

  it('a parameter or buffer disposed by hand: forward and loadStateDict refuse before changing anything (num_batches_tracked moved; loadStateDict wrote weight and bias, then threw)', () => {
    const bn = new BatchNorm1d(2);
    bn.forward(Tensor.from([[1, 2], [3, 5]]));
    const dict = bn.stateDict();
    const changed = { ...dict, weight: { shape: [2], data: Float32Array.from([7, 7]) }, bias: { shape: [2], data: Float32Array.from([9, 9]) } };
    bn.runningMean!.dispose();
    rejects(() => bn.forward(Tensor.from([[1, 2], [3, 5]])), StateError, /^BatchNorm1d\.forward: a parameter or buffer of BatchNorm1d\(2.*has been disposed/);
    expect(Array.from(bn.numBatchesTracked!.toFloat32Array())).toEqual([1]);
    rejects(() => bn.loadStateDict(changed), StateError, /^BatchNorm1d\.loadStateDict: the module's 'running_mean': the tensor \[2\] has been disposed/);
    expect(Array.from(bn.weight!.toFloat32Array())).toEqual([1, 1]);
    expect(Array.from(bn.bias!.toFloat32Array())).toEqual([0, 0]);
  });

  it('namedBuffers checks its prefix and a disposed module, as namedParameters does (it returned disposed tensors under "5.running_mean")', () => {
    const bn = new BatchNorm1d(2);
    rejects(() => bn.namedBuffers(5 as never), ValueError, /^BatchNorm1d\.namedBuffers: prefix must be a string, got 5/);
    expect(bn.namedBuffers('m').map(([n]) => n)).toEqual(['m.running_mean', 'm.running_var', 'm.num_batches_tracked']);
    bn.dispose();
    rejects(() => bn.namedBuffers(), StateError, /^BatchNorm1d\.namedBuffers: this BatchNorm1d has been disposed/);
  });

  it('num_batches_tracked beyond 2^24 is refused by loadStateDict and loadModel (16777217 loaded as 16777216, 2^53 − 1 as 2^53)', () => {
    const bn = new BatchNorm1d(2);
    bn.forward(Tensor.from([[1, 2], [3, 5]]));
    const before = state(bn);
    for (const n of [2 ** 24 + 1, 2 ** 53 - 1, -(2 ** 24) - 1]) {
      rejects(() => bn.loadStateDict({ ...bn.stateDict(), num_batches_tracked: { shape: [], data: [n], dtype: 'I64' } }), ValueError,
        new RegExp(`^BatchNorm1d\\.loadStateDict: 'num_batches_tracked' has ${n} at index 0`));
    }
    expect(state(bn)).toEqual(before);
    bn.loadStateDict({ ...bn.stateDict(), num_batches_tracked: { shape: [], data: [2 ** 24], dtype: 'I64' } });
    expect(state(bn).num_batches_tracked).toEqual([2 ** 24]);
    // The same from a file: the decoder reads the int64 exactly, loadModel refuses it.
    const file = saveModel(new Sequential(new BatchNorm1d(2)));
    const bytes = encodeSafetensors({
      '0.weight': { shape: [2], data: Float32Array.from([1, 1]) }, '0.bias': { shape: [2], data: Float32Array.from([0, 0]) },
      '0.running_mean': { shape: [2], data: Float32Array.from([0, 0]) }, '0.running_var': { shape: [2], data: Float32Array.from([1, 1]) },
      '0.num_batches_tracked': { shape: [], data: Float64Array.from([2 ** 24 + 1]), dtype: 'I64' },
    }, { architecture: JSON.stringify({ type: 'Sequential', args: [{ type: 'BatchNorm1d', args: [2, { eps: 1e-5, momentum: 0.1, affine: true, trackRunningStats: true }] }] }) });
    expect(loadModel(file).toString()).toMatch(/BatchNorm1d\(2/);
    rejects(() => loadModel(bytes), ValueError, /'0\.num_batches_tracked' has 16777217 at index 0; wasmnn holds this int64 buffer in float32, exact only for \|v\| ≤ 2\^24/);
  });
});

describe('round 5: Flatten', () => {
  it('dimensions that exist in the wrong order say so (the message asked for "rank ≥ 1" of a rank-3 input)', () => {
    const f = new Flatten(-1, 0);
    rejects(() => f.forward(Tensor.zeros([2, 3, 4])), ShapeError,
      /^Flatten\(start_dim=-1, end_dim=0\)\.forward: on input \[2, 3, 4\] \(rank 3\) start_dim is dimension 2, after end_dim, dimension 0/);
    expect(f.forward(Tensor.zeros([5])).shape).toEqual([5]); // rank 1: both are dimension 0, as torch
  });
});

describe('round 5: generator-like objects (checkGenerator accepts anything with uniform and normal)', () => {
  it('one without nextUint32 is refused by Dropout at construction (forward threw a raw TypeError)', () => {
    rejects(() => new Dropout(0.5, { generator: { uniform: () => 0.5, normal: () => 0 } as never }), ValueError,
      /^Dropout: options\.generator must be a Generator \(new Generator\(seed\)\); this one has no nextUint32\(\)/);
    const keys = [Number.NaN, 2 ** 40];
    const d = new Dropout(0.5, { generator: { uniform: () => 0.5, normal: () => 0, nextUint32: () => keys.shift() ?? 1 } as never });
    rejects(() => d.forward(Tensor.full([2, 4], 1)), ValueError, /^Dropout\.forward: options\.generator\.nextUint32\(\) returned NaN, not an integer in \[0, 2\^32\)/);
    rejects(() => d.backward(Tensor.full([2, 4], 1)), StateError, /called before forward/);
  });

  it('one that returns NaN or a string is refused, and one that throws part-way leaves the weights as they were (NaN weights were accepted silently)', () => {
    for (const bad of [Number.NaN, 'x', Infinity, 1e39]) {
      rejects(() => new Linear(2, 2, { generator: { uniform: () => bad, normal: () => bad } as never }), ValueError,
        /^init\.kaimingUniform: the generator returned .* at draw 0; a generator must return finite numbers/);
      rejects(() => new Conv2d(1, 1, 2, { generator: { uniform: () => bad, normal: () => bad } as never }), ValueError, /^init\.kaimingUniform: the generator returned/);
    }
    const lin = new Linear(3, 2, { generator: new Generator(1) });
    const before = values(lin);
    let n = 0;
    const flaky = { uniform: () => (++n < 4 ? 0.25 : Number.NaN), normal: () => 0 };
    rejects(() => lin.resetParameters(flaky as never), ValueError, /the generator returned NaN at draw 3/);
    expect(values(lin)).toEqual(before);
  });
});

describe('round 5: a custom module whose forward or backward returns something else', () => {
  const custom = (forward: (x: Tensor) => unknown, backward: (g: Tensor) => unknown): Module => {
    class Odd extends Module {
      static override readonly typeName: string = 'Odd';
      forward(x: Tensor): Tensor {
        return forward(x) as Tensor;
      }
      backward(g: Tensor): Tensor {
        return backward(g) as Tensor;
      }
    }
    return new Odd();
  };
  const x = Tensor.from([[1, 2], [3, 4]]);

  it('gradcheck, predict and fit name the result (raw TypeErrors: "Cannot read properties of null")', () => {
    for (const [value, shown] of [[null, 'null'], [5, '5'], [[[1]], 'an array of length 1']] as const) {
      const odd = custom(() => value, (g) => g);
      rejects(() => gradcheck(odd, x), ValueError, new RegExp(`^gradcheck: the module's forward\\(\\) result must be a Tensor, got ${shown.replace(/[()]/g, '\\$&')}`));
      rejects(() => predict(odd, x), ValueError, /^predict: the model's forward\(\) result must be a Tensor/);
      const m = new Sequential(new Linear(2, 2, { generator: new Generator(1) }), custom(() => value, (g) => g));
      rejects(() => fit(m, { x, y: Tensor.from([0, 1]), loss: new CrossEntropyLoss(), optimizer: new SGD(m.parameters()), epochs: 1 }), ValueError,
        /^fit: the model's forward\(\) result must be a Tensor/);
    }
    rejects(() => gradcheck(custom((t) => t, () => null), x), ValueError, /^gradcheck: the module's backward\(\) result must be a Tensor, got null/);
    rejects(() => gradcheck(custom((t) => t, () => Tensor.zeros([3])), x), ShapeError,
      /^gradcheck: the module's backward\(\) returned a gradient of shape \[3\] for an input of shape \[2, 2\]/);
  });

  it("fit refuses outputs a class-index loss cannot take before the first step (BatchNorm's statistics had moved)", () => {
    const bn = new BatchNorm1d(3);
    const m = new Sequential(new Linear(2, 6, { generator: new Generator(1) }), new Scale3d(), bn);
    const before = state(m);
    rejects(() => fit(m, { x, y: Tensor.from([0, 1]), loss: new CrossEntropyLoss(), optimizer: new SGD(m.parameters()), epochs: 1 }), ShapeError,
      /^fit: CrossEntropyLoss needs outputs \[batch, classes\], but the model's output rows have shape \[3, 2\] \(add a Flatten, or end with a Linear\)/);
    expect(state(m)).toEqual(before);
  });
});

/** [N, 6] → [N, 3, 2] (a view; the gradient back likewise): makes an [N, C, L] output for BatchNorm1d. */
class Scale3d extends Module {
  static override readonly typeName: string = 'Scale3d';
  forward(x: Tensor): Tensor {
    return x.view([x.shape[0]!, 3, 2]);
  }
  backward(g: Tensor): Tensor {
    return g.view([g.shape[0]!, 6]);
  }
}

describe('round 5: DataLoader iterated twice at once', () => {
  it('an iteration resumed after another started is a StateError (the second re-shuffled the shared order: row 5 came twice, row 7 never)', () => {
    const n = 8;
    const x = Tensor.from(Array.from({ length: n }, (_, i) => [i])), y = Tensor.from(Array.from({ length: n }, (_, i) => i));
    const loader = new DataLoader(x, y, { batchSize: 2, shuffle: true, seed: 1 });
    const first = loader[Symbol.iterator]();
    first.next();
    const second = loader[Symbol.iterator]();
    second.next();
    rejects(() => first.next(), StateError, /^DataLoader: another iteration of this loader started before this one ended \(batch 1 of 4\)/);
    // the second goes on, and sees every row once
    const rows = [...second.next().value!.y.toFloat32Array()];
    for (let r = second.next(); !r.done; r = second.next()) rows.push(...r.value.y.toFloat32Array());
    expect(rows).toHaveLength(6);
    let all: number[] = [];
    for (const b of loader) all = all.concat(Array.from(b.y.toFloat32Array()));
    expect(all.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });
});

describe('round 5: wasmnn train --model / --layers', () => {
  const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
  /** The command must stop at once with one `wasmnn: …` line matching `message`, exit code 2. */
  function failsWith(args: string[], message: RegExp): void {
    const r = spawnSync(process.execPath, [cli, 'train', ...args, '--quiet', '--no-plots'], { encoding: 'utf8', timeout: 20_000 });
    expect(r.signal, 'ended by itself').toBeNull();
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr.trimEnd().split('\n'), r.stderr).toHaveLength(1);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).not.toMatch(/error|epoch/);
  }

  it('on a 2-D data set they are refused (they were ignored: the --hidden MLP trained)', () => {
    failsWith(['--model', 'lenet'], /^wasmnn: --model applies to the image data sets \(--dataset mnist\); --dataset disk trains the MLP of --hidden/);
    failsWith(['--dataset', 'moons', '--layers', 'flatten,10'], /^wasmnn: --layers applies to the image data sets/);
  });

  it("both at once, or an empty --layers, are refused (--layers won silently; '' trained the default lenet-bn)", () => {
    failsWith(['--dataset', 'mnist', '--model', 'lenet', '--layers', 'flatten,10'], /^wasmnn: --model and --layers both choose the network; give one of them/);
    failsWith(['--dataset', 'mnist', '--layers', ''], /^wasmnn: --layers: expected a layer spec such as/);
    failsWith(['--dataset', 'mnist', '--layers', ' '], /^wasmnn: --layers: expected a layer spec/);
  });
});

describe('round 5: the probes above leave working objects', () => {
  it('a Linear still trains after the refusals', () => {
    const lin = new Linear(2, 1, { generator: new Generator(3) });
    const before = values(lin);
    fit(lin, { x: data([4, 2], 1), y: data([4, 1], 2), loss: new MSELoss(), optimizer: new SGD(lin.parameters(), { lr: 0.1 }), epochs: 1 });
    expect(values(lin)).not.toEqual(before);
  });
});

describe('fit and a layer frozen with eval()', () => {
  it('keeps a BatchNorm frozen inside a training model frozen (running statistics unchanged); a model in eval() mode trains whole', () => {
    const x = Tensor.from([[0.1, 0.2], [0.3, -0.4], [0.5, 0.6], [-0.7, 0.8]]), y = Tensor.from([[1], [0], [1], [0]]);
    const make = () => {
      const bn = new BatchNorm1d(3);
      const g = new Generator(3);
      return { bn, model: new Sequential(new Linear(2, 3, { generator: g }), bn, new Linear(3, 1, { generator: g })) };
    };
    const frozen = make();
    frozen.bn.eval();
    fit(frozen.model, { loss: new MSELoss(), optimizer: new SGD(frozen.model.parameters(), { lr: 0.1 }), x, y, epochs: 2, batchSize: 2, seed: 1 });
    expect(frozen.bn.training).toBe(false);
    expect(Array.from(frozen.bn.runningMean!.toFloat32Array())).toEqual([0, 0, 0]);
    expect(frozen.bn.numBatchesTracked!.item()).toBe(0);

    const whole = make();
    whole.model.eval();
    fit(whole.model, { loss: new MSELoss(), optimizer: new SGD(whole.model.parameters(), { lr: 0.1 }), x, y, epochs: 2, batchSize: 2, seed: 1 });
    expect(whole.bn.training).toBe(true);
    expect(whole.bn.numBatchesTracked!.item()).toBe(4);
  });
});
