// `wasmnn train` flags: parsing, the registry tables they resolve to, and refusals.
import { describe, expect, it } from 'vitest';
import { Generator, Linear, Scale, Tanh, Tensor } from '../../src/index.js';
import { buildModel, stopping } from '../../src/cli/experiment.js';
import { UsageError, parseTrainArgs, versionText } from '../../src/cli/options.js';
import { readout } from '../../src/cli/plots.js';
import { BIAS_INITS, INITS, initLayer } from '../../src/cli/registry.js';
import { closest, editDistance } from '../../src/cli/suggest.js';

const usage = (args: string[]): string => {
  try {
    parseTrainArgs(args);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error(`accepted: ${args.join(' ')}`);
};

function sample(values: Float32Array): { mean: number; std: number; min: number; max: number } {
  const d = Array.from(values);
  const mean = d.reduce((a, b) => a + b, 0) / d.length;
  return { mean, std: Math.sqrt(d.reduce((a, b) => a + (b - mean) ** 2, 0) / d.length), min: Math.min(...d), max: Math.max(...d) };
}

describe('parseTrainArgs', () => {
  it('gives the documented defaults', () => {
    const c = parseTrainArgs([]);
    expect(c).toMatchObject({ init: 'he-normal', biasInit: 'auto', activationScale: 1, checkEvery: 1, earlyStopLoss: undefined, earlyStopAccuracy: undefined, optim: 'adam' });
  });

  it('parses the new flags', () => {
    const c = parseTrainArgs(['--activation', 'tanh', '--activation-scale', '10', '--init', 'normal', '--init-std', '0.5', '--bias-init', 'same',
      '--early-stop-loss', '0.005', '--check-every', '100']);
    expect(c).toMatchObject({ activation: 'tanh', activationScale: 10, init: 'normal', initStd: 0.5, biasInit: 'same', earlyStopLoss: 0.005, checkEvery: 100 });
  });

  it('reads negative values and answers with its own range message', () => {
    expect(usage(['--lr', '-1'])).toBe('--lr: must be > 0, got -1');
    expect(usage(['--momentum', '-0.5', '--optim', 'sgd'])).toBe('--momentum: must be ≥ 0, got -0.5');
    expect(usage(['--hidden', '-3'])).toBe('--hidden: must be ≥ 1, got -3');
    expect(usage(['--activation-scale', '-2'])).toBe('--activation-scale: must be > 0, got -2');
    expect(usage(['--lr=-1'])).toBe('--lr: must be > 0, got -1');
  });

  it('suggests the flag or value that was probably meant', () => {
    expect(usage(['--optimiser', 'adam'])).toMatch(/^unknown flag '--optimiser'; did you mean --optim\?\nallowed flags: /);
    expect(usage(['--optimizer', 'adam'])).toMatch(/did you mean --optim\?/);
    expect(usage(['--epoch', '3'])).toMatch(/did you mean --epochs\?/);
    expect(usage(['--zzzz', '3'])).toMatch(/^unknown flag '--zzzz'\nallowed flags/);
    expect(usage(['--activation', 'tanhh'])).toMatch(/'tanhh' is not allowed; did you mean 'tanh'\? choose one of relu/);
    expect(usage(['--init', 'he'])).toMatch(/did you mean 'he-normal' or 'he-uniform'\?/);
  });

  it('refuses a flag that does not apply, in one line', () => {
    const refusals: Array<[string[], string]> = [
      [['--optim', 'adam', '--momentum', '0.9'], '--momentum does not apply to --optim adam (only to sgd, rmsprop)'],
      [['--optim', 'sgd', '--amsgrad'], '--amsgrad does not apply to --optim sgd (only to adam, adamw)'],
      [['--init', 'he-normal', '--init-std', '1'], '--init-std does not apply to --init he-normal (only to normal)'],
      [['--init', 'normal', '--init-bound', '1'], '--init-bound does not apply to --init normal (only to uniform)'],
      [['--check-every', '100'], '--check-every needs --early-stop-accuracy or --early-stop-loss'],
      [['--dataset', 'xor', '--n-train', '100'], '--n-train does not apply to --dataset xor (it has fixed points)'],
      [['--dataset', 'xor', '--n-test', '100'], '--n-test does not apply to --dataset xor (its training points are the test set)'],
    ];
    for (const [args, message] of refusals) expect(usage(args), args.join(' ')).toBe(message);
    // the same flags where they apply
    expect(parseTrainArgs(['--optim', 'sgd', '--momentum', '0.9']).momentum).toBe(0.9);
    expect(parseTrainArgs(['--optim', 'rmsprop', '--momentum', '0.9']).momentum).toBe(0.9);
    expect(parseTrainArgs(['--init', 'he-uniform', '--bias-init', 'normal', '--init-std', '0.3']).initStd).toBe(0.3);
    expect(parseTrainArgs(['--early-stop-loss', '0.01', '--check-every', '10']).checkEvery).toBe(10);
  });

  it('knows its version', () => {
    expect(versionText()).toMatch(/^wasmnn \d+\.\d+\.\d+/);
  });
});

describe('suggest', () => {
  it('measures edit distance', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('optim', 'optim')).toBe(0);
    expect(closest('xyz', ['sgd', 'adam'])).toEqual([]);
  });
});

