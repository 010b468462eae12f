// Round-3 probes of NLLLoss / CrossEntropyLoss `weight`, `ignoreIndex`, `labelSmoothing` and of
// accuracy / confusionMatrix / fit with `ignoreIndex`: hostile option values, an ignoreIndex that
// is also a real class, targets a float32 cannot hold, every row ignored, disposed objects; each
// loss value checked against torch's formula in float64 (fast-check).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CrossEntropyLoss, Generator, Linear, NLLLoss, SGD, ShapeError, StateError, Tensor, ValueError, WasmnnError, accuracy,
  confusionMatrix, fit,
} from '../../src/index.js';
import { rejects } from '../helpers/trust.js';

/** torch.nn.functional.cross_entropy / nll_loss (log-probabilities when `logits` is false), in float64. */
function torchLoss(x: number[][], y: number[], opts: { weight?: number[]; ignoreIndex: number; eps: number; mean: boolean; logits: boolean }): number {
  const C = x[0]!.length, w = opts.weight ?? new Array<number>(C).fill(1);
  let nll = 0, smooth = 0, denom = 0;
  x.forEach((row, i) => {
    const t = y[i]!;
    if (t === opts.ignoreIndex) return;
    let logp = row;
    if (opts.logits) {
      const m = Math.max(...row);
      const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
      logp = row.map((v) => v - lse);
    }
    nll -= w[t]! * logp[t]!;
    smooth -= logp.reduce((s, v, c) => s + w[c]! * v, 0);
    denom += w[t]!;
  });
  const d = opts.mean ? denom : 1;
  return (1 - opts.eps) * nll / d + (opts.eps / C) * smooth / d;
}

/** a equals b to float32 accuracy (relative 1e-5, absolute 1e-5 near 0). */
function close(a: number, b: number): void {
  expect(Math.abs(a - b), `${a} vs ${b}`).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(b)));
}

