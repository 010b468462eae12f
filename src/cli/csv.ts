// CSV in and out for the command. Reading uses csv-parse (RFC 4180: quotes, embedded commas and
// newlines, a byte-order mark); numbers become numbers, empty cells stay '' (missing values).
import { readFileSync, statSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { TabularDataError } from '../index.js';
import { UsageError } from './options.js';

/** Rows of a CSV file as objects, and the file line of each row (for messages). */
export interface CsvTable {
  rows: Array<Record<string, unknown>>;
  columns: string[];
  lines: number[];
}

/** The largest CSV read (a JavaScript string holds at most about 2^29 characters). */
export const MAX_CSV_BYTES = 512 * 1024 * 1024;

/**
 * The header's column names, checked: a name given twice would make one column silently replace
 * the other, and '__proto__' would vanish from every row object.
 */
function checkHeader(path: string, header: unknown[]): string[] {
  const names = header.map((h) => String(h));
  const seen = new Set<string>();
  for (const name of names) {
    if (name === '__proto__') throw new UsageError(`${path}: a column cannot be named '__proto__'; rename it`);
    if (seen.has(name)) throw new UsageError(`${path}: the header names column '${name.slice(0, 80)}' twice; rename one of them`);
    seen.add(name);
  }
  return names;
}

/**
 * The bytes of a regular file of at most `maxBytes`: a device or a pipe (/dev/zero, /dev/stdin)
 * would be read forever, and a file larger than memory would end the process; both are usage errors.
 */
export function readRegularFile(path: string, maxBytes: number): Buffer {
  try {
    const stat = statSync(path);
    if (!stat.isFile()) throw new UsageError(`${path}: not a regular file`);
    if (stat.size > maxBytes) throw new UsageError(`${path}: ${stat.size} bytes; the most this command reads is ${maxBytes} bytes`);
    return readFileSync(path);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`cannot read ${path}: ${(e as Error).message}`);
  }
}

/** Reads a CSV file with a header row. */
export function readCsv(path: string): CsvTable {
  const text = readRegularFile(path, MAX_CSV_BYTES).toString('utf8');
  let records: Array<{ record: Record<string, unknown>; info: { lines: number } }>;
  try {
    records = parse(text, { columns: (header: unknown[]) => checkHeader(path, header), cast: true, bom: true, trim: true, skip_empty_lines: true, info: true });
  } catch (e) {
    if (e instanceof UsageError) throw e;
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
