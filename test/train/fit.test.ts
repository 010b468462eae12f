import { describe, expect, it } from 'vitest';
import {
  Adam, BCELoss, CrossEntropyLoss, Generator, Linear, MSELoss, ReLU, SGD, Sequential, Sigmoid, Tensor,
  StepLR, ExponentialLR, CosineAnnealingLR, ReduceLROnPlateau, clipGradNorm,
  accuracy, confusionMatrix, disk, evaluate, fit, fitAsync, linear, oneHot, predict, ValueError, NonFiniteLossError,
} from '../../src/index.js';

function net(gen: Generator, out = 2): Sequential {
  return new Sequential(new Linear(2, 16, { generator: gen }), new ReLU(), new Linear(16, 16, { generator: gen }), new ReLU(), new Linear(16, out, { generator: gen }));
}

describe('fit / evaluate / predict', () => {
  it('trains the disk to high accuracy and reports per-epoch figures', () => {
    const gen = new Generator(1);
    const { x, y } = disk(600, gen);
    const model = net(gen);
    const history = fit(model, {
      loss: new CrossEntropyLoss(), optimizer: new Adam(model.parameters(), { lr: 1e-2 }),
      x, y, epochs: 60, batchSize: 50, seed: 2, validation: { split: 0.25 },
    });
    expect(history.epochs).toHaveLength(60);
    expect(history.stopReason).toBe('completed');
    const last = history.last!;
    expect(last.loss).toBeLessThan(history.epochs[0]!.loss);
    expect(last.valAccuracy).toBeGreaterThan(0.9);
    const test = disk(500, gen);
    const ev = evaluate(model, { x: test.x, y: test.y, loss: new CrossEntropyLoss() });
    expect(ev.accuracy).toBeGreaterThan(0.9);
    expect(ev.task).toBe('classification');
    expect(ev.count).toBe(500);
    const out = predict(model, test.x, { batchSize: 64 });
    // errors counted independently of evaluate(): argmax of each predicted row against its label.
    const rows = out.toArray() as number[][], labels = test.y.toArray() as number[];
    const wrong = rows.filter((r, i) => r.indexOf(Math.max(...r)) !== labels[i]).length;
    expect(wrong).toBeGreaterThan(0); // the model is not perfect, so the count is a real check
    expect(ev.errors).toBe(wrong);
    expect(ev.error).toBeCloseTo(wrong / 500, 12);
    expect(out.shape).toEqual([500, 2]);
    expect(accuracy(out, test.y)).toBeCloseTo(ev.accuracy!, 10);
    const cm = confusionMatrix(out, test.y, 2);
    expect(cm[0]![0]! + cm[1]![1]!).toBe(500 - ev.errors!);
  });

  it('predicts a single 1-D sample as torch does: the output without the batch dimension', () => {
    const gen = new Generator(4);
    const model = net(gen);
    const rows = Tensor.from([[0.2, 0.7], [0.9, 0.1]]);
    const batch = predict(model, rows).toArray() as number[][];
    const one = predict(model, Tensor.from([0.9, 0.1]));
    expect(one.shape).toEqual([2]);
    expect(one.toArray()).toEqual(batch[1]);
    expect(model.forward(Tensor.from([0.2, 0.7])).toArray()).toEqual(batch[0]);
    expect(() => predict(model, Tensor.from([1, 2, 3]))).toThrow(/does not fit the model/);
  });

  it('is reproducible for the same seed', () => {
    const run = (): number[] => {
      const gen = new Generator(4);
      const { x, y } = disk(200, gen);
      const model = net(gen);
      return fit(model, { loss: new CrossEntropyLoss(), optimizer: new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 }), x, y, epochs: 5, batchSize: 20, seed: 9 }).series('loss');
    };
    expect(run()).toEqual(run());
  });

  it('early stopping: target accuracy and patience', () => {
    const gen = new Generator(5);
    const { x, y } = linear(100, gen);
    const model = new Sequential(new Linear(2, 4, { generator: gen }), new ReLU(), new Linear(4, 1, { generator: gen }), new Sigmoid());
    const labels = Tensor.from(y.toFloat32Array(), [100, 1]);
    const h = fit(model, {
      loss: new BCELoss(), optimizer: new Adam(model.parameters(), { lr: 0.05 }), x, y: labels,
      epochs: 2000, batchSize: 100, earlyStopping: { monitor: 'accuracy', target: 0.97, patience: 5000 },
    });
    expect(h.stopReason).toBe('target-reached');
    expect(h.last!.accuracy).toBeGreaterThanOrEqual(0.97);
    expect(h.epochs.length).toBeLessThan(2000);

    // With evaluateTrain the target is checked on the model as it is after the epoch.
    const m3 = new Sequential(new Linear(2, 4, { generator: new Generator(5) }), new ReLU(), new Linear(4, 1, { generator: new Generator(6) }), new Sigmoid());
    const h3 = fit(m3, {
      loss: new BCELoss(), optimizer: new Adam(m3.parameters(), { lr: 0.05 }), x, y: labels, epochs: 2000, batchSize: 100,
      evaluateTrain: true, earlyStopping: { monitor: 'accuracy', target: 0.97, patience: 5000 },
    });
    expect(h3.stopReason).toBe('target-reached');
    expect(evaluate(m3, { x, y: labels, loss: new BCELoss() }).accuracy).toBe(h3.last!.accuracy);

    const m2 = net(new Generator(6));
    const h2 = fit(m2, {
      loss: new CrossEntropyLoss(), optimizer: new SGD(m2.parameters(), { lr: 0 }), x, y, epochs: 50, batchSize: 100,
      earlyStopping: { monitor: 'loss', patience: 3 },
    });
    expect(h2.stopReason).toBe('early-stopping');
    expect(h2.epochs).toHaveLength(5); // epoch 1 sets the best, then 4 epochs without improvement
  });

  it('refuses a NaN in x before training, naming the row', () => {
    const gen = new Generator(7);
    const { x, y } = disk(100, gen);
    const bad = x.clone();
    bad.set([NaN], 2 * 57);
    const model = net(gen);
    expect(() => fit(model, { loss: new CrossEntropyLoss(), optimizer: new SGD(model.parameters(), { lr: 0.1 }), x: bad, y, epochs: 3, batchSize: 10, shuffle: false }))
      .toThrow(/^fit: x row 57 has NaN in column 0/);
  });

  it('stops with a NonFiniteLossError naming the epoch and batch when training diverges', () => {
    const gen = new Generator(7);
    const { x } = disk(100, gen);
    const y = Tensor.from(Array.from({ length: 100 }, (_, i) => 1e30 * (i + 1)), [100, 1]);
    const model = net(gen, 1);
    let error: unknown;
    try {
      fit(model, { loss: new MSELoss(), optimizer: new SGD(model.parameters(), { lr: 10 }), x, y, epochs: 3, batchSize: 10, shuffle: false });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(NonFiniteLossError);
    expect((error as Error).message).toMatch(/^fit: training diverged at epoch 1, batch \d+: MSELoss.forward: the loss is (NaN|Infinity)/);
  });

  it('names an invalid class label instead of calling it a divergence', () => {
    const gen = new Generator(11);
    const { x, y } = disk(30, gen);
    const labels = y.clone();
    labels.set([2], 17); // two outputs: classes 0 and 1 only
    const model = net(gen);
    let message = '';
    try {
      fit(model, { loss: new CrossEntropyLoss(), optimizer: new SGD(model.parameters()), x, y: labels, batchSize: 30, shuffle: false });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^fit: y\[17\] = 2 is not a class index in \[0, 1\] nor ignoreIndex -100 \(the model has 2 outputs\)$/);
  });

  it('callbacks, abort signal and one-hot MSE targets', () => {
    const gen = new Generator(8);
    const { x, y } = disk(100, gen);
    const model = net(gen);
    const epochs: number[] = [];
    let batches = 0;
    const h = fit(model, {
      loss: new MSELoss(), optimizer: new Adam(model.parameters()), x, y: oneHot(y, 2), epochs: 10, batchSize: 25,
      callbacks: { onEpochEnd: (log) => { epochs.push(log.epoch); return log.epoch < 3; }, onBatchEnd: () => { batches++; } },
    });
    expect(h.stopReason).toBe('callback');
    expect(epochs).toEqual([1, 2, 3]);
    expect(batches).toBe(12);
    const controller = new AbortController();
    controller.abort();
    const h2 = fit(model, { loss: new MSELoss(), optimizer: new Adam(model.parameters()), x, y: oneHot(y, 2), signal: controller.signal });
    expect(h2.stopReason).toBe('aborted');
    expect(h2.epochs).toHaveLength(0);
  });

  it('fitAsync yields between epochs, so a message (here a timer) can abort it', async () => {
    const gen = new Generator(10);
    const { x, y } = disk(200, gen);
    const model = net(gen);
    const controller = new AbortController();
    let ticks = 0;
    const timer = setInterval(() => { if (++ticks === 3) controller.abort(); }, 0);
    const h = await fitAsync(model, {
      loss: new CrossEntropyLoss(), optimizer: new Adam(model.parameters()), x, y, epochs: 100_000, batchSize: 50,
      signal: controller.signal, yieldMs: 0,
    });
    clearInterval(timer);
    expect(h.stopReason).toBe('aborted');
    expect(h.epochs.length).toBeGreaterThan(0);
    expect(h.epochs.length).toBeLessThan(100_000);
  });

  it('rejects bad options', () => {
    const gen = new Generator(9);
    const { x, y } = disk(20, gen);
    const model = net(gen);
    const base = { loss: new CrossEntropyLoss(), optimizer: new SGD(model.parameters()), x, y };
    expect(() => fit(model, { ...base, epochs: 0 })).toThrow(/epochs must be ≥ 1/);
    expect(() => fit(model, { ...base, epoch: 3 } as never)).toThrow(/unknown option 'epoch'/);
    expect(() => fit(model, { ...base, validation: { split: 1.5 } })).toThrow(ValueError);
    expect(() => fit(model, { ...base, earlyStopping: { monitor: 'valLoss' } })).toThrow(/needs validation data/);
  });
});

