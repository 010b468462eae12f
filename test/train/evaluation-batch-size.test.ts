// fit's evaluationBatchSize: the rows per forward pass of its evaluations (validation data, and
// the training data with evaluateTrain), which were 1024 whatever batchSize was — a CNN on large
// inputs trained in small batches and then ran out of WASM memory at its first evaluation, after
// an epoch had changed the model.
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  Adam, BatchNorm1d, Conv2d, CrossEntropyLoss, Flatten, Generator, Linear, MSELoss, Module, OutOfMemoryError, ReLU, SGD, Sequential, Tensor, ValueError,
  disk, evaluate, fit, fitAsync, memoryStats, predict, type FitOptions, type History,
} from '../../src/index.js';
import { Allocator } from '../../src/backend/memory.js';
import { runRound } from '../../src/cli/experiment.js';
import { batchRows, smallestEvaluationBatch } from '../../src/train/evaluate.js';
import { runImageRound } from '../../src/cli/image-experiment.js';
import { UsageError, parseTrainArgs } from '../../src/cli/options.js';
import { rejects, seededData as data, state } from '../helpers/trust.js';

afterEach(() => {
  vi.restoreAllMocks();
});

const BAD = [null, NaN, 1.5, 0, -1, 1e39, '8', Infinity, true, {}] as unknown[];

/** A small classifier of the disk with a tracked BatchNorm (eval mode uses its running statistics). */
function classifier(seed: number): Sequential {
  const g = new Generator(seed);
  return new Sequential(new Linear(2, 12, { generator: g }), new BatchNorm1d(12), new ReLU(), new Linear(12, 2, { generator: g }));
}

/** Every figure of every epoch, and the final parameters. */
function outcome(model: Module, history: History): { epochs: unknown[]; params: number[][] } {
  return { epochs: history.epochs.map(({ seconds: _s, ...rest }) => rest), params: model.parameters().map((p) => Array.from(p.toFloat32Array())) };
}

/** a and b equal within float32 rounding of sums over batches (relative 1e-6), NaN equal to NaN. */
function expectSameFigure(a: number, b: number, what: string): void {
  if (Number.isNaN(a) || Number.isNaN(b)) {
    expect(Number.isNaN(a) && Number.isNaN(b), what).toBe(true);
    return;
  }
  expect(Math.abs(a - b), `${what}: ${a} vs ${b}`).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(a)));
}

describe('fit evaluationBatchSize: the option', () => {
  it('refuses a value that is not an integer ≥ 1, naming it, before anything changes', () => {
    const g = new Generator(1);
    const { x, y } = disk(40, g);
    const model = classifier(2);
    const optimizer = new Adam(model.parameters(), { lr: 0.01 });
    const before = state(model), optimizerBefore = JSON.stringify(optimizer.stateDict());
    for (const bad of BAD) {
      rejects(() => fit(model, { loss: new CrossEntropyLoss(), optimizer, x, y, epochs: 1, evaluationBatchSize: bad as number, validation: { split: 0.25 } }),
        ValueError, /^fit: (evaluationBatchSize must (be a finite number|be an integer|be ≥ 1|lie within the float32 range)|option 'evaluationBatchSize' is null; leave it out)/);
    }
    expect(state(model)).toEqual(before);
    expect(JSON.stringify(optimizer.stateDict())).toBe(optimizerBefore);
    expect(model.training).toBe(true);
    // fitAsync checks it too (the promise rejects).
    return expect(fitAsync(model, { loss: new CrossEntropyLoss(), optimizer, x, y, evaluationBatchSize: 0 })).rejects.toThrow(/fit: evaluationBatchSize must be ≥ 1, got 0/);
  });

  it('is checked even without evaluations (a typo stays a typo), and undefined means the default', () => {
    const { x, y } = disk(20, new Generator(3));
    const model = classifier(4);
    const optimizer = new SGD(model.parameters(), { lr: 0.1 });
    rejects(() => fit(model, { loss: new CrossEntropyLoss(), optimizer, x, y, epochs: 1, evaluationBatchSize: 0.5 }), ValueError, /evaluationBatchSize must be an integer, got 0\.5/);
    expect(fit(model, { loss: new CrossEntropyLoss(), optimizer, x, y, epochs: 1, evaluationBatchSize: undefined }).epochs).toHaveLength(1);
  });

  it('evaluate, predict and fit\'s batchSize are checked by the same rule', () => {
    const { x, y } = disk(10, new Generator(5));
    const model = classifier(6);
    for (const bad of BAD) {
      rejects(() => evaluate(model, { x, y, loss: new CrossEntropyLoss(), batchSize: bad as number }), ValueError, /^evaluate: (batchSize must (be|lie within)|option 'batchSize' is null)/);
      rejects(() => predict(model, x, { batchSize: bad as number }), ValueError, /^predict: (batchSize must (be|lie within)|option 'batchSize' is null)/);
      rejects(() => fit(model, { loss: new CrossEntropyLoss(), optimizer: new SGD(model.parameters()), x, y, batchSize: bad as number }), ValueError, /^fit: (batchSize must (be|lie within)|option 'batchSize' is null)/);
    }
  });
});

