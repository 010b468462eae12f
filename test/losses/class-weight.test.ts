// torch's weight / ignoreIndex / labelSmoothing on NLLLoss and CrossEntropyLoss: the rules
// against central differences and hand-computed values, and adversarial arguments (every
// rejection leaves the loss as it was: backward() then refuses instead of returning old numbers).
import { describe, expect, it } from 'vitest';
import { CrossEntropyLoss, NLLLoss, NonFiniteLossError, ShapeError, StateError, Tensor, ValueError, memoryStats } from '../../src/index.js';
import { numericGrad } from '../helpers/gradcheck.js';
import { expectClose } from '../helpers/heap.js';

const X = Float32Array.from({ length: 12 }, (_, i) => Math.sin(i * 1.7) * 2);
const W = [0.5, 2, 0, 1.5];

/** torch's cross_entropy in float64: weighted NLL + smoothing term, weighted mean over the rows kept. */
function crossEntropy(v: ArrayLike<number>, y: number[], o: { w?: number[]; ignore?: number; eps?: number; mean: boolean }): number {
  const w = o.w ?? [1, 1, 1, 1], eps = o.eps ?? 0;
  let nll = 0, smooth = 0, d = 0;
  y.forEach((t, r) => {
    if (t === (o.ignore ?? -100)) return;
    const row = [0, 1, 2, 3].map((c) => v[r * 4 + c]!);
    const lse = Math.log(row.reduce((s, x) => s + Math.exp(x), 0));
    nll += w[t]! * (lse - row[t]!);
    smooth += row.reduce((s, x, c) => s + w[c]! * (lse - x), 0);
    d += w[t]!;
  });
  const den = o.mean ? d : 1;
  return (1 - eps) * nll / den + (eps / 4) * smooth / den;
}

