import { describe, expect, it } from 'vitest';
import {
  BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HuberLoss, L1Loss, Loss, MSELoss, SmoothL1Loss, Tensor,
  ShapeError, StateError, ValueError,
} from '../../src/index.js';
import { expectClose } from '../helpers/heap.js';
import { numericGrad } from '../helpers/gradcheck.js';

const N = 12;
const PRED = Float32Array.from({ length: N }, (_, i) => Math.sin(i * 1.7) * 2);
const TARGET = Float32Array.from({ length: N }, (_, i) => Math.cos(i * 0.9));
const PROB = Float32Array.from(PRED, (v) => 1 / (1 + Math.exp(-v)));
const LABEL = Float32Array.from({ length: N }, (_, i) => (i % 3 === 0 ? 1 : 0));
const sig = (x: number): number => 1 / (1 + Math.exp(-x));

// Elementwise losses: an independent float64 per-element formula for each.
const CASES: Array<{ name: string; make: (r: 'mean' | 'sum') => Loss; pred: Float32Array; target: Float32Array; term: (p: number, t: number) => number }> = [
  { name: 'MSELoss', make: (reduction) => new MSELoss({ reduction }), pred: PRED, target: TARGET, term: (p, t) => (p - t) ** 2 },
  { name: 'L1Loss', make: (reduction) => new L1Loss({ reduction }), pred: PRED, target: TARGET, term: (p, t) => Math.abs(p - t) },
  { name: 'HuberLoss(0.5)', make: (reduction) => new HuberLoss({ reduction, delta: 0.5 }), pred: PRED, target: TARGET,
    term: (p, t) => (Math.abs(p - t) < 0.5 ? 0.5 * (p - t) ** 2 : 0.5 * (Math.abs(p - t) - 0.25)) },
  { name: 'SmoothL1Loss(0.5)', make: (reduction) => new SmoothL1Loss({ reduction, beta: 0.5 }), pred: PRED, target: TARGET,
    term: (p, t) => (Math.abs(p - t) < 0.5 ? (0.5 * (p - t) ** 2) / 0.5 : Math.abs(p - t) - 0.25) },
  { name: 'BCELoss', make: (reduction) => new BCELoss({ reduction }), pred: PROB, target: LABEL,
    term: (p, t) => -(t * Math.log(p) + (1 - t) * Math.log(1 - p)) },
  { name: 'BCEWithLogitsLoss', make: (reduction) => new BCEWithLogitsLoss({ reduction }), pred: PRED, target: LABEL,
    term: (x, t) => -(t * Math.log(sig(x)) + (1 - t) * Math.log(1 - sig(x))) },
];

