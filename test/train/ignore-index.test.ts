// fit / evaluate with targets equal to the loss's ignoreIndex (torch's ignore_index): accepted by
// the data-set checks, left out of the loss, the accuracy, the error count and the row count; any
// other out-of-range target is still refused with the row named, before anything changes.
import { describe, expect, it } from 'vitest';
import {
  BCEWithLogitsLoss, CrossEntropyLoss, Generator, Linear, MSELoss, NLLLoss, LogSoftmax, ReduceLROnPlateau, SGD, Sequential, Tensor, ValueError,
  accuracy, confusionMatrix, evaluate, fit, predict,
} from '../../src/index.js';

const N = 12;

function setup(seed = 3) {
  const gen = new Generator(seed);
  const model = new Sequential(new Linear(2, 3, { generator: gen }));
  const x = Tensor.from(Array.from({ length: N * 2 }, () => gen.normal()), [N, 2]);
  // classes 0..2, with rows 1, 4, 5 and 9 ignored (-100, torch's default ignore_index)
  const labels = [0, -100, 2, 1, -100, -100, 0, 2, 1, -100, 1, 0];
  return { model, x, labels, y: Tensor.from(labels) };
}

/** Accuracy computed independently: predict, then keep the rows whose label is not ignored. */
function maskedAccuracy(out: Tensor, labels: number[], ignored: number): { correct: number; kept: number } {
  const rows = out.toArray() as number[][];
  let correct = 0, kept = 0;
  rows.forEach((r, i) => {
    if (labels[i] === ignored) return;
    kept++;
    if (r.indexOf(Math.max(...r)) === labels[i]) correct++;
  });
  return { correct, kept };
}

