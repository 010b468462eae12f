// Round 6 probes of round 5's layers and options: Conv2d's groups, AdaptiveAvgPool2d, GELU's
// approximate, the convOUTxK[sS][pP][gG] / adaptiveavgpoolS tokens of --layers, fit with a layer
// frozen by eval(), and the reference optimizers against the WASM kernels. Each case failed
// before its fix (checked with the fix stashed).
import { afterEach, describe, expect, it } from 'vitest';
import {
  AdaptiveAvgPool2d, Adam, AdamW, AvgPool2d, BatchNorm1d, BatchNorm2d, Conv2d, Dropout, Flatten, LayerNorm, LogSoftmax, MaxPool2d, Module, ReLU, Scale, Softmax, StateError, Generator, Linear, MSELoss, Parameter, RMSprop, SGD, Sequential, GELU, ShapeError, TabularModel, TabularPreprocessor, Tensor, ValueError, encodeSafetensors, evaluate, fit, loadModel, memoryStats, saveModel,
  predict, setBackend,
  type Optimizer,
} from '../../src/index.js';
import { buildFromSpec } from '../../src/cli/layer-spec.js';
import { UsageError, parseTrainArgs } from '../../src/cli/options.js';
import { parseTabularArgs } from '../../src/cli/tabular-options.js';
import { expectClose } from '../helpers/heap.js';
import { runTorch, torchAvailable } from '../helpers/torch.js';
import { rejects, seededData as data, state } from '../helpers/trust.js';

const hasTorch = torchAvailable();

afterEach(() => {
  setBackend('wasm');
});

/** Python float64 values: JSON cannot carry NaN or ±Infinity, so numbers travel as repr strings. */
const py = (values: number[]): string[] => values.map((v) => (Number.isNaN(v) ? 'nan' : v === Infinity ? 'inf' : v === -Infinity ? '-inf' : String(v)));
const js = (values: string[]): number[] => values.map((v) => (v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : Number(v)));

describe.skipIf(!hasTorch)("round 6: GELU({ approximate: 'tanh' }) at the ends of float32", () => {
  const run = (xs: number[]): { y: number[]; dx: number[] } => {
    const gelu = new GELU({ approximate: 'tanh' });
    const y = Array.from(gelu.forward(Tensor.from(xs)).toFloat32Array());
    const dx = Array.from(gelu.backward(Tensor.from(xs.map(() => 1))).toFloat32Array());
    gelu.dispose();
    return { y, dx };
  };

  it('the gradient of a finite |x| ≥ 1.8e19 is its limit, 1 or 0, as torch in float64 (the kernel gave NaN: x² overflowed, 0·∞); ±Infinity and NaN stay NaN, as torch', () => {
    const xs = [2e19, -2e19, 1e30, -1e30, 3e38, -3e38, 1e13, -1e13, 1e19, Infinity, -Infinity, NaN];
    const torch = js(runTorch<string[]>(`
import json, sys, torch
x = torch.tensor([float(v) for v in json.load(sys.stdin)], dtype=torch.float64, requires_grad=True)
torch.nn.functional.gelu(x, approximate='tanh').backward(torch.ones_like(x))
print(json.dumps([repr(float(v)) for v in x.grad.tolist()]))`, py(xs)));
    expect(torch.slice(0, 6)).toEqual([1, 0, 1, 0, 1, 0]);
    for (const backend of ['wasm', 'reference'] as const) {
      setBackend(backend);
      expectClose(run(xs).dx, torch, { rtol: 0, atol: 0 }, `${backend} gradient`);
    }
  });

  it("the reference keeps the tiny outputs of negative x as the kernel does (½·x·(1 + tanh u) cancelled to −0 in float64 below x ≈ −9; the kernel's x·σ(2u) does not)", () => {
    const xs = [-8, -9, -9.5, -9.8, -10];
    // x·σ(2u) in float64: the definition without the cancellation, as an oracle.
    const exact = js(runTorch<string[]>(`
import json, math, sys
def gelu(x):
    u = math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)
    return x / (1 + math.exp(-2 * u))
def grad(x):
    u = math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)
    s = 1 / (1 + math.exp(-2 * u))
    return s + 2 * x * s * (1 - s) * math.sqrt(2 / math.pi) * (1 + 3 * 0.044715 * x * x)
xs = [float(v) for v in json.load(sys.stdin)]
print(json.dumps([repr(gelu(x)) for x in xs] + [repr(grad(x)) for x in xs]))`, py(xs)));
    expect(Math.max(...exact.slice(0, xs.length))).toBeLessThan(-1e-37); // float32 normals (the kernel's σ flushes below 2^-126)
    for (const backend of ['wasm', 'reference'] as const) {
      setBackend(backend);
      const { y, dx } = run(xs);
      // Relative to the value (float32 subnormals carry fewer digits: atol 1e-44).
      expectClose(y, exact.slice(0, xs.length), { rtol: 1e-5, atol: 1e-44 }, `${backend} output`);
      expectClose(dx, exact.slice(xs.length), { rtol: 1e-5, atol: 1e-44 }, `${backend} gradient`);
    }
  });
});

