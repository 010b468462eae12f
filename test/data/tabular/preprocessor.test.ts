// TabularPreprocessor: columns chosen and encoded as documented, missing values refused with row
// and column or imputed, scaling fitted on the training rows only, and a saved form that is
// checked like any file.
import { describe, expect, it } from 'vitest';
import { TabularDataError, TabularPreprocessor, Tensor, ValueError } from '../../../src/index.js';

const rows = [
  { size: 1, colour: 'red', ok: 'yes' },
  { size: 2, colour: 'blue', ok: 'no' },
  { size: 3, colour: 'red', ok: 'yes' },
  { size: 6, colour: 'green', ok: 'no' },
];
const values = (t: Tensor): number[] => Array.from(t.toFloat32Array(), (v) => Math.round(v * 1e6) / 1e6);

describe('TabularPreprocessor', () => {
  it('numeric columns standardised, categorical ones one-hot (sorted categories), a text target as class indices', () => {
    const p = new TabularPreprocessor({ target: 'ok' });
    const { x, y } = p.fitTransform(rows);
    expect(p.task).toBe('classification');
    expect(p.featureNames).toEqual(['size', 'colour=blue', 'colour=green', 'colour=red']);
    expect(p.classes).toEqual(['no', 'yes']);
    expect(x.shape).toEqual([4, 4]);
    // size: mean 3, population std √3.5
    const s = Math.sqrt(3.5);
    expect(values(x)).toEqual([-2 / s, 0, 0, 1, -1 / s, 1, 0, 0, 0, 0, 0, 1, 3 / s, 0, 1, 0].map((v) => Math.round(Math.fround(v) * 1e6) / 1e6));
    expect(Array.from(y!.toFloat32Array())).toEqual([1, 0, 1, 0]);
  });

  it('the same from { columns, rows } arrays; ragged rows and bad headers are refused', () => {
    const p = new TabularPreprocessor({ target: 'ok' });
    const table = { columns: ['size', 'colour', 'ok'], rows: rows.map((r) => [r.size, r.colour, r.ok]) };
    expect(values(p.fitTransform(table).x)).toEqual(values(new TabularPreprocessor({ target: 'ok' }).fitTransform(rows).x));
    expect(() => p.transform({ columns: ['size', 'colour', 'ok'], rows: [[1, 'red']] })).toThrow(/row 0 has 2 values, the header has 3 columns/);
    expect(() => p.transform({ columns: ['size', 'size', 'ok'], rows: [] })).toThrow(/distinct/);
    expect(() => p.transform([1, 2] as never)).toThrow(TabularDataError);
    expect(() => p.transform(null as never)).toThrow(ValueError);
  });

  it('a numeric target is regression, standardised, decoded back to its units', () => {
    const p = new TabularPreprocessor({ target: 'size' });
    const { y } = p.fitTransform(rows);
    expect(p.task).toBe('regression');
    expect(y!.shape).toEqual([4, 1]);
    expect(p.decode(y!.toFloat32Array(), 4).map((v) => Math.round(Number(v) * 1e5) / 1e5)).toEqual([1, 2, 3, 6]);
    const raw = new TabularPreprocessor({ target: 'size', scaleTarget: false }).fitTransform(rows);
    expect(Array.from(raw.y!.toFloat32Array())).toEqual([1, 2, 3, 6]);
    expect(new TabularPreprocessor({ target: 'size', task: 'classification' }).fit(rows).classes).toEqual([1, 2, 3, 6]);
  });

  it('scalers are fitted on the training rows only; minmax maps the training range to [0, 1]', () => {
    const p = new TabularPreprocessor({ target: 'ok', features: ['size'], scale: 'minmax' }).fit(rows);
    expect(values(p.transform([{ size: 11, ok: 'no' }]).x)).toEqual([2]);
    expect(values(new TabularPreprocessor({ target: 'ok', features: ['size'], scale: 'none' }).fitTransform(rows).x)).toEqual([1, 2, 3, 6]);
  });

  it('missing values (null, undefined, "", NaN) are refused naming row and column', () => {
    for (const bad of [null, undefined, '', '  ', NaN]) {
      const data = rows.map((r, i) => (i === 2 ? { ...r, size: bad } : r));
      const p = new TabularPreprocessor({ target: 'ok' });
      let error: unknown;
      try { p.fit(data); } catch (e) { error = e; }
      expect(error).toBeInstanceOf(TabularDataError);
      expect((error as TabularDataError).row).toBe(2);
      expect((error as TabularDataError).column).toBe('size');
      expect((error as Error).message).toMatch(/row 2, column 'size': missing value.*impute/);
    }
    expect(() => new TabularPreprocessor({ target: 'ok' }).fit([...rows, { size: 1, colour: 'red', ok: null as never }])).toThrow(/row 4, column 'ok': missing target/);
  });

  it.each([
    ['mean', 3], ['median', 2.5], ['mostFrequent', 1], [{ constant: -5 }, -5],
  ] as const)('impute %j fills a numeric column with %s (learned at fit, used at transform)', (impute, fill) => {
    const data = [...rows, { size: null as never, colour: 'red', ok: 'no' }];
    const p = new TabularPreprocessor({ target: 'ok', features: ['size'], scale: 'none', impute }).fit(data);
    expect(values(p.transform(data).x)[4]).toBe(fill);
    expect(values(p.transform([{ size: '', ok: 'yes' }]).x)).toEqual([fill]);
  });

  it('impute per column; categorical columns take the most frequent value or a constant, not a mean', () => {
    const data = [...rows, { size: 2, colour: null as never, ok: 'no' }];
    const p = new TabularPreprocessor({ target: 'ok', impute: { colour: 'mostFrequent' } }).fit(data);
    expect(values(p.transform([{ size: 2, colour: '', ok: 'no' }]).x).slice(1)).toEqual([0, 0, 1]);
    expect(() => new TabularPreprocessor({ target: 'ok', impute: { colour: 'mean' } }).fit(data)).toThrow(/categorical; use 'mostFrequent'/);
    const c = new TabularPreprocessor({ target: 'ok', impute: { colour: { constant: 'unknown' } } }).fit(data);
    expect(c.featureNames).toContain('colour=unknown');
    expect(() => new TabularPreprocessor({ target: 'ok', impute: 'average' as never }).fit(data)).toThrow(/impute must be/);
    // Refused by the constructor, not only at fit(); a per-column entry for no such column is named at fit().
    expect(() => new TabularPreprocessor({ target: 'ok', impute: 'median2' as never })).toThrow(/impute must be/);
    expect(() => new TabularPreprocessor({ target: 'ok', impute: { colour: 'avg' as never } })).toThrow(/impute\['colour'\].*impute must be/);
    expect(() => new TabularPreprocessor({ target: 'ok', impute: { colur: 'mostFrequent' } }).fit(data)).toThrow(/impute names 'colur', which is not a feature column/);
  });

  it('unknown columns, unseen categories and text in a numeric column are clear errors (or documented zeros)', () => {
    expect(() => new TabularPreprocessor({ target: 'price' }).fit(rows)).toThrow(/unknown target column 'price'; the data has 'size', 'colour', 'ok'/);
    expect(() => new TabularPreprocessor({ target: 'ok', features: ['sise'] }).fit(rows)).toThrow(/unknown feature column 'sise'/);
    const p = new TabularPreprocessor({ target: 'ok' }).fit(rows);
    expect(() => p.transform([{ size: 1, colour: 'purple' }])).toThrow(/row 0, column 'colour': category "purple" was not seen at fit time/);
    expect(() => p.transform([{ colour: 'red' }])).toThrow(/unknown feature column 'size'/);
    const lenient = new TabularPreprocessor({ target: 'ok', unknownCategory: 'ignore' }).fit(rows);
    expect(values(lenient.transform([{ size: 3, colour: 'purple' }]).x)).toEqual([0, 0, 0, 0]);
    expect(lenient.transform([{ size: 3, colour: 'red' }]).y).toBeUndefined();
    const q = new TabularPreprocessor({ target: 'ok', categorical: [] }).fit(rows);
    expect(() => q.transform([{ size: 'big', colour: 'red' }])).toThrow(/row 0, column 'size': "big" is not a number/);
    expect(() => p.transform([{ size: 1, colour: 'red', ok: 'maybe' }])).toThrow(/class "maybe" was not seen at fit time/);
  });

  it('a value beyond float32 is refused with its row and column, not turned into Infinity', () => {
    const p = new TabularPreprocessor({ target: 'ok', scale: 'none' }).fit(rows);
    expect(() => p.transform([{ size: 1e39, colour: 'red' }])).toThrow(/row 0, column 'size': the value does not fit in float32/);
    const s = new TabularPreprocessor({ target: 'ok' }).fit(rows);
    expect(() => s.transform([{ size: 1, colour: 'red' }, { size: 1e300, colour: 'red' }])).toThrow(/row 1, column 'size'/);
    const r = new TabularPreprocessor({ target: 'size', scaleTarget: false }).fit(rows);
    expect(() => r.transform([{ size: -1e39, colour: 'red', ok: 'yes' }])).toThrow(/row 0, column 'size'/);
  });

  it('numbers as categories when asked; numeric strings (CSV) are numbers', () => {
    const p = new TabularPreprocessor({ target: 'ok', categorical: ['size'] }).fit(rows);
    expect(p.featureNames.slice(0, 4)).toEqual(['size=1', 'size=2', 'size=3', 'size=6']);
    const s = new TabularPreprocessor({ target: 'ok', scale: 'none' }).fit(rows.map((r) => ({ ...r, size: String(r.size) })));
    expect(s.featureNames[0]).toBe('size');
  });

  it('options are checked', () => {
    expect(() => new TabularPreprocessor({} as never)).toThrow(/target must name a column/);
    expect(() => new TabularPreprocessor({ target: 'a', features: ['a'] })).toThrow(/cannot also be a feature/);
    expect(() => new TabularPreprocessor({ target: 'a', scale: 'max' as never })).toThrow(/scale must be one of/);
    expect(() => new TabularPreprocessor({ target: 'a', tsk: 'x' } as never)).toThrow(/unknown option 'tsk'/);
    expect(() => new TabularPreprocessor({ target: 'ok' }).transform(rows)).toThrow(/call fit/);
    expect(() => new TabularPreprocessor({ target: 'ok' }).fit([])).toThrow(/no rows/);
    expect(() => new TabularPreprocessor({ target: 'ok' }).fit(rows.map((r) => ({ ...r, ok: 'yes' })))).toThrow(/at least 2/);
  });

  it('toJSON / fromJSON round-trips; hostile JSON is refused', () => {
    const p = new TabularPreprocessor({ target: 'ok', impute: 'median' }).fit(rows);
    const q = TabularPreprocessor.fromJSON(JSON.parse(JSON.stringify(p.toJSON())));
    expect(values(q.transform(rows).x)).toEqual(values(p.transform(rows).x));
    expect(q.classes).toEqual(p.classes);
    const j = p.toJSON() as Record<string, unknown>;
    const bad: Array<[string, unknown]> = [
      ['version', { ...j, version: 2 }], ['task', { ...j, task: 'clustering' }], ['columns', { ...j, columns: [] }],
      ['column kind', { ...j, columns: [{ name: 'size', kind: 'text' }] }],
      ['categories', { ...j, columns: [{ name: 'c', kind: 'categorical', categories: ['a', 'a'], unknown: 'error' }] }],
      ['scaler', { ...j, scaler: { kind: 'standard', shift: [0], scale: [0] } }],
      ['scaler width', { ...j, scaler: { kind: 'standard', shift: [0, 1], scale: [1, 1] } }],
      ['classes', { ...j, labels: { classes: ['only'] } }], ['null', null],
    ];
    for (const [what, json] of bad) expect(() => TabularPreprocessor.fromJSON(json), what).toThrow(ValueError);
  });
});
