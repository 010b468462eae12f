// Round 7 probes of the public API (src/index.ts) by an outside auditor: a scan of the exports
// the earlier scans did not cover (Tensor, data, metrics, History, tabular, io, gradcheck), call
// sequences, disposed objects, and the promise that a rejected call changes nothing. Each case
// failed before its fix (checked with the fix stashed); the comment of each says how.
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  DataLoader, History, Linear, MinMaxScaler, Sequential, ShapeError, StandardScaler, StateError, TabularModel, TabularPreprocessor, Tensor, ValueError,
  gradcheck, memoryStats, oneHot,
} from '../../src/index.js';
import { rejects } from '../helpers/trust.js';

afterEach(() => {
  vi.restoreAllMocks();
});

const rows = [{ a: 1, b: 'x', t: 'p' }, { a: 2, b: 'y', t: 'q' }, { a: 3, b: 'x', t: 'p' }, { a: 4, b: 'y', t: 'q' }];
const fitted = (): TabularPreprocessor => new TabularPreprocessor({ target: 't' }).fit(rows);

describe('round 7: no raw TypeError from the exports outside nn/, losses/ and optim/', () => {
  it('messages describe any value (a bigint, a symbol, a null-prototype object) instead of throwing while being built', () => {
    // Before: TypeErrors from String(value) / JSON.stringify(value) / `${value}` in the message itself.
    rejects(() => Tensor.zeros([2]).set([1], Object.create(null) as number), ValueError, /Tensor\.set: offset must be an integer .*got an object/);
    rejects(() => new History().metric(10n as never), ValueError, /History\.metric: unknown metric 10n \(a bigint\)/);
    rejects(() => new TabularPreprocessor({ target: 't', impute: 10n as never }), ValueError, /impute must be .*got 10n \(a bigint\)/);
    rejects(() => new StandardScaler().fit([1, 2, 3, 4], Symbol('c') as never), ValueError, /StandardScaler\.fit: columns must be a positive integer, got a symbol/);
    rejects(() => new MinMaxScaler().fit([1, 2], Object.create(null) as never), ValueError, /MinMaxScaler\.fit: columns must be a positive integer, got an object/);
  });

  it('TabularPreprocessor.decode checks outputs and rows (null read .length; a symbol, a bigint, true or 0.5 rows)', () => {
    // Before: TypeErrors for null / undefined outputs and symbol / bigint rows; `true` rows decoded one row.
    const p = fitted();
    rejects(() => p.decode(null as never, 1), ValueError, /decode: outputs must be an array of numbers, got null/);
    rejects(() => p.decode(undefined as never, 1), ValueError, /decode: outputs must be an array of numbers, got undefined/);
    for (const rowsArg of [Symbol('r'), 10n, true, 0.5, -1, NaN]) {
      rejects(() => p.decode([0, 1], rowsArg as never), ValueError, /decode: rows must be/);
    }
    expect(p.decode([0, 1, 1, 0], 2)).toEqual(['q', 'p']);
  });
});

describe('round 7: silent garbage', () => {
  it('TabularPreprocessor.decode refuses NaN scores (they decoded as the first class)', () => {
    // Before: decode([NaN, NaN], 1) returned ['p'] — class 0, as if the model had chosen it.
    rejects(() => fitted().decode([NaN, NaN], 1), ValueError, /decode: outputs has NaN at index 0/);
    rejects(() => fitted().decode([0, Infinity], 1), ValueError, /decode: outputs has Infinity at index 1/);
  });

  it('TabularModel.predict of a model with NaN weights is an error naming the row, not the first class for every row', () => {
    // Before: ['p', 'p', 'p', 'p'].
    const p = fitted();
    const model = new Sequential(new Linear(p.featureCount, 2));
    const tm = new TabularModel(model, p);
    tm.predict(rows); // the model's workspaces grown for 4 rows
    model.parameters()[0]!.fill(NaN);
    const before = memoryStats().bytesInUse;
    rejects(() => tm.predict(rows), ValueError, /TabularModel\.predict: the model's output for row 0 is NaN/);
    expect(memoryStats().bytesInUse).toBe(before); // the output is freed on the way out
  });

  it('oneHot refuses labels that are not [n] or [n, 1] (a [2, 3] tensor gave [6, classes])', () => {
    // Before: oneHot(zeros([2, 3]), 2) returned a [6, 2] tensor.
    rejects(() => oneHot(Tensor.zeros([2, 3]), 2), ShapeError, /oneHot: labels must have shape \[n\] or \[n, 1\], got \[2, 3\]/);
    rejects(() => oneHot(Tensor.zeros([2, 3, 4]), 2), ShapeError, /got \[2, 3, 4\]/);
    expect(oneHot(Tensor.from([[1], [0]]), 2).toArray()).toEqual([[0, 1], [1, 0]]);
  });

  it('new History(task) checks the task (any value was kept as the task)', () => {
    // Before: new History('2').task === '2'.
    rejects(() => new History('2' as never), ValueError, /History: task must be one of 'classification', 'regression', got '2'/);
    expect(new History('regression').task).toBe('regression');
  });

  it('gradcheck refuses a non-finite input (ok: false with NaN figures) and non-finite parameters (the gradients were overwritten, then loadStateDict threw)', () => {
    // Before: { ok: false, worst: { numeric: NaN, … } } for a NaN input; for a NaN weight the
    // restoring loadStateDict threw "Linear.loadStateDict: 'weight' has NaN" after the gradients
    // had been replaced by the check's own.
    const layer = new Linear(3, 2);
    rejects(() => gradcheck(layer, Tensor.from([[NaN, 1, 2]])), ValueError, /gradcheck: input has NaN at index 0/);
    layer.parameters()[0]!.fill(NaN);
    layer.parameters()[0]!.grad.fill(0.25);
    rejects(() => gradcheck(layer, Tensor.from([[0, 1, 2]])), ValueError, /gradcheck: the module's 'weight' has NaN at index 0/);
    expect(Array.from(layer.parameters()[0]!.grad.toFloat32Array())).toEqual([0.25, 0.25, 0.25, 0.25, 0.25, 0.25]);
  });
});

describe('round 7: disposed objects', () => {
  it('a disposed DataLoader refuses to iterate (it wrote its shuffled row order into freed WASM memory: another tensor)', () => {
    // Before: the iterator filled the released order block with a permutation of 0..63 — by then
    // the memory of a tensor allocated after dispose() — and only then failed in gather.
    const loader = new DataLoader(Tensor.zeros([64, 2]), Tensor.zeros([64]), { shuffle: true });
    loader.dispose();
    const victims = Array.from({ length: 8 }, () => Tensor.zeros([64]));
    rejects(() => [...loader], StateError, /DataLoader: this DataLoader has been disposed/);
    for (const v of victims) expect(v.toFloat32Array().every((x) => x === 0)).toBe(true);
    expect(loader.isDisposed).toBe(true);
  });

  it('a DataLoader disposed between two batches stops at the next one', () => {
    const loader = new DataLoader(Tensor.zeros([8, 2]), Tensor.zeros([8]), { batchSize: 2, shuffle: true });
    const it = loader[Symbol.iterator]();
    expect(it.next().done).toBe(false);
    loader.dispose();
    rejects(() => it.next(), StateError, /DataLoader: this DataLoader has been disposed/);
  });
});