describe('round 6: a rank-3 input to an image layer: one unbatched image [C, H, W] (torch takes it; here refused) or one-channel images [N, H, W]', () => {
  it('Conv2d, the pools and AdaptiveAvgPool2d name the reshape that makes it a batch of images (the message said only the expected rank)', () => {
    const x = data([2, 5, 4], 5);
    const layers = [new Conv2d(2, 3, 3, { groups: 1, generator: new Generator(1) }), new MaxPool2d(2), new AvgPool2d(2), new AdaptiveAvgPool2d([null, 2])];
    const unbatched = 'one image \\[channels, height, width\\] needs its batch dimension: x\\.reshape\\(\\[1, 2, 5, 4\\]\\)';
    const oneChannel = 'a batch of one-channel images \\[batch, height, width\\] needs its channel dimension: x\\.reshape\\(\\[2, 1, 5, 4\\]\\)';
    for (const layer of layers) {
      // Conv2d knows its 2 channels: the unbatched reading; the pools take any count: both readings.
      const hint = layer instanceof Conv2d ? `\\(${unbatched}\\)` : `\\(${unbatched}; ${oneChannel}\\)`;
      rejects(() => layer.forward(x), ShapeError,
        new RegExp(`^${layer.typeName}\\.forward: input must have shape \\[batch, (2|channels), height, width\\] .*got \\[2, 5, 4\\] ${hint}$`));
      expect(layer.forward(x.reshape([1, 2, 5, 4])).shape[0]).toBe(1);
    }
    // MNIST as loaded, [N, 28, 28], into a one-channel Conv2d: the channel dimension is missing.
    rejects(() => new Conv2d(1, 2, 3).forward(data([4, 6, 6], 7)), ShapeError, /got \[4, 6, 6\] \(a batch of one-channel images .*x\.reshape\(\[4, 1, 6, 6\]\)\)$/);
    rejects(() => new Conv2d(3, 2, 3).forward(data([4, 6, 6], 7)), ShapeError, /got \[4, 6, 6\]$/); // neither reading fits 3 channels
    rejects(() => layers[3]!.forward(data([5, 4], 6)), ShapeError, /got \[5, 4\]$/); // no hint for other ranks
  });
});

