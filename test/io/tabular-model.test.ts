import { describe, expect, it } from 'vitest';
import {
  BatchNorm1d, Generator, Linear, ReLU, Sequential, ShapeError, TabularModel, TabularPreprocessor, ValueError, WasmnnError, decodeSafetensors,
  encodeSafetensors, loadModel, memoryStats, saveModel,
} from '../../src/index.js';

const rows = [
  { a: 1, b: 'x', label: 'cat' }, { a: 2, b: 'y', label: 'dog' }, { a: 3, b: 'x', label: 'cat' }, { a: 4, b: 'y', label: 'dog' },
];

function tabular(): TabularModel {
  const prep = new TabularPreprocessor({ target: 'label' }).fit(rows);
  const g = new Generator(5);
  return new TabularModel(new Sequential(new Linear(prep.featureCount, 4, { generator: g }), new ReLU(), new Linear(4, prep.outputCount, { generator: g })), prep);
}

describe('TabularModel', () => {
  it('predict / evaluate take { batchSize } (rows per forward pass, as predict): same answers; a bad size or option is refused before any work', () => {
    const m = tabular();
    const many = Array.from({ length: 9 }, (_, i) => rows[i % 4]!);
    expect(m.predict(many, { batchSize: 2 })).toEqual(m.predict(many));
    expect(m.evaluate(many, { batchSize: 4 })).toEqual(m.evaluate(many));
    const before = memoryStats().bytesInUse;
    for (const batchSize of [0, 1.5, -1, NaN, '8', null] as unknown[]) {
      expect(() => m.predict(many, { batchSize } as never)).toThrow(ValueError);
      expect(() => m.evaluate(many, { batchSize } as never)).toThrow(/TabularModel\.evaluate: .*batchSize/);
    }
    expect(() => m.predict(many, { batch: 2 } as never)).toThrow(/TabularModel\.predict: unknown option 'batch'; allowed: batchSize/);
    expect(() => m.predict(many, 5 as never)).toThrow(/TabularModel\.predict: options must be an object/);
    expect(memoryStats().bytesInUse).toBe(before);
  });

  it('predicts original labels from raw rows; the file carries model and preprocessing; loadModel reads the same file', () => {
    const m = tabular();
    const bytes = m.save();
    const back = TabularModel.load(bytes);
    expect(back.predict(rows)).toEqual(m.predict(rows));
    expect(m.predict(rows).every((l) => l === 'cat' || l === 'dog')).toBe(true);
    expect(back.preprocessor.toJSON()).toEqual(m.preprocessor.toJSON());
    expect(loadModel(bytes).toString()).toBe(m.model.toString());
    const e = back.evaluate(rows);
    expect(e.task).toBe('classification');
    expect(e.count).toBe(4);
  });

  it('regression: predictions and MAE / RMSE / R² in the target units', () => {
    const prep = new TabularPreprocessor({ target: 'a', features: ['b'] }).fit(rows);
    const model = new Sequential(new Linear(2, 1, { bias: true, generator: new Generator(1) }));
    // Set the weights so that prediction = the mean per category: x→2, y→3.
    const s = Math.sqrt(1.25);
    model.loadStateDict({ '0.weight': { shape: [1, 2], data: [(2 - 2.5) / s, (3 - 2.5) / s] }, '0.bias': { shape: [1], data: [0] } });
    const m = new TabularModel(model, prep);
    m.predict(rows).forEach((p, i) => expect(p).toBeCloseTo([2, 3, 2, 3][i]!, 5));
    const e = m.evaluate(rows);
    if (e.task !== 'regression') throw new Error('regression expected');
    expect(e.mae).toBeCloseTo(1, 5);
    expect(e.rmse).toBeCloseTo(1, 5);
    expect(e.r2).toBeCloseTo(1 - 4 / 5, 5); // SSE 4, SST 5
  });

  it('refuses a model whose outputs do not fit the preprocessing, files without preprocessing, and hostile preprocessing (freeing the model)', () => {
    const prep = new TabularPreprocessor({ target: 'label' }).fit(rows);
    expect(() => new TabularModel(new Sequential(new Linear(3, 5)), prep).predict(rows)).toThrow(/gives 5 outputs per row, the preprocessing expects 2/);
    expect(() => new TabularModel(new Sequential(new Linear(3, 2)), new TabularPreprocessor({ target: 'label' }))).toThrow(/call fit/);
    const plain = saveModel(new Sequential(new Linear(3, 2)));
    expect(() => TabularModel.load(plain)).toThrow(/no preprocessing metadata/);
    const { tensors, metadata } = decodeSafetensors(tabular().save());
    const before = memoryStats().bytesInUse;
    for (const preprocessing of ['{', '{"version":1}', JSON.stringify({ ...JSON.parse(metadata.preprocessing!), task: 'x' })]) {
      expect(() => TabularModel.load(encodeSafetensors(tensors, { ...metadata, preprocessing }))).toThrow(WasmnnError);
    }
    expect(memoryStats().bytesInUse).toBe(before);
    expect(() => new TabularModel(null as never, prep)).toThrow(ValueError);
  });

  it('checks the widths at construction (not at the first predict) and leaves the model as it was', () => {
    const prep = new TabularPreprocessor({ target: 'label' }).fit(rows); // 3 features, 2 classes
    const wrongIn = new Sequential(new Linear(4, 2));
    expect(() => new TabularModel(wrongIn, prep)).toThrow(ShapeError);
    expect(() => new TabularModel(wrongIn, prep)).toThrow(/TabularModel: a batch of the preprocessor's 3 features \[2, 3\] does not fit the model/);
    expect(() => new TabularModel(new Sequential(new Linear(3, 1)), prep)).toThrow(/TabularModel: the model gives 1 output per row, the preprocessing expects 2 \(one per class\)/);
    const regression = new TabularPreprocessor({ target: 'a', features: ['b'] }).fit(rows);
    expect(() => new TabularModel(new Linear(2, 3), regression)).toThrow(/gives 3 outputs per row, the preprocessing expects 1 \(the target\)/);
    // The probe runs in eval mode: batch-norm statistics and the training flag are untouched.
    const bn = new BatchNorm1d(4);
    const model = new Sequential(new Linear(3, 4), bn, new ReLU(), new Linear(4, 2));
    const before = JSON.stringify(model.stateDict());
    new TabularModel(model, prep);
    expect(model.training).toBe(true);
    expect(JSON.stringify(model.stateDict())).toBe(before);
  });
});