describe('learning-rate schedulers and gradient clipping', () => {
  const opt = (): SGD => new SGD(new Linear(2, 2).parameters(), { lr: 1 });
  it('StepLR, ExponentialLR, CosineAnnealingLR follow their closed forms', () => {
    const a = opt(), s = new StepLR(a, { stepSize: 2, gamma: 0.5 });
    const lrs = Array.from({ length: 5 }, () => { s.step(); return a.lr; });
    expect(lrs).toEqual([1, 0.5, 0.5, 0.25, 0.25]);
    const b = opt(), e = new ExponentialLR(b, { gamma: 0.9 });
    e.step(); e.step();
    expect(b.lr).toBeCloseTo(0.81, 12);
    const c = opt(), cos = new CosineAnnealingLR(c, { tMax: 10, etaMin: 0.1 });
    for (let i = 0; i < 5; i++) cos.step();
    expect(c.lr).toBeCloseTo(0.55, 12);
    for (let i = 0; i < 5; i++) cos.step();
    expect(c.lr).toBeCloseTo(0.1, 12);
  });

  it('ReduceLROnPlateau reduces after patience epochs without improvement', () => {
    const a = opt(), r = new ReduceLROnPlateau(a, { patience: 2, factor: 0.5 });
    for (const metric of [1, 0.9, 0.9, 0.9]) r.step(metric);
    expect(a.lr).toBe(1); // two bad epochs: not more than patience yet
    r.step(0.9);
    expect(a.lr).toBe(0.5);
    expect(() => r.step()).toThrow(/metric must be a finite number/);
  });

  it('clipGradNorm scales gradients to the max norm and returns the norm before', () => {
    const layer = new Linear(2, 2);
    const ps = layer.parameters();
    ps[0]!.grad.set([3, 0, 0, 0]);
    ps[1]!.grad.set([0, 4]);
    expect(clipGradNorm(ps, 1)).toBeCloseTo(5, 6);
    expect(ps[0]!.grad.toFloat32Array()[0]).toBeCloseTo(0.6, 5);
    expect(ps[1]!.grad.toFloat32Array()[1]).toBeCloseTo(0.8, 5);
    expect(clipGradNorm(ps, 10)).toBeCloseTo(1, 5);
    expect(ps[1]!.grad.toFloat32Array()[1]).toBeCloseTo(0.8, 5);
  });
});