describe('init schemes (registry)', () => {
  const settings = (init: string, biasInit = 'auto') => ({ init, biasInit, initStd: 0.3, initBound: 0.2 });
  // A 300×400 layer: 120 000 weight draws put the sample std within 1 % of the formula.
  const layer = (init: string, activation: string, biasInit = 'auto', seed = 1): Linear => {
    const l = new Linear(400, 300, { generator: new Generator(seed) });
    initLayer(l, settings(init, biasInit), activation, new Generator(seed + 100));
    return l;
  };
  const xavierGain: Record<string, number> = { relu: Math.SQRT2, leaky_relu: Math.sqrt(2 / 1.0001), tanh: 5 / 3 };
  const expectedStd: Record<string, (act: string) => number> = {
    'he-normal': (a) => (a === 'leaky_relu' ? Math.sqrt(2 / 1.0001) : Math.SQRT2) / Math.sqrt(400),
    'he-uniform': (a) => (a === 'leaky_relu' ? Math.sqrt(2 / 1.0001) : Math.SQRT2) / Math.sqrt(400),
    'xavier-normal': (a) => xavierGain[a]! * Math.sqrt(2 / 700),
    'xavier-uniform': (a) => xavierGain[a]! * Math.sqrt(2 / 700),
    normal: () => 0.3,
    uniform: () => 0.2 / Math.sqrt(3),
    report001: () => Math.sqrt(2 / ((1 + 6 / 700) * 400)),
    default: () => 1 / Math.sqrt(400) / Math.sqrt(3),
  };

  it('every scheme draws weights with the std of its formula, seeded', () => {
    expect(Object.keys(expectedStd).sort()).toEqual(Object.keys(INITS).sort());
    for (const [name, std] of Object.entries(expectedStd)) {
      for (const act of ['relu', 'leaky_relu', 'tanh']) {
        const w = sample(layer(name, act).weight.toFloat32Array());
        expect(Math.abs(w.std / std(act) - 1), `${name} ${act}`).toBeLessThan(0.01);
        expect(Math.abs(w.mean), `${name} ${act}`).toBeLessThan(0.01 * std(act));
      }
      expect(Array.from(layer(name, 'relu', 'auto', 3).weight.toFloat32Array())).toEqual(Array.from(layer(name, 'relu', 'auto', 3).weight.toFloat32Array()));
    }
    const u = sample(layer('uniform', 'relu').weight.toFloat32Array());
    expect(u.max).toBeLessThanOrEqual(0.2);
    expect(u.min).toBeGreaterThanOrEqual(-0.2);
  });

  it("each scheme has its own bias rule, and --bias-init overrides it", () => {
    expect(sample(layer('he-normal', 'relu').bias!.toFloat32Array())).toMatchObject({ min: 0, max: 0 });
    // report 001 draws the biases from the weights' normal distribution; PyTorch's default from U(±1/√fan_in)
    // a 4 → 20 000 layer: 20 000 bias draws
    const big = (init: string, biasInit = 'auto'): Float32Array => {
      const l = new Linear(4, 20000, { generator: new Generator(1) });
      initLayer(l, settings(init, biasInit), 'relu', new Generator(9));
      return l.bias!.toFloat32Array();
    };
    expect(Math.abs(sample(big('report001')).std / Math.sqrt(2 / ((1 + 6 / 20004) * 4)) - 1)).toBeLessThan(0.02);
    const d = sample(big('default'));
    expect(d.max).toBeLessThanOrEqual(1 / 2);
    expect(Math.abs(d.std / (0.5 / Math.sqrt(3)) - 1)).toBeLessThan(0.02);
    expect(sample(big('report001', 'zeros'))).toMatchObject({ min: 0, max: 0 });
    expect(Math.abs(sample(big('he-uniform', 'same')).std / (Math.SQRT2 / 2) - 1)).toBeLessThan(0.02);
    expect(Math.abs(sample(big('he-uniform', 'normal')).std / 0.3 - 1)).toBeLessThan(0.02);
    expect(BIAS_INITS).toEqual(['auto', 'zeros', 'same', ...Object.keys(INITS)]);
  });
});