describe('round 6: fit with a BatchNorm frozen by eval() inside a training model', () => {
  // 3 rows in batches of 2 leave a last batch of 1 row: one value per channel, which only batch
  // statistics cannot normalise.
  const make = (options: { trackRunningStats?: boolean } = {}): { model: Sequential; bn: BatchNorm1d } => {
    const g = new Generator(4);
    const bn = new BatchNorm1d(3, options);
    return { model: new Sequential(new Linear(2, 3, { generator: g }), bn, new Linear(3, 1, { generator: g })), bn };
  };
  const x = data([3, 2], 1), y = data([3, 1], 2);
  const train = (model: Sequential): unknown =>
    fit(model, { loss: new MSELoss(), optimizer: new SGD(model.parameters(), { lr: 0.1 }), x, y, epochs: 2, batchSize: 2, seed: 1 });

  it('trains with a 1-row last batch, the frozen layer normalising with its running statistics (it was refused: "needs more than 1 value per channel in training mode")', () => {
    const { model, bn } = make();
    bn.eval();
    const buffers = (): unknown => Object.fromEntries(Object.entries(state(bn)).filter(([k]) => k.startsWith('running') || k === 'num_batches_tracked'));
    const before = buffers();
    train(model);
    expect(bn.training).toBe(false);
    expect(buffers()).toEqual(before); // running statistics and count unchanged (weight and bias train, as torch)
  });

  it('trains, evaluates and predicts with a BatchNorm1d without running statistics (the one-row probe in eval mode gave it one value per channel: "x [4, 2] does not fit the model"; a last evaluation batch of 1 row failed mid-way)', () => {
    const { model } = make({ trackRunningStats: false });
    const x4 = data([4, 2], 3), y4 = data([4, 1], 4);
    fit(model, { loss: new MSELoss(), optimizer: new SGD(model.parameters(), { lr: 0.1 }), x: x4, y: y4, epochs: 2, batchSize: 2, seed: 1 });
    expect(evaluate(model, { x: x4, y: y4, loss: new MSELoss() }).count).toBe(4);
    expect(predict(model, x4).shape).toEqual([4, 1]);
    // Evaluation batches end with 2 rows rather than 1 (5 rows in batches of 3: 3 + 1 was refused mid-way).
    const x5 = data([5, 2], 5);
    expect(predict(model, x5, { batchSize: 3 }).shape).toEqual([5, 1]);
    fit(model, { loss: new MSELoss(), optimizer: new SGD(model.parameters(), { lr: 0.1 }), x: x4, y: y4, epochs: 1, batchSize: 2, validation: { x: data([1025, 2], 7), y: data([1025, 1], 8) } });
    // One row is refused, as torch refuses it, saying why in eval mode.
    rejects(() => predict(model, x4._rows(0, 1)), ShapeError,
      /^predict: x \[1, 2\] does not fit the model: BatchNorm1d\.forward: expected more than 1 value per channel with trackRunningStats: false \(batch statistics in eval mode too\)/);
  });

  it('a TabularModel holding one is built (its one row of zeros was "a row of the preprocessor\'s 3 features [1, 3] does not fit the model")', () => {
    const rows = [{ a: 1, b: 'x', label: 'cat' }, { a: 2, b: 'y', label: 'dog' }, { a: 3, b: 'x', label: 'cat' }];
    const prep = new TabularPreprocessor({ target: 'label' }).fit(rows);
    const model = new Sequential(new Linear(prep.featureCount, 3, { generator: new Generator(1) }), new BatchNorm1d(3, { trackRunningStats: false }), new Linear(3, prep.outputCount, { generator: new Generator(2) }));
    expect(new TabularModel(model, prep).predict(rows)).toHaveLength(3);
  });

  it('still refuses that batch when the layer would use batch statistics: a model in eval() mode (fit trains it whole), or no running statistics', () => {
    const whole = make();
    whole.model.eval();
    rejects(() => train(whole.model), ValueError, /^fit: with 3 training rows and batchSize 2 a batch has 1 row, but BatchNorm1d\(3, .*needs more than 1 value per channel/);
    expect(whole.model.training).toBe(false);
    const untracked = make({ trackRunningStats: false });
    untracked.bn.eval();
    rejects(() => train(untracked.model), ValueError, /a batch has 1 row, but BatchNorm1d\(3, .*track_running_stats=False\) needs more than 1 value/);
  });
});

describe('round 6: --layers tokens', () => {
  const g = (): Generator => new Generator(1);
  /** fn throws the command's UsageError (one line, printed as is) with a message matching `message`. */
  const usage = (fn: () => unknown, message: RegExp): void => {
    expect(fn).toThrow(UsageError);
    expect(fn).toThrow(message);
  };

  it('refuses a model whose one sample cannot fit WASM memory at its token (it built, and failed only once training ran, or at a later token with an allocation message)', () => {
    usage(() => buildFromSpec('conv6x3p99999,adaptiveavgpool1,flatten,10', [1, 28, 28], g()),
      /^--layers: token 1 'conv6x3p99999' \(sample shape \[1, 28, 28\]\): the model would need \d+ float32 values for one sample .*WASM memory holds 1073741824 \(4 GiB\); the output here is \[6, 200024, 200024\]$/);
    usage(() => buildFromSpec('adaptiveavgpool16777216,flatten,10', [1, 28, 28], g()),
      /^--layers: token 1 'adaptiveavgpool16777216' .*the output here is \[1, 16777216, 16777216\]$/);
    // Each layer is within bounds, together they are not: the token that crosses the line is named.
    usage(() => buildFromSpec('conv2x3p4000,conv2x3p4000,conv2x3p4000', [1, 28, 28], g()), /^--layers: token 3 'conv2x3p4000' .*\[2, 24022, 24022\]$/);
    expect(buildFromSpec('conv2x3p2000,adaptiveavgpool1,flatten,10', [1, 28, 28], g()).outputShape).toEqual([10]);
  });

  it('refuses leading zeros and numbers past 2^24 as written (conv06x05 was Conv2d(1, 6, 5); conv99999999999999999999x3 said "outChannels must be an integer, got 100000000000000000000")', () => {
    usage(() => buildFromSpec('conv06x5', [1, 28, 28], g()), /^--layers: token 1 'conv06x5' \(sample shape \[1, 28, 28\]\): the number '06' has a leading zero; write 6$/);
    usage(() => buildFromSpec('flatten,010', [1, 28, 28], g()), /token 2 '010' .*the number '010' has a leading zero; write 10$/);
    usage(() => buildFromSpec('adaptiveavgpool00', [1, 28, 28], g()), /'00' has a leading zero; write 0$/);
    usage(() => buildFromSpec('conv99999999999999999999x3', [1, 28, 28], g()), /the number 99999999999999999999 is larger than 16777216$/);
    usage(() => buildFromSpec('conv6x3g16777217', [1, 28, 28], g()), /the number 16777217 is larger than 16777216$/);
    expect(buildFromSpec('conv6x5s1p0', [1, 28, 28], g()).outputShape).toEqual([6, 24, 24]); // a lone 0 is fine
  });

  it("refuses numbers not written in decimal in the command's flags ('--epochs 0x10' trained 16 epochs, '--batch-size 0b11' 3 rows)", () => {
    for (const [flag, text] of [['--epochs', '0x10'], ['--batch-size', '0b11'], ['--lr', '0o7'], ['--hidden', '8,0x8']]) {
      usage(() => parseTrainArgs([flag!, text!]), new RegExp(`^${flag}: expected an? (integer|number), got '${text!.split(',').pop()}'$`));
    }
    expect(parseTrainArgs(['--epochs', '16', '--lr', '.5e-2', '--batch-size', ' 3 ']).epochs).toBe(16);
    expect(parseTrainArgs(['--lr', '.5e-2']).lr).toBe(0.005);
    usage(() => parseTabularArgs(['--data', 'x.csv', '--target', 'y', '--test-split', '0x0']), /^--test-split: expected a fraction between 0 and 1, got '0x0'$/);
  });

  it('frees the layers built before a refused token (each refusal leaked their parameters in WASM memory)', () => {
    const before = memoryStats().bytesInUse;
    for (const spec of ['conv6x5,relu,10', 'conv8x3,conv8x3g3', 'conv6x3,conv6x3p99999', 'flatten,64,conv6x3']) {
      expect(() => buildFromSpec(spec, [1, 28, 28], g()), spec).toThrow(UsageError);
      expect(memoryStats().bytesInUse, spec).toBe(before);
    }
  });
});

describe('round 6: the reference optimizers store the zeros the WASM kernels store', () => {
  // Gradients of −0 (a sum of products with 0) and zero or subnormal moments: the kernels add
  // weightDecay·θ only when weightDecay ≠ 0 and move the averages as m + (g − m)(1 − β); the
  // reference added 0·θ (−0 + 0 = +0) and computed β·m + (1 − β)·g, so the signs of the stored
  // zeros — moments and parameters — differed between the backends (Adagrad's did not: its only
  // state is Σg², and g·g is +0 either way). Centered RMSprop also gave NaN where the kernel did not.
  const optimizers: Array<[string, (p: Parameter[]) => Optimizer]> = [
    ['Adam', (p) => new Adam(p, { lr: 1e-3 })],
    ['Adam amsgrad', (p) => new Adam(p, { lr: 1e-3, amsgrad: true })],
    ['AdamW', (p) => new AdamW(p, { lr: 1e-3 })],
    ['SGD momentum', (p) => new SGD(p, { lr: 0.1, momentum: 0.9 })],
    ['RMSprop centered', (p) => new RMSprop(p, { lr: 0.01, centered: true, momentum: 0.5 })],
  ];
  const run = (make: (p: Parameter[]) => Optimizer): number[] => {
    const p = new Parameter([8], 'round6');
    p.set(Float32Array.of(0, -0, 0, -0, 1, -1, 0, -0));
    const opt = make([p]);
    // ±1e-38 makes subnormal first moments (stored as ±0), then −0 gradients move them.
    const negZero = new Float32Array(8).fill(-0);
    const grads = [Float32Array.of(-0, -0, 0, 0, -0, -1e-38, 1e-30, -1e-30), Float32Array.of(-1e-38, 1e-38, -1e-38, -0, -0, -0, -1e-38, -0), negZero, negZero];
    for (const g of grads) {
      p.grad.set(g);
      opt.step();
    }
    const out = [...p.toFloat32Array(), ...opt.stateDict().state.flatMap((e) => Object.values(e).flatMap((t) => Array.from(t)))];
    opt.dispose();
    p.dispose();
    return out;
  };

  it.each(optimizers)('%s: the same values, zeros of the same sign', (_name, make) => {
    setBackend('wasm');
    const wasm = run(make);
    setBackend('reference');
    const reference = run(make);
    expect(reference.length).toBe(wasm.length);
    wasm.forEach((w, i) => {
      if (w === 0) expect(Object.is(reference[i], w), `element ${i}: wasm ${Object.is(w, -0) ? '-0' : '0'}, reference ${reference[i]}`).toBe(true);
      else expect(Math.abs(reference[i]! - w), `element ${i}`).toBeLessThanOrEqual(1e-6 * Math.abs(w));
    });
  });
});

describe('round 6: a layer called on its own last output', () => {
  it('is refused before anything changes, naming the layer, and the first result stays usable (it became stale: "forward: the tensor [2, 3] is stale", without the layer\'s name for the activations)', () => {
    const g = new Generator(3);
    const cases: Array<[Module, Tensor]> = [
      [new GELU({ approximate: 'tanh' }), data([2, 3], 1)], [new ReLU(), data([2, 3], 2)], [new Scale(2), data([2, 3], 3)], [new Softmax(), data([2, 3], 4)],
      [new LogSoftmax(1), data([2, 3], 5)], [new Dropout(0.5, { generator: g }), data([2, 3], 6)], [new LayerNorm(3), data([2, 3], 7)],
      [new BatchNorm1d(3), data([2, 3], 8)], [new Conv2d(2, 2, 1, { groups: 2, generator: g }), data([1, 2, 3, 3], 9)],
      [new MaxPool2d(1), data([1, 2, 3, 3], 10)], [new AvgPool2d(1), data([1, 2, 3, 3], 11)], [new AdaptiveAvgPool2d([null, 3]), data([1, 2, 3, 3], 12)],
      // Linear (small path and, at 40 features, the GEMM path): it said "forward: the tensor [2, 3] is stale".
      [new Linear(3, 3, { generator: g }), data([2, 3], 13)], [new Linear(40, 40, { generator: g }), data([2, 40], 14)],
    ];
    for (const [layer, x] of cases) {
      const y = layer.forward(x);
      const kept = Array.from(y.toFloat32Array()), before = state(layer);
      rejects(() => layer.forward(y), StateError, new RegExp(`^${layer.typeName}\\.forward: input is a view of this layer's own last output .*pass output\\.clone\\(\\)`));
      expect(Array.from(y.toFloat32Array()), layer.typeName).toEqual(kept);
      expect(state(layer), layer.typeName).toEqual(before); // BatchNorm's running statistics did not move
      expect(layer.forward(y.clone()).shape, layer.typeName).toEqual(y.shape);
    }
  });
});

describe('round 6: loadModel counts the values of the CNN layers before building them', () => {
  const file = (layer: { type: string; args: unknown[] }): Uint8Array =>
    encodeSafetensors({ '0.weight': { shape: [1], data: Float32Array.of(1) } }, { format: 'pt', producer: 'wasmnn', architecture: JSON.stringify({ type: 'Sequential', args: [layer] }) });

  it('a 300-byte file naming a huge Conv2d, BatchNorm or LayerNorm is refused before anything is allocated (Conv2d(2048, 2048, 8) grew WASM memory by 2 GiB, for good, and took seconds before "missing keys"); the file of every variant still loads', () => {
    const cases: Array<[{ type: string; args: unknown[] }, number]> = [
      [{ type: 'Conv2d', args: [2048, 2048, 8, { stride: 1, padding: 0, dilation: 1, bias: true }] }, 2048 * 2048 * 64 + 2048],
      [{ type: 'Conv2d', args: [2048, 2048, [8, 4], { groups: 4, bias: false }] }, 2048 * 512 * 32],
      [{ type: 'BatchNorm1d', args: [16000000, { eps: 1e-5, momentum: 0.1, affine: true, trackRunningStats: true }] }, 4 * 16000000 + 1],
      [{ type: 'BatchNorm2d', args: [16000000, { affine: false }] }, 2 * 16000000 + 1],
      [{ type: 'LayerNorm', args: [[4000, 4000], { eps: 1e-5, elementwiseAffine: true }] }, 2 * 16000000],
    ];
    for (const [layer, values] of cases) {
      const before = memoryStats();
      rejects(() => loadModel(file(layer)), ValueError, new RegExp(`^loadModel: the architecture needs ${values} parameter values but the file holds 1$`));
      const after = memoryStats();
      expect([after.memoryBytes, after.bytesInUse], layer.type).toEqual([before.memoryBytes, before.bytesInUse]);
    }
    // Called by a custom container with anything, the counts say "cannot tell" rather than throw.
    for (const cls of [Conv2d, BatchNorm1d, LayerNorm]) {
      for (const args of [null, undefined, {}, [], [NaN], ['4', 4, 3], [0, 4, 3]]) {
        expect(cls.parameterCount(args as never), `${cls.typeName} ${JSON.stringify(args)}`).toBeUndefined();
      }
    }
    for (const args of [[4, 4, [3]], [4, 6, 3, { groups: 4 }], [6, 4, 3, { groups: 4 }], [4, 4, 3, { groups: 1.5 }]]) {
      expect(Conv2d.parameterCount(args as never), JSON.stringify(args)).toBeUndefined();
    }
    // The counts are exact: files of every variant load back.
    const g = new Generator(2);
    const models = [
      new Sequential(new Conv2d(4, 6, [3, 2], { groups: 2, bias: false, generator: g }), new BatchNorm2d(6, { affine: false }), new MaxPool2d(2), new AvgPool2d(1),
        new Conv2d(6, 6, 1, { groups: 6, generator: g }), new BatchNorm2d(6, { trackRunningStats: false }), new AdaptiveAvgPool2d([1, null]), new Flatten(),
        new LayerNorm(12, { elementwiseAffine: false }), new BatchNorm1d(12), new Linear(12, 3, { generator: g })),
      new Sequential(new LayerNorm([2, 3]), new BatchNorm1d(2, { affine: false, trackRunningStats: false }), new ReLU()),
    ];
    for (const model of models) {
      const copy = loadModel(saveModel(model));
      expect(state(copy)).toEqual(state(model));
      copy.dispose();
    }
  });
});

describe('round 6: parameterCount of the dense layers and Sequential on arguments that are not an array', () => {
  it('is undefined (a file whose architecture cannot be counted is refused by the loader), not a raw TypeError', () => {
    for (const args of [null, undefined, 5, 'x', {}] as unknown[]) {
      expect(Linear.parameterCount(args as never)).toBeUndefined();
      expect(Sequential.parameterCount(args as never, () => 0)).toBeUndefined();
    }
  });
});

describe('round 6: table cells are numbers only when written in decimal', () => {
  it("a column of '0x1A', '0b11', '0o7' codes is categorical (JavaScript's Number() read them as 26, 3, 7); decimal forms stay numbers", () => {
    const rows = [{ code: '0x1A', size: ' 1.5e1 ', ok: 'yes' }, { code: '0b11', size: '-.5', ok: 'no' }, { code: '0o7', size: '+2.', ok: 'yes' }];
    const p = new TabularPreprocessor({ target: 'ok' }).fit(rows);
    expect(p.featureNames).toEqual(['code=0b11', 'code=0o7', 'code=0x1A', 'size']);
    expect(p.transform(rows).x.shape).toEqual([3, 4]);
  });
});

