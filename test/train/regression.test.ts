// Regression as a task: the figures against a plain computation, the task inference, and the
// classic MSE-on-one-hot classifier still reported with accuracy.
import { describe, expect, it } from 'vitest';
import {
  CrossEntropyLoss, Generator, HuberLoss, Linear, LogSoftmax, MSELoss, NLLLoss, SGD, Sequential, Tensor, disk, evaluate, fit, meanAbsoluteError, oneHot,
  r2Score, rootMeanSquaredError,
} from '../../src/index.js';

describe('regression metrics', () => {
  it('MAE, RMSE and R² match a direct computation (two outputs: R² over all outputs)', () => {
    const p = [[1, 10], [2, 20], [4, 25], [3, 41]], t = [[1.5, 12], [2, 18], [3, 30], [3.5, 40]];
    const e = p.flat().map((v, i) => v - t.flat()[i]!);
    const mae = e.reduce((a, v) => a + Math.abs(v), 0) / 8;
    const rmse = Math.sqrt(e.reduce((a, v) => a + v * v, 0) / 8);
    const means = [0, 1].map((j) => t.reduce((a, r) => a + r[j]!, 0) / 4);
    const ssTot = t.reduce((a, r) => a + (r[0]! - means[0]!) ** 2 + (r[1]! - means[1]!) ** 2, 0);
    const r2 = 1 - e.reduce((a, v) => a + v * v, 0) / ssTot;
    const P = Tensor.from(p), T = Tensor.from(t);
    expect(meanAbsoluteError(P, T)).toBeCloseTo(mae, 6);
    expect(rootMeanSquaredError(P, T)).toBeCloseTo(rmse, 6);
    expect(r2Score(P, T)).toBeCloseTo(r2, 6);
  });

  it('R² of constant targets: 1 when exact, else 0; large values (prices) stay accurate', () => {
    expect(r2Score(Tensor.from([2, 2]), Tensor.from([2, 2]))).toBe(1);
    expect(r2Score(Tensor.from([1, 2]), Tensor.from([2, 2]))).toBe(0);
    const t = Tensor.from([300000, 300010, 300020]), p = Tensor.from([300000, 300010, 300030]);
    expect(r2Score(p, t)).toBeCloseTo(1 - 100 / 200, 6);
  });

  it('refuses mismatched or non-finite inputs', () => {
    expect(() => r2Score(Tensor.from([1, 2]), Tensor.from([1, 2, 3]))).toThrow(/same rows and values/);
    expect(() => meanAbsoluteError(Tensor.from([1, NaN]), Tensor.from([1, 2]))).toThrow(/prediction row 1 has NaN/);
    expect(() => rootMeanSquaredError(null as never, Tensor.from([1]))).toThrow(/prediction must be a Tensor/);
  });
});

describe('the task', () => {
  it('is inferred from the loss, and from one-hot targets for value losses', () => {
    const g = new Generator(1);
    const { x, y } = disk(60, g);
    const two = (): Sequential => new Sequential(new Linear(2, 2, { generator: g }));
    const one = (): Sequential => new Sequential(new Linear(2, 1, { generator: g }));
    const m1 = two(), m2 = two(), m3 = one(), m4 = one();
    expect(fit(m1, { loss: new CrossEntropyLoss(), optimizer: new SGD(m1.parameters()), x, y, epochs: 1 }).task).toBe('classification');
    const h2 = fit(m2, { loss: new MSELoss(), optimizer: new SGD(m2.parameters()), x, y: oneHot(y, 2), epochs: 1 });
    expect(h2.task).toBe('classification');
    expect(h2.last!.accuracy).toBeGreaterThanOrEqual(0);
    const values = Tensor.from(y.toFloat32Array(), [60, 1]);
    const h3 = fit(m3, { loss: new HuberLoss(), optimizer: new SGD(m3.parameters()), x, y: values, epochs: 1 });
    expect(h3.task).toBe('regression');
    expect(h3.last!.accuracy).toBeUndefined();
    expect(h3.metric('r2')).toHaveLength(1);
    const h4 = fit(m4, { loss: new MSELoss(), optimizer: new SGD(m4.parameters()), x, y: values, epochs: 1, task: 'classification' });
    expect(h4.task).toBe('classification');
    const ev4 = evaluate(m4, { x, y: values, loss: new MSELoss(), task: 'classification' });
    expect(ev4.task).toBe('classification');
    expect(ev4.mae).toBeUndefined();
    expect(() => fit(m1, { loss: new CrossEntropyLoss(), optimizer: new SGD(m1.parameters()), x, y, task: 'regression' })).toThrow(/task 'regression' needs a loss on values/);
    const m5 = new Sequential(new Linear(2, 2, { generator: g }), new LogSoftmax(1)); // the NLLLoss pair classifies too
    const h5 = fit(m5, { loss: new NLLLoss(), optimizer: new SGD(m5.parameters()), x, y, epochs: 1 });
    expect(h5.task).toBe('classification');
    expect(h5.last!.accuracy).toBeGreaterThanOrEqual(0);
  });

  it('a regressor learns a line: R² near 1', () => {
    const g = new Generator(2);
    const xs: number[] = [], ys: number[] = [];
    for (let i = 0; i < 200; i++) {
      const a = g.random(), b = g.random();
      xs.push(a, b);
      ys.push(3 * a - 2 * b + 1);
    }
    const model = new Sequential(new Linear(2, 1, { generator: g }));
    const h = fit(model, { loss: new MSELoss(), optimizer: new SGD(model.parameters(), { lr: 0.3 }), x: Tensor.from(xs, [200, 2]), y: Tensor.from(ys, [200, 1]), epochs: 200, batchSize: 20, seed: 1, validation: { split: 0.2 } });
    expect(h.last!.valR2).toBeGreaterThan(0.99);
    expect(h.last!.valRmse).toBeLessThan(0.1);
  });
});
