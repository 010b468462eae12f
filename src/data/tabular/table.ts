/**
 * Tabular input, as the caller has it: an array of objects ({ column: value }) or
 * { columns, rows } with rows as arrays. Both are read through one Table view; ragged rows and
 * non-objects are refused with the row named.
 */
import { ValueError } from '../../errors.js';
import { TabularDataError } from './missing.js';

/** Rows as objects, or a header and rows as arrays. */
export type TableInput = ReadonlyArray<Readonly<Record<string, unknown>>> | { columns: readonly string[]; rows: ReadonlyArray<readonly unknown[]> };

/** Read access to a validated table. */
export interface Table {
  readonly columns: readonly string[];
  readonly count: number;
  /** The values of one column, in row order (undefined where a row lacks it). */
  column(name: string): unknown[];
}

const own = Object.prototype.hasOwnProperty;

/** Validates `input` and returns a Table over it (no copy of the values). */
export function toTable(where: string, input: TableInput): Table {
  if (Array.isArray(input)) return objectTable(where, input);
  if (input && typeof input === 'object' && Array.isArray((input as { columns?: unknown }).columns) && Array.isArray((input as { rows?: unknown }).rows)) {
    return arrayTable(where, input as { columns: readonly string[]; rows: ReadonlyArray<readonly unknown[]> });
  }
  throw new ValueError(`${where}: expected an array of row objects or { columns, rows }, got ${input === null ? 'null' : typeof input}`);
}

function objectTable(where: string, rows: ReadonlyArray<Readonly<Record<string, unknown>>>): Table {
  const columns: string[] = [];
  const seen = new Set<string>();
  rows.forEach((row, i) => {
    if (!row || typeof row !== 'object' || Array.isArray(row)) {
      throw new TabularDataError(`${where}: row ${i} is ${Array.isArray(row) ? 'an array' : row === null ? 'null' : typeof row}, expected an object (or pass { columns, rows } for arrays)`, i);
    }
    for (const k of Object.keys(row)) {
      if (!seen.has(k)) {
        seen.add(k);
        columns.push(k);
      }
    }
  });
  return {
    columns, count: rows.length,
    column: (name) => rows.map((row) => (own.call(row, name) ? row[name] : undefined)),
  };
}

function arrayTable(where: string, input: { columns: readonly string[]; rows: ReadonlyArray<readonly unknown[]> }): Table {
  const { columns, rows } = input;
  columns.forEach((c, i) => {
    if (typeof c !== 'string' || c === '') throw new ValueError(`${where}: columns[${i}] must be a non-empty string, got ${JSON.stringify(c)}`);
  });
  if (new Set(columns).size !== columns.length) throw new ValueError(`${where}: column names must be distinct, got ${JSON.stringify(columns)}`);
  rows.forEach((row, i) => {
    if (!Array.isArray(row)) throw new TabularDataError(`${where}: row ${i} is not an array`, i);
    if (row.length !== columns.length) throw new TabularDataError(`${where}: row ${i} has ${row.length} values, the header has ${columns.length} columns (ragged rows)`, i);
  });
  const index = new Map(columns.map((c, i) => [c, i]));
  return {
    columns: [...columns], count: rows.length,
    column: (name) => {
      const i = index.get(name);
      return i === undefined ? rows.map(() => undefined) : rows.map((row) => row[i]);
    },
  };
}