describe('ignoreIndex in fit and evaluate', () => {
  it('evaluate accepts ignored targets and scores only the other rows', () => {
    const { model, x, labels, y } = setup();
    const loss = new CrossEntropyLoss();
    const ev = evaluate(model, { x, y, loss });
    const out = predict(model, x);
    const { correct, kept } = maskedAccuracy(out, labels, -100);
    expect(kept).toBe(8);
    expect(ev.count).toBe(kept);
    expect(ev.errors).toBe(kept - correct);
    expect(ev.accuracy).toBeCloseTo(correct / kept, 12);
    // the loss is torch's mean over the rows not ignored (one batch: exactly loss.forward)
    expect(ev.loss).toBeCloseTo(new CrossEntropyLoss().forward(out, y), 6);
    // several batches, some of them entirely ignored (rows 4, 5): the same figures
    const batched = evaluate(model, { x, y, loss, batchSize: 2 });
    expect(batched.count).toBe(kept);
    expect(batched.accuracy).toBeCloseTo(correct / kept, 12);
    expect(Number.isFinite(batched.loss)).toBe(true);
  });

  it('fit trains with ignored targets; running and evaluated accuracy leave those rows out', () => {
    const { model, x, labels, y } = setup();
    const before = predict(model, x);
    const { correct, kept } = maskedAccuracy(before, labels, -100);
    // lr 0: the model does not move, so the running accuracy (before each update) is exact
    const history = fit(model, {
      loss: new CrossEntropyLoss(), optimizer: new SGD(model.parameters(), { lr: 0 }),
      x, y, epochs: 2, batchSize: 2, shuffle: false, validation: { x, y },
    });
    const last = history.last!;
    expect(last.accuracy).toBeCloseTo(correct / kept, 12);
    expect(last.valAccuracy).toBeCloseTo(correct / kept, 12);
    expect(Number.isFinite(last.loss)).toBe(true);
    // training moves the model and stays finite with whole batches of ignored rows
    const trained = fit(model, {
      loss: new CrossEntropyLoss(), optimizer: new SGD(model.parameters(), { lr: 0.1 }),
      x, y, epochs: 5, batchSize: 2, shuffle: false,
    });
    expect(trained.epochs.every((e) => Number.isFinite(e.loss) && Number.isFinite(e.accuracy!))).toBe(true);
    expect(predict(model, x).toFloat32Array()).not.toEqual(before.toFloat32Array());
  });

  it('honours a custom ignoreIndex, also one inside the class range (NLLLoss)', () => {
    const { x } = setup();
    const gen = new Generator(5);
    const model = new Sequential(new Linear(2, 3, { generator: gen }), new LogSoftmax(1));
    const labels = [0, 2, 2, 1, 0, 2, 0, 2, 1, 2, 1, 0];
    const ev = evaluate(model, { x, y: Tensor.from(labels), loss: new NLLLoss({ ignoreIndex: 2 }) });
    const { correct, kept } = maskedAccuracy(predict(model, x), labels, 2);
    expect(ev.count).toBe(kept);
    expect(ev.accuracy).toBeCloseTo(correct / kept, 12);
    // fit's running accuracy (lr 0: the model stays as evaluated) leaves the class-2 rows out too
    const history = fit(model, { loss: new NLLLoss({ ignoreIndex: 2 }), optimizer: new SGD(model.parameters(), { lr: 0 }),
      x, y: Tensor.from(labels), epochs: 1, batchSize: 5, shuffle: false });
    expect(history.last!.accuracy).toBeCloseTo(correct / kept, 12);
    const withMinus1 = labels.map((l) => (l === 2 ? -1 : l));
    const ce = new Sequential(new Linear(2, 3, { generator: gen }));
    expect(evaluate(ce, { x, y: Tensor.from(withMinus1), loss: new CrossEntropyLoss({ ignoreIndex: -1 }) }).count).toBe(kept);
  });

  it('still refuses any other target with the row named, and changes nothing', () => {
    const { model, x, labels } = setup();
    const before = model.parameters().map((p) => p.toFloat32Array());
    const bad = [...labels];
    bad[7] = 3;
    const opt = () => new SGD(model.parameters(), { lr: 0.1 });
    expect(() => fit(model, { loss: new CrossEntropyLoss(), optimizer: opt(), x, y: Tensor.from(bad), epochs: 1 }))
      .toThrow(/^fit: y\[7\] = 3 is not a class index in \[0, 2\] nor ignoreIndex -100 \(the model has 3 outputs\)$/);
    // -100 is only accepted when it is the loss's ignoreIndex
    expect(() => fit(model, { loss: new CrossEntropyLoss({ ignoreIndex: -1 }), optimizer: opt(), x, y: Tensor.from(labels), epochs: 1 }))
      .toThrow(/y\[1\] = -100 is not a class index/);
    expect(() => evaluate(model, { x, y: Tensor.from(labels), loss: new CrossEntropyLoss({ ignoreIndex: -1 }) })).toThrow(ValueError);
    // losses without an ignoreIndex refuse it as before
    const one = new Sequential(new Linear(2, 1));
    expect(() => evaluate(one, { x, y: Tensor.from(labels), loss: new BCEWithLogitsLoss(), task: 'classification' })).toThrow(/y\[1\] = -100/);
    expect(() => evaluate(model, { x, y: Tensor.from(labels), loss: new MSELoss(), task: 'classification' })).toThrow(/y\[1\] = -100/);
    // validation targets too
    expect(() => fit(model, { loss: new CrossEntropyLoss(), optimizer: opt(), x, y: Tensor.from(labels), epochs: 1, validation: { x, y: Tensor.from(bad) } }))
      .toThrow(/validation\.y\[7\] = 3/);
    // nothing left to learn or score
    const all = Tensor.from(new Array<number>(N).fill(-100));
    expect(() => fit(model, { loss: new CrossEntropyLoss(), optimizer: opt(), x, y: all, epochs: 1 })).toThrow(/every target in y is ignoreIndex -100/);
    expect(() => evaluate(model, { x, y: all, loss: new CrossEntropyLoss() })).toThrow(/every target in y is ignoreIndex/);
    // an explicit validation set of only ignored rows is refused at the start, naming it (a split
    // cannot be checked before the seed draws it: it reports NaN, see below)
    expect(() => fit(model, { loss: new CrossEntropyLoss(), optimizer: opt(), x, y: Tensor.from(labels), epochs: 1, validation: { x, y: all } }))
      .toThrow(/^fit: every target in validation\.y is ignoreIndex -100; no row is left to learn from or score$/);
    expect(model.parameters().map((p) => p.toFloat32Array())).toEqual(before);
  });

  it('the free accuracy() and confusionMatrix() take an ignoreIndex (torchmetrics\' ignore_index)', () => {
    const { model, x, labels, y } = setup();
    const out = predict(model, x);
    const { correct, kept } = maskedAccuracy(out, labels, -100);
    // without it every row counts, so -100 is refused as before
    expect(() => accuracy(out, y)).toThrow(/target\[1\] = -100 is not a class index/);
    expect(accuracy(out, y, 0.5, -100)).toBeCloseTo(correct / kept, 12);
    const cm = confusionMatrix(out, y, 3, 0.5, -100);
    expect(cm.flat().reduce((a, b) => a + b, 0)).toBe(kept);
    expect(cm[0]![0]! + cm[1]![1]! + cm[2]![2]!).toBe(correct);
    // an ignoreIndex inside the class range drops that class's rows (the matrix row stays 0)
    const keep2 = maskedAccuracy(out, labels.map((l) => (l === -100 ? 0 : l)), 2);
    const y2 = Tensor.from(labels.map((l) => (l === -100 ? 0 : l)));
    expect(accuracy(out, y2, 0.5, 2)).toBeCloseTo(keep2.correct / keep2.kept, 12);
    expect(confusionMatrix(out, y2, 3, 0.5, 2)[2]).toEqual([0, 0, 0]);
    // checked first: a fractional, NaN or huge ignoreIndex; a label still out of range; nothing left
    for (const bad of [0.5, NaN, 1e39, '1'] as unknown[]) expect(() => accuracy(out, y, 0.5, bad as number)).toThrow(/ignoreIndex/);
    expect(() => accuracy(out, Tensor.from(labels.map((l) => (l === 0 ? 5 : l))), 0.5, -100)).toThrow(/target\[0\] = 5 is not a class index in \[0, 2\] nor ignoreIndex -100/);
    expect(() => accuracy(out, Tensor.from(new Array<number>(N).fill(-100)), 0.5, -100)).toThrow(ValueError);
  });

  it('a batch of only ignored rows takes no step: training equals training without it (momentum untouched)', () => {
    const gen = new Generator(4);
    const x = Tensor.from(Array.from({ length: 8 * 2 }, () => gen.normal()), [8, 2]);
    const labels = [-100, -100, -100, -100, 0, 2, 1, 0]; // batch 1 (rows 0–3) is entirely ignored
    const run = (xs: Tensor, ys: number[], reduction: 'mean' | 'sum') => {
      const model = new Sequential(new Linear(2, 3, { generator: new Generator(9) }));
      const steps: number[] = [];
      const h = fit(model, { loss: new CrossEntropyLoss({ reduction }), optimizer: new SGD(model.parameters(), { lr: 0.3, momentum: 0.9 }),
        x: xs, y: Tensor.from(ys), epochs: 3, batchSize: 4, shuffle: false, callbacks: { onBatchEnd: (b) => steps.push(b.batch) } });
      return { params: model.parameters().map((p) => Array.from(p.toFloat32Array())), h, steps };
    };
    for (const reduction of ['mean', 'sum'] as const) {
      const withIgnored = run(x, labels, reduction);
      const without = run(x._rows(4, 4), labels.slice(4), reduction);
      expect(withIgnored.params).toEqual(without.params);
      expect(withIgnored.steps).toEqual([2, 2, 2]); // onBatchEnd only for the batch that stepped
      expect(withIgnored.h.epochs.map((e) => e.loss)).toEqual(without.h.epochs.map((e) => e.loss));
      expect(withIgnored.h.epochs.map((e) => e.accuracy)).toEqual(without.h.epochs.map((e) => e.accuracy));
    }
  });

  it('a validation split holding only ignored rows reports NaN; early stopping counts it as no improvement, the scheduler waits', () => {
    const n = 12, seed = 7, held = 3; // validation.split 0.25 of 12 rows
    const gen = new Generator(2);
    const x = Tensor.from(Array.from({ length: n * 2 }, () => gen.normal()), [n, 2]);
    // fit splits with Generator(seed + 1): the first `held` rows of its permutation are validation rows
    const validationRows = Array.from(new Generator(seed + 1).permutation(n)).slice(0, held);
    const labels = Array.from({ length: n }, (_, i) => (validationRows.includes(i) ? -100 : i % 3));
    const model = new Sequential(new Linear(2, 3, { generator: new Generator(1) }));
    const optimizer = new SGD(model.parameters(), { lr: 0.1 });
    const scheduler = new ReduceLROnPlateau(optimizer, { patience: 0, factor: 0.5 });
    const h = fit(model, { loss: new CrossEntropyLoss(), optimizer, scheduler, x, y: Tensor.from(labels), epochs: 10, seed,
      validation: { split: 0.25 }, earlyStopping: { patience: 1, restoreBestWeights: true } });
    expect(h.epochs.every((e) => Number.isNaN(e.valLoss!) && Number.isNaN(e.valAccuracy!))).toBe(true);
    expect(h.epochs.every((e) => Number.isFinite(e.loss) && Number.isFinite(e.accuracy!))).toBe(true);
    expect(h.epochs.length).toBe(2); // NaN never improves: patience 1 runs out after the second epoch
    expect(h.stopReason).toBe('early-stopping');
    expect(h.restoredEpoch).toBeUndefined(); // no best epoch: the weights stay the last epoch's
    expect(optimizer.lr).toBe(0.1); // ReduceLROnPlateau was not fed NaN (it refuses it) and did not cut
    // the other way round: the training part holds only ignored rows — nothing learned, NaN figures
    const only = Array.from({ length: n }, (_, i) => (validationRows.includes(i) ? i % 3 : -100));
    const before = model.parameters().map((p) => Array.from(p.toFloat32Array()));
    const h2 = fit(model, { loss: new CrossEntropyLoss(), optimizer: new SGD(model.parameters(), { lr: 0.5 }), x, y: Tensor.from(only),
      epochs: 2, seed, validation: { split: 0.25 } });
    expect(h2.epochs.every((e) => Number.isNaN(e.loss) && Number.isNaN(e.accuracy!) && Number.isFinite(e.valLoss!))).toBe(true);
    expect(model.parameters().map((p) => Array.from(p.toFloat32Array()))).toEqual(before);
  });

  it('rows of class weight 0 still count in accuracy and count, whatever the batch size (only ignoreIndex rows leave them)', () => {
    const gen = new Generator(5);
    const x = Tensor.from(Array.from({ length: 8 * 2 }, () => gen.normal()), [8, 2]);
    const labels = [0, 0, 0, 0, 1, 1, 0, 1]; // with batch 4, the first batch holds only weight-0 labels
    const model = new Sequential(new Linear(2, 2, { generator: new Generator(6) }));
    const out = predict(model, x);
    const { correct } = maskedAccuracy(out, labels, -100);
    const loss = new CrossEntropyLoss({ weight: [0, 1] });
    for (const batchSize of [2, 4, 8]) {
      const ev = evaluate(model, { x, y: Tensor.from(labels), loss, batchSize });
      expect(ev.count, `batch ${batchSize}`).toBe(8);
      expect(ev.accuracy, `batch ${batchSize}`).toBeCloseTo(correct / 8, 12);
    }
    // fit's running accuracy scores the weight-0 batch too, though that batch takes no step
    const fitted = new Sequential(new Linear(2, 2, { generator: new Generator(6) }));
    const steps: number[] = [];
    const h = fit(fitted, { loss, optimizer: new SGD(fitted.parameters(), { lr: 0 }), x, y: Tensor.from(labels), epochs: 1, batchSize: 4,
      shuffle: false, callbacks: { onBatchEnd: (b) => steps.push(b.batch) } });
    expect(steps).toEqual([2]);
    expect(h.epochs[0]!.accuracy).toBeCloseTo(correct / 8, 12);
  });
});