describe('the model and stopping rule of a config', () => {
  it('--activation-scale puts Scale(k) before each hidden activation: tanh(10x)', () => {
    const config = parseTrainArgs(['--hidden', '3,3', '--activation', 'tanh', '--activation-scale', '10', '--loss', 'mse', '--init', 'default']);
    const model = buildModel(config, new Generator(1));
    expect(model.toString()).toMatch(/Linear[\s\S]*Scale\(factor=10\)[\s\S]*Tanh[\s\S]*Linear[\s\S]*Scale\(factor=10\)[\s\S]*Tanh[\s\S]*Linear/);
    const x = Tensor.from([[0.3, -0.2]]);
    const first = model.namedChildren()[0]![1] as Linear;
    const pre = first.forward(x).toArray() as number[][];
    const expected = pre[0]!.map((v) => Math.tanh(10 * v));
    const steep = new Scale(10), tanh = new Tanh();
    const got = tanh.forward(steep.forward(first.forward(x))).toArray() as number[][];
    got[0]!.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 5));
    expect(buildModel(parseTrainArgs(['--loss', 'mse']), new Generator(1)).toString()).not.toMatch(/Scale/);
  });

  it('--early-stop-loss / --check-every become an EarlyStopping rule on the training loss', () => {
    expect(stopping(parseTrainArgs([]))).toBeUndefined();
    expect(stopping(parseTrainArgs(['--early-stop-loss', '0.005', '--check-every', '100', '--epochs', '1000'])))
      .toEqual({ monitor: 'loss', target: 0.005, patience: 1000, every: 100 });
    expect(stopping(parseTrainArgs(['--early-stop-accuracy', '1'])))
      .toEqual({ monitor: 'accuracy', target: 1, patience: 100, every: 1 });
  });

  it('plots a regression output as itself, a probability only where the model outputs one', () => {
    expect(readout(parseTrainArgs(['--loss', 'mse', '--outputs', '2'])).label).toBe('y₁ − y₀ (class 1 where > 0)');
    expect(readout(parseTrainArgs(['--loss', 'mse', '--outputs', '1'])).label).not.toMatch(/P\(/);
    expect(readout(parseTrainArgs(['--loss', 'ce'])).label).toMatch(/^P\(class 1\)/);
    expect(readout(parseTrainArgs(['--loss', 'bce'])).label).toMatch(/^P\(class 1\)/);
    const mse2 = readout(parseTrainArgs(['--loss', 'mse', '--outputs', '2']));
    expect(mse2.score(new Float32Array([0.2, 0.7]), 0)).toBeCloseTo(0.5, 6);
    expect(mse2.score(new Float32Array([0, 9]), 0)).toBe(1);
  });
});