describe('fit evaluationBatchSize: the figures do not depend on it', () => {
  const sizes = [1, 2, 3, 7, 64, 1024, 5000];

  it('classification with class weights and ignored labels: training identical, evaluated loss and accuracy equal within rounding, for every size', () => {
    const g = new Generator(11);
    const { x, y } = disk(203, g);
    const labels = y.toFloat32Array();
    for (let i = 0; i < labels.length; i += 9) labels[i] = -100; // ignored rows, in some batches
    const yIgnored = Tensor.from(labels, [labels.length]);
    const val = disk(157, g);
    const run = (evaluationBatchSize: number): { model: Module; history: History } => {
      const model = classifier(12);
      const history = fit(model, {
        loss: new CrossEntropyLoss({ weight: Tensor.from([1, 2.5]) }), optimizer: new Adam(model.parameters(), { lr: 0.02 }),
        x, y: yIgnored, epochs: 3, batchSize: 16, seed: 3, evaluateTrain: true, validation: { x: val.x, y: val.y }, evaluationBatchSize,
      });
      return { model, history };
    };
    const reference = run(1024);
    const ref = outcome(reference.model, reference.history);
    for (const size of sizes) {
      const { model, history } = run(size);
      const got = outcome(model, history);
      expect(got.params, `parameters, evaluationBatchSize ${size}`).toEqual(ref.params); // evaluations do not touch training
      history.epochs.forEach((e, i) => {
        const r = reference.history.epochs[i]!;
        expectSameFigure(e.loss, r.loss, `loss, epoch ${e.epoch}, size ${size}`);
        expectSameFigure(e.valLoss!, r.valLoss!, `valLoss, epoch ${e.epoch}, size ${size}`);
        expect(e.accuracy).toBe(r.accuracy); // counts: exact
        expect(e.valAccuracy).toBe(r.valAccuracy);
      });
    }
    // The last epoch's figures are evaluate's on the same data, in any batch size.
    const last = reference.history.last!;
    for (const batchSize of sizes) {
      const ev = evaluate(reference.model, { x: val.x, y: val.y, loss: new CrossEntropyLoss({ weight: Tensor.from([1, 2.5]) }), batchSize });
      expectSameFigure(ev.loss, last.valLoss!, `evaluate loss, batchSize ${batchSize}`);
      expect(ev.accuracy).toBe(last.valAccuracy);
    }
  });

  it('regression (MSE, sum reduction, 2 outputs): loss, MAE, RMSE and R² equal within rounding, for every size', () => {
    const x = data([131, 3], 21), y = data([131, 2], 22);
    const run = (evaluationBatchSize: number): History => {
      const g = new Generator(23);
      const model = new Sequential(new Linear(3, 8, { generator: g }), new ReLU(), new Linear(8, 2, { generator: g }));
      return fit(model, {
        loss: new MSELoss({ reduction: 'sum' }), optimizer: new SGD(model.parameters(), { lr: 0.001 }),
        x, y, epochs: 2, batchSize: 10, seed: 1, evaluateTrain: true, validation: { split: 0.3 }, evaluationBatchSize,
      });
    };
    const reference = run(1024);
    expect(reference.task).toBe('regression');
    for (const size of sizes) {
      const history = run(size);
      history.epochs.forEach((e, i) => {
        const r = reference.epochs[i]!;
        for (const key of ['loss', 'mae', 'rmse', 'r2', 'valLoss', 'valMae', 'valRmse', 'valR2'] as const) {
          expectSameFigure(e[key]!, r[key]!, `${key}, epoch ${e.epoch}, size ${size}`);
        }
      });
    }
  });
});

