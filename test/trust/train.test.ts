// Adversarial probes of training (issue 10, classes 2 and 5): every rejected call is refused
// before the first change — parameters, optimizer state, step count and the global generator
// stay as they were — with an error class and a message naming the argument or row; figures
// are reported only where they mean something (no accuracy for a regression).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Adam, BatchNorm1d, CrossEntropyLoss, EarlyStopping, Generator, Linear, MSELoss, NonFiniteLossError, ReLU, SGD, Sequential, ShapeError, StateError, StepLR,
  Tensor, ValueError, accuracy, confusionMatrix, defaultGenerator, disk, evaluate, fit, manualSeed, trainTestSplit,
  type FitOptions, type Optimizer,
} from '../../src/index.js';

function net(seed = 1, outputs = 2): Sequential {
  const g = new Generator(seed);
  return new Sequential(new Linear(2, 8, { generator: g }), new ReLU(), new Linear(8, outputs, { generator: g }));
}

/** Everything a rejected fit must leave alone. */
function snapshot(model: Sequential, optimizer: Optimizer): unknown {
  return { params: model.parameters().map((p) => Array.from(p.toFloat32Array())), steps: optimizer.steps, state: JSON.stringify(optimizer.stateDict()) };
}

/** Runs fit expecting a rejection of class `cls` whose message matches `message`; checks nothing changed. */
function rejects(options: (m: Sequential, o: Optimizer) => Partial<FitOptions> & Record<string, unknown>, cls: new (...a: never[]) => Error, message: RegExp, outputs = 2): void {
  const { x, y } = disk(200, new Generator(3));
  const model = net(1, outputs);
  const optimizer = new Adam(model.parameters(), { lr: 0.01 });
  // One real step first, so that the optimizer has state that could be overwritten.
  fit(model, { loss: new CrossEntropyLoss(), optimizer, x: x._rows(0, 10), y: y._rows(0, 10), epochs: 1, batchSize: 10, seed: 1 });
  const before = snapshot(model, optimizer);
  let error: unknown;
  try {
    fit(model, { loss: new CrossEntropyLoss(), optimizer, x, y, epochs: 2, batchSize: 10, seed: 1, ...options(model, optimizer) } as FitOptions);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(cls);
  expect((error as Error).message).toMatch(message);
  expect(snapshot(model, optimizer)).toEqual(before);
}

describe('fit refuses before the first change', () => {
  it('validation x of the wrong width (3 columns for a 2-input model)', () => {
    const vy = Tensor.zeros([10]);
    rejects(() => ({ validation: { x: Tensor.zeros([10, 3]), y: vy } }), ShapeError, /validation\.x rows have shape \[3\], but x rows have shape \[2\]/);
  });

  it('a bad class label in row 73, named, over the whole data set', () => {
    const { y } = disk(200, new Generator(3));
    const labels = Tensor.from(y.toFloat32Array(), [200]);
    labels.set([5], 73);
    rejects(() => ({ y: labels }), ValueError, /^fit: y\[73\] = 5 is not a class index in \[0, 1\]/);
  });

  it('a fractional label (0.5) in a class-index target', () => {
    const { y } = disk(200, new Generator(3));
    const labels = Tensor.from(y.toFloat32Array(), [200]);
    labels.set([0.5], 150);
    rejects(() => ({ y: labels }), ValueError, /y\[150\] = 0\.5 is not a class index/);
  });

  it('a NaN in x row 73 is refused before training, naming the row', () => {
    const { x } = disk(200, new Generator(3));
    const bad = x.clone();
    bad.set([NaN], 2 * 73 + 1);
    rejects(() => ({ x: bad }), ValueError, /^fit: x row 73 has NaN in column 1/);
  });

  it('a bad label in the validation targets', () => {
    const v = disk(50, new Generator(4));
    const vy = Tensor.from(v.y.toFloat32Array(), [50]);
    vy.set([-1], 7);
    rejects(() => ({ validation: { x: v.x, y: vy } }), ValueError, /validation\.y\[7\] = -1 is not a class index/);
  });

  it('callbacks.onEpochEnd: 42', () => {
    rejects(() => ({ callbacks: { onEpochEnd: 42 as never } }), ValueError, /callbacks\.onEpochEnd must be a function, got number/);
  });

  it('epochs and batchSize: NaN, 1.5, -1, 0, 1e39, strings and null are refused by name', () => {
    fc.assert(fc.property(fc.constantFrom('epochs', 'batchSize'), fc.constantFrom(NaN, 1.5, -1, 0, 1e39, '3', null, Infinity), (key, value) => {
      rejects(() => ({ [key]: value }), ValueError, new RegExp(`^fit: (${key} must |option '${key}' is null)`));
    }), { numRuns: 40 });
  });

  it('a scheduler that drives another optimizer', () => {
    const other = new SGD(net(2).parameters(), { lr: 0.1 });
    rejects(() => ({ scheduler: new StepLR(other, { stepSize: 1 }) }), ValueError, /scheduler drives a different optimizer/);
  });

  it('a rejected call does not draw from the global generator', () => {
    manualSeed(42);
    const expected = new Generator(0).manualSeed(42).nextUint32();
    const { x, y } = disk(20, new Generator(1));
    const model = net();
    expect(() => fit(model, { loss: new CrossEntropyLoss(), optimizer: new SGD(model.parameters()), x, y, callbacks: { onBatchEnd: 'no' as never } })).toThrow(ValueError);
    expect(defaultGenerator.nextUint32()).toBe(expected);
  });

  it('monitor accuracy in a regression run is refused before training', () => {
    const model = net(1, 1);
    const x = Tensor.from(Array.from({ length: 40 }, (_, i) => i / 40), [20, 2]);
    const y = Tensor.from(Array.from({ length: 20 }, (_, i) => 1000 * i), [20, 1]);
    const before = model.parameters().map((p) => Array.from(p.toFloat32Array()));
    expect(() => fit(model, { loss: new MSELoss(), optimizer: new SGD(model.parameters()), x, y, earlyStopping: { monitor: 'accuracy' } }))
      .toThrow(/monitor 'accuracy' is a classification figure, but this run is a regression/);
    expect(model.parameters().map((p) => Array.from(p.toFloat32Array()))).toEqual(before);
  });
});

describe('fit refuses before the first change (found in the end-of-round review)', () => {
  it('an optimizer over another model’s parameters is refused instead of silently training nothing', () => {
    rejects(() => ({ optimizer: new Adam(net(7).parameters()) }), ValueError, /the optimizer updates none of this model's parameters/);
  });

  it('a disposed optimizer is refused before the model is touched', () => {
    const { x, y } = disk(20, new Generator(3));
    const model = net(1);
    const optimizer = new Adam(model.parameters());
    optimizer.dispose();
    const before = model.parameters().map((p) => Array.from(p.toFloat32Array()));
    expect(() => fit(model, { loss: new CrossEntropyLoss(), optimizer, x, y, epochs: 1 })).toThrow(StateError);
    expect(model.parameters().map((p) => Array.from(p.toFloat32Array()))).toEqual(before);
  });

  it('a last batch of one row through BatchNorm1d is refused before the first update, not in the middle of the epoch', () => {
    const g = new Generator(5);
    const { x, y } = disk(9, g);
    const model = new Sequential(new Linear(2, 4, { generator: g }), new BatchNorm1d(4), new ReLU(), new Linear(4, 2, { generator: g }));
    const optimizer = new Adam(model.parameters(), { lr: 0.01 });
    const before = model.parameters().map((p) => Array.from(p.toFloat32Array()));
    expect(() => fit(model, { loss: new CrossEntropyLoss(), optimizer, x, y, epochs: 1, batchSize: 8, shuffle: false }))
      .toThrow(/a batch has 1 row, but BatchNorm1d\(4.*needs more than 1 value per channel/);
    expect(model.parameters().map((p) => Array.from(p.toFloat32Array()))).toEqual(before);
    expect(optimizer.steps).toBe(0);
    fit(model, { loss: new CrossEntropyLoss(), optimizer, x, y, epochs: 1, batchSize: 3 }); // 3 + 3 + 3 rows: fine
    expect(optimizer.steps).toBe(3);
  });

  it('a disposed model keeps its own error class instead of becoming "x does not fit"', () => {
    const { x, y } = disk(20, new Generator(3));
    const model = net(1);
    const optimizer = new Adam(model.parameters());
    model.dispose();
    expect(() => fit(model, { loss: new CrossEntropyLoss(), optimizer, x, y, epochs: 1 })).toThrow(StateError);
  });
});

describe('figures that mean something', () => {
  /** House-price-like data: y = 2e5 + 1e5·x1 - 5e4·x2 (+ noise). */
  function prices(n: number): { x: Tensor; y: Tensor } {
    const g = new Generator(5);
    const xs: number[] = [], ys: number[] = [];
    for (let i = 0; i < n; i++) {
      const a = g.random(), b = g.random();
      xs.push(a, b);
      ys.push(2e5 + 1e5 * a - 5e4 * b + g.normal(0, 1e3));
    }
    return { x: Tensor.from(xs, [n, 2]), y: Tensor.from(ys, [n, 1]) };
  }

  it('a 1-output MSE network on prices reports MAE/RMSE/R², never accuracy', () => {
    const { x, y } = prices(200);
    const model = net(1, 1);
    const history = fit(model, { loss: new MSELoss(), optimizer: new Adam(model.parameters(), { lr: 0.01 }), x, y, epochs: 3, validation: { split: 0.25 }, seed: 1 });
    expect(history.task).toBe('regression');
    for (const log of history.epochs) {
      expect(log.accuracy).toBeUndefined();
      expect(log.valAccuracy).toBeUndefined();
      expect(log.rmse).toBeGreaterThan(1e4); // untrained: errors of the order of the prices
      expect(Number.isFinite(log.valR2)).toBe(true);
    }
    const ev = evaluate(model, { x, y, loss: new MSELoss() });
    expect(ev.task).toBe('regression');
    expect(ev.accuracy).toBeUndefined();
    expect(ev.errors).toBeUndefined();
    expect(ev.mae).toBeGreaterThan(1e4);
    expect(ev.r2).toBeLessThan(0);
  });

  it('accuracy(null, y) is a ValueError naming the output', () => {
    expect(() => accuracy(null as never, Tensor.from([0, 1]))).toThrow(ValueError);
    expect(() => accuracy(null as never, Tensor.from([0, 1]))).toThrow(/accuracy: output must be a Tensor, got null/);
  });

  it('accuracy of NaN targets is an error, not 1', () => {
    const scores = Tensor.from([[1, 0], [0, 1], [1, 0]]);
    expect(() => accuracy(scores, Tensor.from([NaN, NaN, NaN]))).toThrow(/accuracy: target row 0 has NaN/);
  });

  it('confusionMatrix refuses a label beyond classes instead of dropping the row', () => {
    const scores = Tensor.from([[1, 0], [0, 1], [1, 0]]);
    expect(() => confusionMatrix(scores, Tensor.from([0, 1, 2]), 2)).toThrow(/target\[2\] = 2 is not a class index in \[0, 1\]/);
  });

  it('divergence is a NonFiniteLossError naming epoch and batch', () => {
    const { x } = prices(100);
    const y = Tensor.from(Array.from({ length: 100 }, (_, i) => 3e37 * (i % 2 ? 1 : -1)), [100, 1]);
    const model = net(1, 1);
    let error: unknown;
    try {
      fit(model, { loss: new MSELoss(), optimizer: new SGD(model.parameters(), { lr: 1 }), x, y, epochs: 2, batchSize: 10 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(NonFiniteLossError);
    expect((error as Error).message).toMatch(/training diverged at epoch \d+, batch \d+/);
  });

  it('evaluate names the row of a bad label in a later batch by its row in the data set', () => {
    const { x, y } = disk(1500, new Generator(2));
    const labels = Tensor.from(y.toFloat32Array(), [1500]);
    labels.set([3], 1400);
    expect(() => evaluate(net(), { x, y: labels, loss: new CrossEntropyLoss() })).toThrow(/^evaluate: y\[1400\] = 3 is not a class index/);
  });

  it('trainTestSplit(x, null) is a ValueError, not a TypeError', () => {
    expect(() => trainTestSplit(Tensor.zeros([4, 2]), null as never)).toThrow(/trainTestSplit: y must be a Tensor, got null/);
  });
});

describe('early stopping and history', () => {
  it('restoreBestWeights puts back the best epoch\'s parameters', () => {
    const { x, y } = disk(300, new Generator(6));
    const model = net(3);
    const optimizer = new SGD(model.parameters(), { lr: 0.5 });
    let best = Infinity;
    let bestParams: number[][] = [];
    const history = fit(model, {
      loss: new CrossEntropyLoss(), optimizer, x, y, epochs: 12, batchSize: 30, seed: 2, validation: { split: 0.3 },
      earlyStopping: { monitor: 'valLoss', patience: 100, restoreBestWeights: true },
      callbacks: { onEpochEnd: (log) => {
        if (log.valLoss! < best) {
          best = log.valLoss!;
          bestParams = model.parameters().map((p) => Array.from(p.toFloat32Array()));
        }
      } },
    });
    const bestEpoch = history.metric('valLoss').indexOf(Math.min(...history.metric('valLoss'))) + 1;
    expect(history.restoredEpoch).toBe(bestEpoch);
    expect(model.parameters().map((p) => Array.from(p.toFloat32Array()))).toEqual(bestParams);
  });

  it('history.metric returns per-epoch arrays and refuses what was not recorded', () => {
    const { x, y } = disk(100, new Generator(6));
    const model = net();
    const history = fit(model, { loss: new CrossEntropyLoss(), optimizer: new SGD(model.parameters()), x, y, epochs: 3 });
    expect(history.metric('loss')).toHaveLength(3);
    expect(() => history.metric('valLoss')).toThrow(/did not record 'valLoss'/);
    expect(() => history.metric('r2')).toThrow(/did not record 'r2'/);
    expect(() => new EarlyStopping({ restoreBestWeights: 'yes' as never }, false)).toThrow(/restoreBestWeights must be true or false/);
  });
});
