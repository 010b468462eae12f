/**
 * The numeric work of TabularPreprocessor: every fitted column of a table into one row-major
 * float64 matrix, the numeric inputs picked out for the scaler, and a regression target read as
 * numbers (missing or non-numeric values refused with their row).
 */
import { cell, encodeColumn, toNumber, widthOf, type ColumnJSON } from './columns.js';
import { TabularDataError, isMissing } from './missing.js';
import type { Table } from './table.js';

/** Offsets of the numeric inputs among all inputs. */
export function numericOffsets(columns: ColumnJSON[]): number[] {
  const out: number[] = [];
  let at = 0;
  for (const c of columns) {
    if (c.kind === 'numeric') out.push(at);
    at += widthOf(c);
  }
  return out;
}

/** Every feature input of every row, unscaled, as float64. */
export function encode(columns: ColumnJSON[], table: Table): { data: Float64Array; width: number } {
  const width = columns.reduce((n, c) => n + widthOf(c), 0);
  const data = new Float64Array(table.count * width);
  let offset = 0;
  for (const c of columns) {
    encodeColumn(c, table.column(c.name), data, width, offset);
    offset += widthOf(c);
  }
  return { data, width };
}

/** The listed inputs of each row, packed. */
export function pick(data: Float64Array, width: number, offsets: number[]): Float64Array {
  const rows = data.length / width;
  const out = new Float64Array(rows * offsets.length);
  for (let r = 0; r < rows; r++) offsets.forEach((o, j) => { out[r * offsets.length + j] = data[r * width + o]!; });
  return out;
}

/** A regression target as numbers; missing or non-numeric values are refused with the row. */
export function regressionTarget(values: readonly unknown[], column: string): Float64Array {
  return Float64Array.from(values, (v, row) => {
    if (isMissing(v)) throw new TabularDataError(`row ${row}, column '${column}': missing target (${v === '' ? "''" : cell(v)}); drop the row first`, row, column);
    const n = toNumber(v);
    if (n === undefined) throw new TabularDataError(`row ${row}, column '${column}': ${cell(v)} is not a number (regression target); use task: 'classification' for labels`, row, column);
    return n;
  });
}
