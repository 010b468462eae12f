// CSV in and out for the command. Reading uses csv-parse (RFC 4180: quotes, embedded commas and
// newlines, a byte-order mark); numbers become numbers, empty cells stay '' (missing values).
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { TabularDataError } from '../index.js';
import { UsageError } from './options.js';

/** Rows of a CSV file as objects, and the file line of each row (for messages). */
export interface CsvTable {
  rows: Array<Record<string, unknown>>;
  columns: string[];
  lines: number[];
}

/** Reads a CSV file with a header row. */
export function readCsv(path: string): CsvTable {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${path}: ${(e as Error).message}`);
  }
  let records: Array<{ record: Record<string, unknown>; info: { lines: number } }>;
  try {
    records = parse(text, { columns: true, cast: true, bom: true, trim: true, skip_empty_lines: true, info: true });
  } catch (e) {
    throw new UsageError(`${path}: not a valid CSV file: ${(e as Error).message}`);
  }
  if (records.length === 0) throw new UsageError(`${path}: no data rows (a header row and at least one row are needed)`);
  return { rows: records.map((r) => r.record), columns: Object.keys(records[0]!.record), lines: records.map((r) => r.info.lines) };
}

/**
 * Runs `fn` on rows taken from a file; a TabularDataError naming row i is re-thrown as a usage
 * error naming the file and its line (`lineOf(i)`).
 */
export function withFileLines<T>(path: string, lineOf: (row: number) => number, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof TabularDataError && e.row !== undefined) {
      throw new UsageError(`${path} line ${lineOf(e.row)}: ${e.message.replace(/^row \d+, /, '')}`);
    }
    throw e;
  }
}

/** One CSV field, quoted when it holds a comma, quote or line break. */
function field(v: unknown): string {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Rows as CSV text with a header. */
export function toCsv(columns: string[], rows: unknown[][]): string {
  return [columns, ...rows].map((r) => r.map(field).join(',')).join('\n') + '\n';
}