describe('weight, ignoreIndex and labelSmoothing', () => {
  it.each<[{ w?: number[]; ignore?: number; eps?: number }, number[]]>([
    [{ w: W }, [1, 3, 0]], [{ ignore: -100 }, [1, -100, 3]], [{ w: W, ignore: 1, eps: 0.25 }, [1, 3, 0]], [{ eps: 0.4 }, [2, 0, 3]],
  ])('CrossEntropyLoss %j on %j: value and gradient against central differences', (o, y) => {
    for (const mean of [true, false]) {
      const opts = { ...o, mean };
      const loss = new CrossEntropyLoss({ reduction: mean ? 'mean' : 'sum', ...(o.w ? { weight: o.w } : {}),
        ...(o.ignore !== undefined ? { ignoreIndex: o.ignore } : {}), ...(o.eps !== undefined ? { labelSmoothing: o.eps } : {}) });
      const f = (v: ArrayLike<number>): number => crossEntropy(v, [...y], opts);
      expect(Math.abs(loss.forward(Tensor.from(X, [3, 4]), [...y]) - f(X))).toBeLessThan(2e-6);
      expectClose(loss.backward().toFloat32Array(), numericGrad(f, X), { rtol: 1e-4, atol: 2e-6 }, 'gradient');
    }
  });

  it.each<[{ w?: number[]; ignore?: number }, number[]]>([
    [{ w: W }, [1, 3, 0]], [{ ignore: -100 }, [1, -100, 3]], [{ w: W, ignore: 3 }, [3, 1, 0]],
  ])('NLLLoss %j on %j: value and gradient against central differences', (o, y) => {
    for (const mean of [true, false]) {
      const loss = new NLLLoss({ reduction: mean ? 'mean' : 'sum', ...(o.w ? { weight: o.w } : {}), ...(o.ignore !== undefined ? { ignoreIndex: o.ignore } : {}) });
      const w = o.w ?? [1, 1, 1, 1];
      const f = (v: ArrayLike<number>): number => {
        let total = 0, d = 0;
        y.forEach((t, r) => {
          if (t === (o.ignore ?? -100)) return;
          total -= w[t]! * v[r * 4 + t]!;
          d += w[t]!;
        });
        return mean ? total / d : total;
      };
      expect(Math.abs(loss.forward(Tensor.from(X, [3, 4]), [...y]) - f(X))).toBeLessThan(2e-6);
      expectClose(loss.backward().toFloat32Array(), numericGrad(f, X), { rtol: 1e-4, atol: 2e-6 }, 'gradient');
    }
  });

  it('class indices choose among at most 2^23 classes (the kernels\' exact conversion); probabilities have no such limit', () => {
    const wide = Tensor.zeros([1, 2 ** 23 + 1]);
    for (const loss of [new NLLLoss(), new CrossEntropyLoss()]) {
      expect(() => loss.forward(wide, [3])).toThrow(ShapeError);
      expect(() => loss.forward(wide, [3])).toThrow(/at most 8388608 classes \(2\^23\), but the prediction has 8388609$/);
      expect(() => loss.backward()).toThrow(StateError);
      loss.dispose();
    }
    const p = Tensor.zeros([1, 2 ** 23 + 1]);
    p.set([1], 5);
    expect(Number.isFinite(new CrossEntropyLoss().forward(wide, p))).toBe(true);
    wide.dispose();
    p.dispose();
  });

  it('NLLLoss: weighted mean Σ w[t]·(−x[t]) / Σ w[t], ignored rows left out', () => {
    const loss = new NLLLoss({ weight: W });
    const value = loss.forward(Tensor.from(X, [3, 4]), [1, -100, 3]);
    expect(value).toBeCloseTo(-(2 * X[1]! + 1.5 * X[11]!) / 3.5, 6);
    expectClose(loss.backward().toFloat32Array(), [0, -2 / 3.5, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1.5 / 3.5], { rtol: 1e-6, atol: 0 }, 'gradient');
    // The default ignoreIndex is torch's -100 on the plain (unweighted) path too.
    expect(new NLLLoss().forward(Tensor.from(X, [3, 4]), [1, -100, 3])).toBeCloseTo(-(X[1]! + X[11]!) / 2, 6);
  });

  it('a mean over nothing (all ignored, or weight 0) is refused with the reason; sum gives 0', () => {
    for (const make of [() => new NLLLoss({ weight: W }), () => new CrossEntropyLoss(), () => new CrossEntropyLoss({ labelSmoothing: 0.1 })]) {
      const loss = make();
      const y = loss instanceof NLLLoss ? [2, 2, 2] : [-100, -100, -100];
      expect(() => loss.forward(Tensor.from(X, [3, 4]), y)).toThrow(NonFiniteLossError);
      expect(() => loss.forward(Tensor.from(X, [3, 4]), y)).toThrow(/so the mean is 0\/0 \(torch returns NaN\)/);
      expect(() => loss.backward()).toThrow(StateError);
    }
    expect(new CrossEntropyLoss({ reduction: 'sum' }).forward(Tensor.from(X, [3, 4]), [-100, -100, -100])).toBe(0);
  });

  it('still names a bad class index, now with the ignored value', () => {
    const loss = new CrossEntropyLoss({ weight: W, ignoreIndex: 7 });
    expect(() => loss.forward(Tensor.from(X, [3, 4]), [0, -100, 1])).toThrow(/target\[1\] = -100 is not a class index in \[0, 3\] \(nor ignoreIndex 7\)/);
    expect(() => new NLLLoss().forward(Tensor.from(X, [3, 4]), [0, 4, 1])).toThrow(/target\[1\] = 4 is not a class index/);
    // row 1 ignored: the weighted mean over rows 0 and 2 alone
    const kept = Tensor.from([...X.slice(0, 4), ...X.slice(8, 12)], [2, 4]);
    expect(loss.forward(Tensor.from(X, [3, 4]), Tensor.from([0, 7, 1]))).toBe(new CrossEntropyLoss({ weight: W }).forward(kept, [0, 1]));
  });

  it('validate weight, ignoreIndex and labelSmoothing at construction', () => {
    for (const Loss of [NLLLoss, CrossEntropyLoss]) {
      const L = Loss as unknown as new (o: object) => NLLLoss;
      for (const weight of [[1, NaN], [1, -0.5], [1e39], [1, '2'], [], 'ab', null, { length: 2 }, Tensor.zeros([2, 2]), Tensor.zeros([0])]) {
        expect(() => new L({ weight }), JSON.stringify(weight)).toThrow(/weight/);
      }
      expect(() => new L({ weight: [1, -2] })).toThrow(ValueError);
      for (const ignoreIndex of [1.5, NaN, 1e39, '1', null]) expect(() => new L({ ignoreIndex })).toThrow(/ignoreIndex/);
      const disposed = Tensor.from([1, 2]);
      disposed.dispose();
      expect(() => new L({ weight: disposed })).toThrow(StateError);
    }
    expect(() => new NLLLoss({ labelSmoothing: 0.1 } as object)).toThrow(/unknown option 'labelSmoothing'/);
    for (const labelSmoothing of [-0.1, 1.5, NaN, Infinity, '0.1']) {
      expect(() => new CrossEntropyLoss({ labelSmoothing: labelSmoothing as number })).toThrow(/labelSmoothing/);
    }
  });

  it('a weight of the wrong length is refused at forward, naming both counts, and changes nothing', () => {
    const loss = new CrossEntropyLoss({ weight: [1, 2, 3] });
    loss.forward(Tensor.from(X.slice(0, 9), [3, 3]), [0, 1, 2]);
    const before = Array.from(loss.backward().toFloat32Array());
    expect(() => loss.forward(Tensor.from(X, [3, 4]), [0, 1, 2])).toThrow(ShapeError);
    expect(() => loss.forward(Tensor.from(X, [3, 4]), [0, 1, 2])).toThrow(/weight has 3 values but the prediction has 4 classes/);
    expect(() => loss.backward()).toThrow(StateError);
    loss.forward(Tensor.from(X.slice(0, 9), [3, 3]), [0, 1, 2]);
    expect(Array.from(loss.backward().toFloat32Array())).toEqual(before);
    expect(() => new NLLLoss({ weight: [1, 2] }).forward(Tensor.from(X, [3, 4]), [0, 1, 2])).toThrow(/weight has 2 values but the prediction has 4 classes/);
  });

  it('copies the weight (later changes to the caller\'s array do not leak in) and frees it on dispose', () => {
    const w = [1, 2, 3, 4];
    const before = memoryStats().byKind.loss?.bytes ?? 0;
    const loss = new CrossEntropyLoss({ weight: Tensor.from(w) });
    const weighted = new CrossEntropyLoss({ weight: w });
    w[0] = 100;
    expect(memoryStats().byKind.loss?.bytes ?? 0).toBeGreaterThan(before);
    expect(Array.from(weighted.weight!)).toEqual([1, 2, 3, 4]);
    expect(loss.forward(Tensor.from(X, [3, 4]), [0, 1, 2])).toBe(weighted.forward(Tensor.from(X, [3, 4]), [0, 1, 2]));
    expect(loss.ignoreIndex).toBe(-100);
    expect(new CrossEntropyLoss().weight).toBe(null);
    loss.dispose();
    weighted.dispose();
    expect(memoryStats().byKind.loss?.bytes ?? 0).toBe(before);
  });
});