describe('fit evaluationBatchSize: batches a model cannot take in eval mode are refused before training', () => {
  /** Linear → BatchNorm1d without running statistics (batch statistics in eval mode too) → Linear. */
  const untracked = (): { model: Sequential; optimizer: Adam } => {
    const g = new Generator(31);
    const model = new Sequential(new Linear(2, 3, { generator: g }), new BatchNorm1d(3, { trackRunningStats: false }), new Linear(3, 1, { generator: g }));
    return { model, optimizer: new Adam(model.parameters(), { lr: 0.1 }) };
  };
  const x = data([8, 2], 32), y = data([8, 1], 33);
  const vx = data([5, 2], 34), vy = data([5, 1], 35);

  /** fit must throw `message` and leave the model, the optimizer and the mode as they were. */
  function refusedUnchanged(options: Partial<FitOptions>, message: RegExp): void {
    const { model, optimizer } = untracked();
    const before = state(model), optimizerBefore = JSON.stringify(optimizer.stateDict());
    let steps = 0;
    rejects(() => fit(model, { loss: new MSELoss(), optimizer, x, y, epochs: 2, batchSize: 4, seed: 1, callbacks: { onBatchEnd: () => { steps++; } }, ...options }),
      ValueError, message);
    expect(steps).toBe(0);
    expect(state(model)).toEqual(before);
    expect(JSON.stringify(optimizer.stateDict())).toBe(optimizerBefore);
    expect(model.training).toBe(true);
    expect(model.at(1)!.training).toBe(true);
  }

  it('5 validation rows in batches of 2 (2 + 2 + 1) or 1, which only a size of 3 or more avoids (it failed after an epoch of training)', () => {
    const message = (size: number, smallest: number): RegExp => new RegExp(`^fit: evaluating 5 validation rows in batches of evaluationBatchSize ${size}, a batch has ${smallest} row, ` +
      'but BatchNorm1d\\(3, .*track_running_stats=False\\) needs more than 1 value per channel with trackRunningStats: false \\(batch statistics in eval mode too\\), ' +
      'and a batch of 1 row gives 1; use a larger evaluationBatchSize \\(3 or more leaves no such batch\\)$');
    refusedUnchanged({ validation: { x: vx, y: vy }, evaluationBatchSize: 2 }, message(2, 1));
    refusedUnchanged({ validation: { x: vx, y: vy }, evaluationBatchSize: 1 }, message(1, 1));
    // 3 or more: 3 + 2, 4 + … → 3 + 2, 5: no 1-row batch; the run trains and evaluates.
    for (const evaluationBatchSize of [3, 4, 5, 1024]) {
      const { model, optimizer } = untracked();
      const history = fit(model, { loss: new MSELoss(), optimizer, x, y, epochs: 2, batchSize: 4, seed: 1, validation: { x: vx, y: vy }, evaluationBatchSize });
      expect(Number.isFinite(history.last!.valLoss)).toBe(true);
    }
  });

  it('the training rows with evaluateTrain (7 of them after validation.split), and a 1-row validation set no size can help', () => {
    refusedUnchanged({ x: data([9, 2], 36), y: data([9, 1], 37), batchSize: 7, validation: { split: 0.2 }, evaluateTrain: true, evaluationBatchSize: 2 },
      /^fit: evaluating 7 training rows \(evaluateTrain\) in batches of evaluationBatchSize 2, a batch has 1 row, but BatchNorm1d/);
    refusedUnchanged({ validation: { x: vx._rows(0, 1), y: vy._rows(0, 1) } },
      /^fit: evaluating 1 validation rows in batches of evaluationBatchSize 1024, a batch has 1 row, but .*; no evaluationBatchSize can help: give the set more rows$/);
  });

  it('a BatchNorm with running statistics takes 1-row evaluation batches (eval mode normalises with them)', () => {
    const g = new Generator(41);
    const model = new Sequential(new Linear(2, 3, { generator: g }), new BatchNorm1d(3), new Linear(3, 1, { generator: g }));
    const history = fit(model, { loss: new MSELoss(), optimizer: new SGD(model.parameters(), { lr: 0.1 }), x, y, epochs: 1, batchSize: 4, validation: { x: vx, y: vy }, evaluationBatchSize: 1 });
    expect(Number.isFinite(history.last!.valLoss)).toBe(true);
  });

  it('evaluate and predict refuse such a batchSize before running, in the same words (predict refused it mid-way with a ShapeError)', () => {
    const { model } = untracked();
    rejects(() => evaluate(model, { x: vx, y: vy, loss: new MSELoss(), batchSize: 2 }), ValueError,
      /^evaluate: evaluating 5 rows in batches of batchSize 2, a batch has 1 row, but BatchNorm1d\(3, .*; use a larger batchSize \(3 or more leaves no such batch\)$/);
    rejects(() => predict(model, vx, { batchSize: 1 }), ValueError, /^predict: evaluating 5 rows in batches of batchSize 1, a batch has 1 row/);
    expect(predict(model, vx, { batchSize: 3 }).shape).toEqual([5, 1]);
    expect(evaluate(model, { x: vx._rows(0, 4), y: vy._rows(0, 4), loss: new MSELoss(), batchSize: 2 }).count).toBe(4); // 2 + 2
  });
});

describe('fit evaluationBatchSize: memory', () => {
  /** A small CNN: 16 channels of 16×16 per image, 4096 floats (16 KiB) per row for each of Conv2d's and ReLU's outputs. */
  const cnn = (): Sequential => {
    const g = new Generator(51);
    return new Sequential(new Conv2d(1, 16, 3, { padding: 1, generator: g }), new ReLU(), new Flatten(), new Linear(16 * 16 * 16, 2, { generator: g }));
  };
  const rowBytes = 16 * 16 * 16 * 4; // one row of Conv2d's output
  const x = data([64, 1, 16, 16], 52), y = Tensor.from(Array.from({ length: 64 }, (_, i) => i % 2), [64]);
  const vx = data([1100, 1, 16, 16], 53), vy = Tensor.from(Array.from({ length: 1100 }, (_, i) => (i * 7) % 2), [1100]);
  const options = (model: Module, extra: Partial<FitOptions>): FitOptions => ({
    loss: new CrossEntropyLoss(), optimizer: new SGD(model.parameters(), { lr: 0.01 }), x, y, epochs: 1, batchSize: 4, seed: 1, validation: { x: vx, y: vy }, ...extra,
  });

  it('the model workspaces (which only grow: their size after fit is their peak during it) stay far below what one 1024-row evaluation batch needs', () => {
    const workspaces = (): number => memoryStats().byKind.module.bytes;
    const a = cnn();
    let start = workspaces();
    const small = fit(a, options(a, { evaluationBatchSize: 8 }));
    const smallBytes = workspaces() - start;
    const b = cnn();
    start = workspaces();
    const large = fit(b, options(b, {}));
    const largeBytes = workspaces() - start;
    expect(smallBytes).toBeLessThan(16 * rowBytes * 3); // a handful of rows per layer
    expect(largeBytes).toBeGreaterThanOrEqual(1024 * rowBytes); // Conv2d's output alone for 1024 rows
    expectSameFigure(small.last!.valLoss!, large.last!.valLoss!, 'valLoss');
    expect(small.last!.valAccuracy).toBe(large.last!.valAccuracy);
    a.dispose();
    b.dispose();
  });

  it('under a memory limit that 1024 rows exceed, the default fails before the first update (it failed after an epoch), and a small size trains', () => {
    // Simulated WASM memory limit: any single block above 1 MiB is refused, as the full memory would be.
    const real = Allocator.prototype.alloc;
    vi.spyOn(Allocator.prototype, 'alloc').mockImplementation(function (this: Allocator, ...args: Parameters<Allocator['alloc']>) {
      if (args[0] > 1 << 20) throw new OutOfMemoryError(`cannot allocate ${args[0]} bytes (simulated limit)`);
      return real.apply(this, args);
    });
    const model = cnn();
    const optimizer = new SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
    const before = state(model), optimizerBefore = JSON.stringify(optimizer.stateDict());
    let steps = 0;
    const run = (evaluationBatchSize?: number): History =>
      fit(model, { ...options(model, { evaluationBatchSize }), optimizer, callbacks: { onBatchEnd: () => { steps++; } } });
    rejects(() => run(), OutOfMemoryError, /^fit: an evaluation batch of 1024 rows \(evaluationBatchSize 1024\) does not fit in memory; pass a smaller evaluationBatchSize \(nothing was trained\): .*simulated limit/);
    expect(steps).toBe(0);
    expect(state(model)).toEqual(before);
    expect(JSON.stringify(optimizer.stateDict())).toBe(optimizerBefore);
    expect(model.training).toBe(true);
    const history = run(16);
    expect(steps).toBe(16);
    expect(Number.isFinite(history.last!.valLoss)).toBe(true);
    vi.restoreAllMocks();
    model.dispose();
  });

  it('runs that trial evaluation batch in eval mode before the first step, at most evaluationBatchSize rows, and none without evaluations', () => {
    const calls: string[] = [];
    class Recorder extends Module {
      static override readonly typeName: string = 'Recorder';
      forward(input: Tensor): Tensor {
        calls.push(`${this.training ? 'train' : 'eval'} ${input.shape[0]}`);
        return input;
      }
      backward(g: Tensor): Tensor {
        return g;
      }
    }
    const g = new Generator(61);
    const model = new Sequential(new Recorder(), new Linear(2, 1, { generator: g }));
    const xs = data([10, 2], 62), ys = data([10, 1], 63), vxs = data([30, 2], 64), vys = data([30, 1], 65);
    const base = { loss: new MSELoss(), optimizer: new SGD(model.parameters(), { lr: 0.01 }), x: xs, y: ys, epochs: 1, batchSize: 5, shuffle: false };
    fit(model, { ...base, validation: { x: vxs, y: vys }, evaluationBatchSize: 8 });
    // probe (2 rows), trial batch (8 rows), 2 training steps, validation 8 + 8 + 8 + 6.
    expect(calls).toEqual(['eval 2', 'eval 8', 'train 5', 'train 5', 'eval 8', 'eval 8', 'eval 8', 'eval 6']);
    calls.length = 0;
    fit(model, { ...base, evaluateTrain: true, validation: { split: 0.5 }, evaluationBatchSize: 100 });
    expect(calls).toEqual(['eval 2', 'eval 5', 'train 5', 'eval 5', 'eval 5']); // the larger part, whole
    calls.length = 0;
    fit(model, base);
    expect(calls).toEqual(['eval 2', 'train 5', 'train 5']);
  });
});

describe('wasmnn train --eval-batch-size', () => {
  it('parses like --batch-size (default 1024) and is refused when not an integer ≥ 1', () => {
    expect(parseTrainArgs([]).evalBatchSize).toBe(1024);
    expect(parseTrainArgs(['--eval-batch-size', '64']).evalBatchSize).toBe(64);
    for (const [text, message] of [['0', /--eval-batch-size: must be ≥ 1, got 0/], ['1.5', /--eval-batch-size: expected an integer, got '1\.5'/], ['0x10', /expected an integer, got '0x10'/], ['', /expected an integer, got ''/]] as const) {
      expect(() => parseTrainArgs(['--eval-batch-size', text])).toThrow(UsageError);
      expect(() => parseTrainArgs(['--eval-batch-size', text])).toThrow(message);
    }
  });

  /** The row counts of the model's forward calls in eval mode during `run`. */
  async function evalRows(run: () => unknown): Promise<Set<number>> {
    const rows = new Set<number>();
    const real = Sequential.prototype.forward;
    vi.spyOn(Sequential.prototype, 'forward').mockImplementation(function (this: Sequential, input: Tensor) {
      if (!this.training) rows.add(input.shape[0]!);
      return real.call(this, input);
    });
    await run();
    vi.restoreAllMocks();
    return rows;
  }

  it('a 2-D round evaluates (after each epoch and at the end) in batches of that many rows', async () => {
    const config = parseTrainArgs(['--n-train', '50', '--n-test', '30', '--hidden', '4', '--epochs', '2', '--batch-size', '10', '--eval-batch-size', '7', '--no-plots']);
    // probe 2 rows; training 50 = 7·7 + 1 → 7 … 6, 2; test 30 = 4·7 + 2 → 7 … 2.
    expect([...await evalRows(() => runRound(config, 1))].sort((a, b) => a - b)).toEqual([2, 6, 7]);
  });

  it('an mnist round too (8,000 / 2,000 images in batches of 3,000)', async () => {
    const config = parseTrainArgs(['--dataset', 'mnist', '--layers', 'avgpool4,flatten,10', '--epochs', '1', '--batch-size', '500', '--eval-batch-size', '3000', '--no-plots']);
    expect([...await evalRows(() => runImageRound(config, 1))].sort((a, b) => a - b)).toEqual([2, 2000, 3000]);
  });
});

describe('fit evaluationBatchSize: the documented exception', () => {
  it('a BatchNorm without running statistics normalises each evaluation batch by itself (as torch in eval mode): there the figures depend on the size', () => {
    const g = new Generator(71);
    const model = new Sequential(new Linear(2, 3, { generator: g }), new BatchNorm1d(3, { trackRunningStats: false }), new Linear(3, 1, { generator: g }));
    const x = data([12, 2], 72), y = data([12, 1], 73);
    const whole = evaluate(model, { x, y, loss: new MSELoss() }).loss;
    const inThrees = evaluate(model, { x, y, loss: new MSELoss(), batchSize: 3 }).loss;
    expect(Math.abs(whole - inThrees)).toBeGreaterThan(1e-3);
  });
});

describe('smallestEvaluationBatch', () => {
  it('is the smallest batch the evaluation loop makes, for every row count 1–80 and batch size 1–90', () => {
    for (let n = 1; n <= 80; n++) {
      for (let batchSize = 1; batchSize <= 90; batchSize++) {
        let smallest = Infinity;
        for (let start = 0, rows = 0; start < n; start += rows) {
          rows = batchRows(start, n, batchSize);
          smallest = Math.min(smallest, rows);
        }
        expect(smallestEvaluationBatch(n, batchSize), `${n} rows, batchSize ${batchSize}`).toBe(smallest);
        // A 1-row batch remains only with batchSize 1, batchSize 2 and an odd n, or n = 1.
        expect(smallest === 1).toBe(batchSize === 1 || (batchSize === 2 && n % 2 === 1) || n === 1);
      }
    }
  });
});
