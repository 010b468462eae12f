import { describe, expect, it } from 'vitest';
import { LabelEncoder, MinMaxScaler, StandardScaler, TabularDataError, ValueError } from '../../../src/index.js';

describe('StandardScaler / MinMaxScaler', () => {
  it('standard: mean 0, population std 1 per column; inverse restores the data', () => {
    const data = [1, 10, 2, 20, 3, 30, 6, 60];
    const s = new StandardScaler().fit(data, 2);
    const t = s.transform(data);
    for (const c of [0, 1]) {
      const col = [0, 1, 2, 3].map((r) => t[2 * r + c]!);
      expect(Math.abs(col.reduce((a, b) => a + b) / 4)).toBeLessThan(1e-6);
      expect(Math.abs(col.reduce((a, b) => a + b * b, 0) / 4 - 1)).toBeLessThan(1e-6);
    }
    Array.from(s.inverseTransform(t)).forEach((v, i) => expect(v).toBeCloseTo(data[i]!, 5));
  });

  it('minmax: the training range maps to [0, 1]; a constant column is shifted, not divided by zero', () => {
    const m = new MinMaxScaler().fit([2, 5, 4, 5, 6, 5], 2);
    expect(Array.from(m.transform([2, 5, 6, 5, 8, 7]))).toEqual([0, 0, 1, 0, 1.5, 2]);
    expect(m.toJSON()).toEqual({ kind: 'minmax', shift: [2, 5], scale: [4, 1] });
  });

  it('toJSON / fromJSON round-trip; a wrong kind or bad statistics are refused', () => {
    const s = new StandardScaler().fit([1, 10, 2, 20, 3, 30], 2);
    expect(Array.from(StandardScaler.fromJSON(JSON.parse(JSON.stringify(s))).transform([4, 40]))).toEqual(Array.from(s.transform([4, 40])));
    const m = MinMaxScaler.fromJSON({ kind: 'minmax', shift: [1], scale: [2] });
    expect(Array.from(m.inverseTransform([0.5]))).toEqual([2]);
    expect(() => MinMaxScaler.fromJSON(s.toJSON())).toThrow(/expected kind 'minmax'/);
    expect(() => StandardScaler.fromJSON({ kind: 'standard', shift: [0], scale: [-1] })).toThrow(/scale > 0/);
    expect(() => StandardScaler.fromJSON({ kind: 'standard', shift: [], scale: [] })).toThrow(/1 to 1000000/);
  });

  it('bad input is refused', () => {
    expect(() => new StandardScaler().fit([1, 2, 3], 2)).toThrow(ValueError);
    expect(() => new StandardScaler().fit([1, NaN], 1)).toThrow(/value 1 \(row 1, column 0\) is NaN/);
    expect(() => new StandardScaler().transform([1])).toThrow(/before fit/);
    expect(() => new StandardScaler().fit([1, 2], 1).transform([1, 2, 3])).not.toThrow();
    expect(() => new MinMaxScaler().fit([1, 2], 0)).toThrow(/columns must be a positive integer/);
  });
});

describe('LabelEncoder', () => {
  it('sorted classes, encode and decode; unseen and missing labels name the row', () => {
    const e = new LabelEncoder().fit(['b', 'a', 'c', 'a']);
    expect(e.classes).toEqual(['a', 'b', 'c']);
    expect(Array.from(e.encode(['c', 'a']))).toEqual([2, 0]);
    expect(e.decode([1, 2])).toEqual(['b', 'c']);
    expect(() => e.encode(['a', 'd'])).toThrow(/row 1, column 'target': class "d" was not seen/);
    expect(() => e.encode(['a', null])).toThrow(TabularDataError);
    expect(() => e.decode([3])).toThrow(/index 0 is 3/);
    expect(new LabelEncoder().fit([10, 2, 1]).classes).toEqual([1, 2, 10]);
    expect(LabelEncoder.fromJSON(e.toJSON()).classes).toEqual(['a', 'b', 'c']);
    expect(() => LabelEncoder.fromJSON({ classes: ['a', 'a'] })).toThrow(/distinct/);
  });
});
