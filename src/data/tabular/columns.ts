/**
 * How one feature column becomes input numbers: a numeric column is one input (numbers or
 * numeric strings), a categorical column one input per category seen at fit time (one-hot).
 * Missing values are filled when an imputation strategy was given, refused otherwise.
 */
import { ValueError } from '../../errors.js';
import { describe } from '../../check-values.js';
import { parseDecimal } from '../../decimal.js';
import { TabularDataError, categoricalFill, isMissing, numericFill, type ImputeStrategy } from './missing.js';

/**
 * A table cell for messages: a string quoted as JSON ("abc"), anything else described — a bigint or
 * a null-prototype object made String() / JSON.stringify() throw a raw TypeError inside the message.
 */
export const cell = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : describe(v));

/** What a category not seen at fit time becomes: an error (default) or all zeros. */
export type UnknownCategory = 'error' | 'ignore';

/** A fitted numeric column, as stored in a file. */
export interface NumericColumnJSON {
  name: string;
  kind: 'numeric';
  fill?: number;
}

/** A fitted categorical column, as stored in a file. */
export interface CategoricalColumnJSON {
  name: string;
  kind: 'categorical';
  categories: string[];
  fill?: string;
  unknown: UnknownCategory;
}

export type ColumnJSON = NumericColumnJSON | CategoricalColumnJSON;

/** A number from a cell: a finite number or a numeric string; undefined if it is neither. */
export function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  // Decimal numerals only (as pandas reads a CSV): '0x1A' is a code in a table, not 26.
  if (typeof v === 'string') {
    const n = parseDecimal(v);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/** True when every present value reads as a number. */
export function looksNumeric(values: readonly unknown[]): boolean {
  return values.every((v) => isMissing(v) || toNumber(v) !== undefined);
}

function missingError(name: string, row: number, v: unknown): TabularDataError {
  return new TabularDataError(`row ${row}, column '${name}': missing value (${v === '' ? "''" : cell(v)}); pass impute (mean, median, mostFrequent or { constant }) or drop the row`, row, name);
}

/** Fits a numeric column (its fill value, when imputing). */
export function fitNumeric(name: string, values: readonly unknown[], impute: ImputeStrategy | undefined): NumericColumnJSON {
  const present: number[] = [];
  values.forEach((v, row) => {
    if (isMissing(v)) {
      if (!impute) throw missingError(name, row, v);
      return;
    }
    const n = toNumber(v);
    if (n === undefined) throw new TabularDataError(`row ${row}, column '${name}': ${cell(v)} is not a number (declare the column categorical if it is)`, row, name);
    present.push(n);
  });
  return impute ? { name, kind: 'numeric', fill: numericFill(present, impute, name) } : { name, kind: 'numeric' };
}

/** Fits a categorical column: its categories (sorted) and fill value. */
export function fitCategorical(name: string, values: readonly unknown[], impute: ImputeStrategy | undefined, unknown: UnknownCategory): CategoricalColumnJSON {
  const present: string[] = [];
  values.forEach((v, row) => {
    if (isMissing(v)) {
      if (!impute) throw missingError(name, row, v);
      return;
    }
    present.push(categoryOf(name, v, row));
  });
  const fill = impute ? categoricalFill(present, impute, name) : undefined;
  const categories = [...new Set(fill === undefined ? present : [...present, fill])].sort();
  return fill === undefined ? { name, kind: 'categorical', categories, unknown } : { name, kind: 'categorical', categories, fill, unknown };
}

function categoryOf(name: string, v: unknown, row: number): string {
  if (typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))) return String(v);
  throw new TabularDataError(`row ${row}, column '${name}': ${cell(v)} is not a category (string, number or boolean)`, row, name);
}

/** Number of inputs a column takes. */
export function widthOf(column: ColumnJSON): number {
  return column.kind === 'numeric' ? 1 : column.categories.length;
}

/** Writes the column's inputs for every row into `out` (row-major, `stride` wide, starting at `offset`). */
export function encodeColumn(column: ColumnJSON, values: readonly unknown[], out: Float64Array, stride: number, offset: number): void {
  const { name } = column;
  if (column.kind === 'numeric') {
    values.forEach((v, row) => {
      let n: number | undefined;
      if (isMissing(v)) {
        if (column.fill === undefined) throw missingError(name, row, v);
        n = column.fill;
      } else {
        n = toNumber(v);
        if (n === undefined) throw new TabularDataError(`row ${row}, column '${name}': ${cell(v)} is not a number`, row, name);
      }
      out[row * stride + offset] = n;
    });
    return;
  }
  const index = new Map(column.categories.map((c, i) => [c, i]));
  values.forEach((v, row) => {
    let category: string;
    if (isMissing(v)) {
      if (column.fill === undefined) throw missingError(name, row, v);
      category = column.fill;
    } else {
      category = categoryOf(name, v, row);
    }
    const i = index.get(category);
    if (i === undefined) {
      if (column.unknown === 'ignore') return;
      throw new TabularDataError(`row ${row}, column '${name}': category ${JSON.stringify(category)} was not seen at fit time ` +
        `(known: ${column.categories.slice(0, 20).map((c) => JSON.stringify(c)).join(', ')}); pass unknownCategory: 'ignore' to encode it as all zeros`, row, name);
    }
    out[row * stride + offset + i] = 1;
  });
}

/** Checks a column read from a file. */
export function columnFromJSON(json: unknown): ColumnJSON {
  const j = json as Record<string, unknown>;
  if (!j || typeof j !== 'object' || typeof j.name !== 'string' || j.name.length > 1000) throw new ValueError('preprocessing: a column needs a name (a string)');
  if (j.kind === 'numeric') {
    if (j.fill !== undefined && (typeof j.fill !== 'number' || !Number.isFinite(j.fill))) throw new ValueError(`preprocessing: column '${j.name}' has a non-numeric fill`);
    return j.fill === undefined ? { name: j.name, kind: 'numeric' } : { name: j.name, kind: 'numeric', fill: j.fill };
  }
  if (j.kind === 'categorical') {
    const c = j.categories;
    if (!Array.isArray(c) || c.length < 1 || c.length > 100_000 || !c.every((v) => typeof v === 'string') || new Set(c).size !== c.length) {
      throw new ValueError(`preprocessing: column '${j.name}' needs 1 to 100000 distinct string categories`);
    }
    if (j.unknown !== 'error' && j.unknown !== 'ignore') throw new ValueError(`preprocessing: column '${j.name}' has unknown handling ${JSON.stringify(j.unknown)}`);
    if (j.fill !== undefined && (typeof j.fill !== 'string' || !c.includes(j.fill))) throw new ValueError(`preprocessing: column '${j.name}' has a fill that is not one of its categories`);
    const out: CategoricalColumnJSON = { name: j.name, kind: 'categorical', categories: [...c] as string[], unknown: j.unknown };
    if (j.fill !== undefined) out.fill = j.fill;
    return out;
  }
  throw new ValueError(`preprocessing: column kind must be 'numeric' or 'categorical', got ${JSON.stringify(j.kind)}`);
}