describe('round 3: class weights, ignoreIndex and label smoothing', () => {
  it('the loss equals torch\'s formula for any weight, ignoreIndex (a real class included) and smoothing (fast-check)', () => {
    const arb = fc.record({
      rows: fc.integer({ min: 1, max: 6 }), classes: fc.integer({ min: 2, max: 5 }), seed: fc.nat(1000),
      ignore: fc.integer({ min: -2, max: 5 }), weighted: fc.boolean(), eps: fc.constantFrom(0, 0, 0.1, 0.5, 1), mean: fc.boolean(),
    });
    fc.assert(fc.property(arb, ({ rows, classes, seed, ignore, weighted, eps, mean }) => {
      const g = new Generator(seed);
      const x = Array.from({ length: rows }, () => Array.from({ length: classes }, () => Math.fround(g.uniform(-3, 3))));
      const y = Array.from({ length: rows }, () => g.randint(classes));
      y[0] = y[0] === ignore ? (y[0]! + 1) % classes : y[0]!; // at least one row kept
      const weight = weighted ? Array.from({ length: classes }, () => Math.fround(g.uniform(0.25, 2))) : undefined;
      const reduction = mean ? 'mean' : 'sum';
      const ce = new CrossEntropyLoss({ weight, ignoreIndex: ignore, labelSmoothing: eps, reduction });
      const want = torchLoss(x, y, { weight, ignoreIndex: ignore, eps, mean, logits: true });
      close(ce.forward(Tensor.from(x), Tensor.from(y)), want);
      const logp = x.map((row) => { const m = Math.max(...row); const l = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0)); return row.map((v) => Math.fround(v - l)); });
      const nll = new NLLLoss({ weight, ignoreIndex: ignore, reduction });
      close(nll.forward(Tensor.from(logp), y), torchLoss(logp, y, { weight, ignoreIndex: ignore, eps: 0, mean, logits: false }));
      ce.dispose();
      nll.dispose();
    }), { numRuns: 300 });
  });

  it('hostile ignoreIndex, labelSmoothing and weight values are ValueErrors naming the option (nothing kept)', () => {
    for (const v of [NaN, Infinity, -Infinity, 1e39, 1.5, 2 ** 31, -(2 ** 31), '1', true, [1], {}, null]) {
      for (const make of [(o: object) => new NLLLoss(o), (o: object) => new CrossEntropyLoss(o)]) {
        expect(() => make({ ignoreIndex: v })).toThrow(ValueError);
        expect(() => make({ ignoreIndex: v })).toThrow(/ignoreIndex/);
      }
    }
    for (const v of [NaN, Infinity, -0.1, 1.5, 1e39, '0.1', [0.1], {}, null]) {
      expect(() => new CrossEntropyLoss({ labelSmoothing: v as never })).toThrow(ValueError);
      expect(() => new CrossEntropyLoss({ labelSmoothing: v as never })).toThrow(/labelSmoothing/);
    }
    const disposed = Tensor.from([1, 2]);
    disposed.dispose();
    const badWeights: unknown[] = [[NaN, 1], [Infinity, 1], [1e39, 1], [-1, 1], [], [1, '2'], 'abc', {}, 3, Tensor.zeros([2, 2]), disposed, null];
    for (const w of badWeights) {
      for (const make of [(o: object) => new NLLLoss(o), (o: object) => new CrossEntropyLoss(o)]) {
        let caught: unknown = null;
        try { make({ weight: w }); } catch (e) { caught = e; }
        expect(caught, `weight ${String(w)}`).toBeInstanceOf(WasmnnError);
        expect((caught as Error).message).toMatch(/weight/);
      }
    }
  });

  it('a weight with the wrong number of classes is a ShapeError at forward naming both counts; the weight is a copy', () => {
    const w = [1, 2, 3];
    const ce = new CrossEntropyLoss({ weight: w });
    expect(() => ce.forward(Tensor.zeros([2, 4]), [0, 1])).toThrow(ShapeError);
    expect(() => ce.forward(Tensor.zeros([2, 4]), [0, 1])).toThrow(/weight has 3 values but the prediction has 4 classes/);
    w[0] = 100;
    expect(Array.from(ce.weight!)).toEqual([1, 2, 3]);
    expect(() => ce.backward()).toThrow(StateError);
  });

  it('a target a float32 cannot hold exactly (1 + 1e-9, 2^24 + 1) is refused, not rounded to a class or to ignoreIndex', () => {
    const logp = Tensor.from([[-1, -2, -3], [-2, -1, -3]]);
    for (const target of [[0, 1 + 1e-9], [0, 2 + 1e-12]]) {
      expect(() => new NLLLoss().forward(logp, target)).toThrow(ValueError);
      expect(() => new CrossEntropyLoss().forward(logp, target)).toThrow(/target\[1\]/);
    }
    expect(() => new NLLLoss({ ignoreIndex: 2 ** 24 }).forward(logp, [0, 2 ** 24 + 1])).toThrow(/target\[1\]/);
  });

  it('a disposed loss refuses forward and backward with a StateError; a rejected forward leaves no backward', () => {
    const ce = new CrossEntropyLoss({ weight: [1, 2], ignoreIndex: 0, labelSmoothing: 0.2 });
    ce.forward(Tensor.from([[1, 2], [0, 1]]), [1, 1]);
    expect(() => ce.forward(Tensor.from([[1, 2], [0, 1]]), [1, 7])).toThrow(ValueError);
    expect(() => ce.backward()).toThrow(StateError);
    ce.dispose();
    expect(() => ce.forward(Tensor.from([[1, 2]]), [1])).toThrow(StateError);
    expect(() => ce.backward()).toThrow(StateError);
  });

  it('accuracy and confusionMatrix: an ignoreIndex that is a real class is left out; every row ignored is an error, not NaN', () => {
    const out = Tensor.from([[2, 1, 0], [0, 3, 1], [0, 1, 4], [5, 0, 0]]); // predicts 0, 1, 2, 0
    const y = Tensor.from([0, 1, 1, 1]);
    expect(accuracy(out, y, 0.5, 1)).toBe(1); // only row 0 counts
    expect(confusionMatrix(out, y, 3, 0.5, 1)).toEqual([[1, 0, 0], [0, 0, 0], [0, 0, 0]]);
    for (const v of [NaN, 1.5, 2 ** 31, '1', Infinity]) {
      expect(() => accuracy(out, y, 0.5, v as never)).toThrow(ValueError);
      expect(() => confusionMatrix(out, y, 3, 0.5, v as never)).toThrow(/ignoreIndex/);
    }
    const all = Tensor.from([-100, -100, -100, -100]);
    let result: unknown;
    try { result = accuracy(out, all, 0.5, -100); } catch (e) { result = e; }
    expect(result, 'accuracy over no rows').toBeInstanceOf(ValueError);
    expect(String((result as Error).message)).toMatch(/ignoreIndex/);
  });

  it('fit on labels that are all ignoreIndex refuses, rather than reporting a NaN loss', () => {
    const model = new Linear(2, 3, { generator: new Generator(1) });
    const x = Tensor.from([[1, 2], [3, 4], [5, 6]]), y = Tensor.from([-100, -100, -100]);
    // fit checks the labels before it changes anything (task.ts), so this must throw.
    rejects(() => fit(model, { x, y, loss: new CrossEntropyLoss(), optimizer: new SGD(model.parameters(), { lr: 0.1 }), epochs: 1, batchSize: 2 }),
      ValueError, /ignoreIndex/);
  });
});