describe.each(CASES)('$name', ({ make, pred, target, term }) => {
  it.each(['mean', 'sum'] as const)('value and gradient match float64 formulas and central differences (reduction %s)', (reduction) => {
    const loss = make(reduction);
    const total = (p: ArrayLike<number>): number => {
      let s = 0;
      for (let i = 0; i < N; i++) s += term(p[i]!, target[i]!);
      return reduction === 'mean' ? s / N : s;
    };
    const value = loss.forward(Tensor.from(pred, [3, 4]), Tensor.from(target, [3, 4]));
    expect(Math.abs(value - total(pred))).toBeLessThanOrEqual(1e-6 * Math.abs(total(pred)) + 1e-7);
    const grad = loss.backward();
    expect(grad.shape).toEqual([3, 4]);
    expectClose(grad.toFloat32Array(), numericGrad(total, pred), { rtol: 1e-4, atol: 1e-6 }, 'gradient');
  });

  it('rejects a mismatched target, a bad reduction and backward before forward', () => {
    const loss = make('mean');
    expect(() => loss.backward()).toThrow(StateError);
    expect(() => loss.forward(Tensor.from(pred, [3, 4]), Tensor.from(target, [4, 3]))).toThrow(ShapeError);
    expect(() => loss.forward(Tensor.from(pred, [3, 4]), Tensor.from(target, [4, 3]))).toThrow(/target must have the prediction's shape \[3, 4\], got \[4, 3\]/);
    expect(() => loss.forward(Tensor.from(pred, [3, 4]), [1, 2] as never)).toThrow(/target must be a Tensor/);
    expect(() => make('avg' as never)).toThrow(/reduction must be one of 'mean', 'sum'/);
    expect(() => loss.forward(Tensor.zeros([0, 4]), Tensor.zeros([0, 4]))).toThrow(/the prediction is empty \(shape \[0, 4\]\)/);
  });

  it('throws on NaN input, naming where it is', () => {
    const loss = make('mean');
    const bad = Float32Array.from(pred);
    bad[5] = NaN;
    expect(() => loss.forward(Tensor.from(bad, [3, 4]), Tensor.from(target, [3, 4]))).toThrow(/loss is NaN.*(index 5|element 5)/);
    expect(() => loss.backward()).toThrow(StateError);
  });
});

describe('BCELoss', () => {
  it('says that predictions must be probabilities', () => {
    expect(() => new BCELoss().forward(Tensor.from([0.5, 1.5]), Tensor.from([1, 0]))).toThrow(/probabilities in \[0, 1\].*element 1 is 1.5/);
  });
  it('stays finite at p = 0 and p = 1 (log clamped at -100)', () => {
    expect(new BCELoss({ reduction: 'sum' }).forward(Tensor.from([0, 1]), Tensor.from([1, 0]))).toBe(200);
  });
});

describe('CrossEntropyLoss', () => {
  const logits = Float32Array.from({ length: 12 }, (_, i) => Math.sin(i * 2.3) * 3);
  const classes = [2, 0, 3];
  const lse = (row: ArrayLike<number>): number => {
    const m = Math.max(...Array.from(row));
    return m + Math.log(Array.from(row).reduce((a, v) => a + Math.exp(v - m), 0));
  };
  const ce = (x: ArrayLike<number>, reduction: 'mean' | 'sum'): number => {
    let s = 0;
    for (let r = 0; r < 3; r++) {
      const row = Array.from({ length: 4 }, (_, j) => x[r * 4 + j]!);
      s += lse(row) - row[classes[r]!]!;
    }
    return reduction === 'mean' ? s / 3 : s;
  };

  it.each(['mean', 'sum'] as const)('class indices as Tensor, array or Int32Array (reduction %s)', (reduction) => {
    const loss = new CrossEntropyLoss({ reduction });
    for (const target of [Tensor.from(classes), classes, Int32Array.from(classes)]) {
      const value = loss.forward(Tensor.from(logits, [3, 4]), target);
      expect(value).toBeCloseTo(ce(logits, reduction), 5);
      expectClose(loss.backward().toFloat32Array(), numericGrad((v) => ce(v, reduction), logits), { rtol: 1e-4, atol: 1e-6 }, 'CE gradient');
    }
  });

  it('one-hot / probability targets give the same loss as indices', () => {
    const oneHot = Tensor.zeros([3, 4]);
    classes.forEach((c, r) => { oneHot.set([1], r * 4 + c); });
    const loss = new CrossEntropyLoss();
    expect(loss.forward(Tensor.from(logits, [3, 4]), oneHot)).toBeCloseTo(ce(logits, 'mean'), 5);
    expectClose(loss.backward().toFloat32Array(), numericGrad((v) => ce(v, 'mean'), logits), { rtol: 1e-4, atol: 1e-6 }, 'soft gradient');
  });

  it('rejects bad class indices and shapes with clear messages', () => {
    const loss = new CrossEntropyLoss();
    const x = Tensor.from(logits, [3, 4]);
    expect(() => loss.forward(x, [0, 4, 1])).toThrow(/target\[1\] = 4 is not a class index in \[0, 3\]/);
    expect(() => loss.forward(x, [0, 1.5, 1])).toThrow(ValueError);
    expect(() => loss.forward(x, [0, 1])).toThrow(/expected 3 class indices/);
    expect(() => loss.forward(x, Tensor.zeros([3, 5]))).toThrow(/probability targets must have the logits' shape/);
    expect(() => loss.forward(Tensor.from([1, 2, 3]), [0])).toThrow(ShapeError);
  });
});
