// CSV in and out for the command. Reading uses csv-parse (RFC 4180: quotes, embedded commas and
// newlines, a byte-order mark); numbers become numbers, empty cells stay '' (missing values).
import { readFileSync, statSync } from 'node:fs';
import { getHeapStatistics } from 'node:v8';
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
  // A file of another separator reads as one column whose name holds them all.
  const separator = names.length === 1 ? [';', '\t', '|'].find((c) => names[0]!.includes(c)) : undefined;
  if (separator !== undefined) {
    throw new UsageError(`${path}: the header is one column, '${names[0]!.slice(0, 80)}', which holds '${separator === '\t' ? '\\t' : separator}': ` +
      `the command reads comma-separated files (convert the file, e.g. with '${separator === '\t' ? '\\t' : separator}' replaced by ',')`);
  }
  const seen = new Set<string>();
  for (const [i, name] of names.entries()) {
    // An empty name (a trailing comma, a blank header cell) cannot be named by --target, --exclude, …
    if (name === '') throw new UsageError(`${path}: column ${i + 1} of the header has no name${i === names.length - 1 ? ' (a trailing comma?)' : ''}; name it or remove the column`);
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

/**
 * JavaScript memory per cell while the rows are read and encoded (the row objects and their parse
 * information, about 70 bytes, measured; the encoded float64 matrices and their copies).
 */
export const BYTES_PER_CELL = 100;

/**
 * Refuses a file whose cells (lines × header columns, counted before parsing) would not fit the
 * JavaScript heap: node ends such a run with "FATAL ERROR: … JavaScript heap out of memory" and
 * its native stack, after minutes of parsing.
 */
function checkCellCount(path: string, bytes: Buffer): void {
  let lines = 0, firstLineEnd = -1;
  for (let i = bytes.indexOf(10); i !== -1; i = bytes.indexOf(10, i + 1)) {
    if (firstLineEnd < 0) firstLineEnd = i;
    lines++;
  }
  if (bytes.length > 0 && bytes[bytes.length - 1] !== 10) lines++;
  const header = bytes.subarray(0, firstLineEnd < 0 ? bytes.length : firstLineEnd);
  let columns = 1;
  for (let i = header.indexOf(44); i !== -1; i = header.indexOf(44, i + 1)) columns++;
  const cells = Math.max(0, lines - 1) * columns;
  const heap = getHeapStatistics().heap_size_limit;
  const budget = 0.75 * heap - 2 * bytes.length; // the file's text is held beside the rows
  if (cells * BYTES_PER_CELL <= budget) return;
  const gb = (b: number): string => `${(b / 2 ** 30).toFixed(1)} GB`;
  throw new UsageError(`${path}: about ${lines - 1} rows × ${columns} columns; reading them takes about ${gb(cells * BYTES_PER_CELL + 2 * bytes.length)} ` +
    `of JavaScript memory, more than this process has (${gb(heap)}); use fewer rows, or give node more (NODE_OPTIONS=--max-old-space-size=MEGABYTES)`);
}

/** Reads a CSV file with a header row. */
export function readCsv(path: string): CsvTable {
  const bytes = readRegularFile(path, MAX_CSV_BYTES);
  checkCellCount(path, bytes);
  const text = bytes.toString('utf8');
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
 * The library's advice (options of TabularPreprocessor) as the command's: flags of `train --data`
 * when training, what the saved model does when predicting ('pass impute' sent a user of
 * `wasmnn predict` looking for an option no command has).
 */
const ADVICE: Record<'train' | 'model', Array<[RegExp, string]>> = {
  train: [
    [/pass impute \(mean, median, mostFrequent or \{ constant \}\) or drop the row/, 'fill the cell, or pass --impute mean|median|mostFrequent'],
    [/pass unknownCategory: 'ignore' to encode it as all zeros/, 'pass --unknown-category ignore to encode it as all zeros'],
    [/use task: 'classification' for labels/, 'pass --task classification for labels'],
    [/\(declare the column categorical if it is\)/, '(pass --categorical if the column holds categories)'],
  ],
  model: [
    [/pass impute \(mean, median, mostFrequent or \{ constant \}\) or drop the row/, 'the model was trained without --impute, so this column needs a value in every row; fill the cell or drop the row'],
    [/; pass unknownCategory: 'ignore' to encode it as all zeros/, '; the model was trained with --unknown-category error (a model trained with --unknown-category ignore reads it as all zeros)'],
    [/; use task: 'classification' for labels/, '; the model predicts numbers (a regression)'],
  ],
};

/**
 * Runs `fn` on rows taken from a file; a TabularDataError naming row i is re-thrown as a usage
 * error naming the file and its line (`lineOf(i)`), with the advice of `advice` (train: flags of
 * `train --data`; model: what the saved model does).
 */
export function withFileLines<T>(path: string, lineOf: (row: number) => number, fn: () => T, advice: 'train' | 'model' = 'train'): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof TabularDataError && e.row !== undefined) {
      const message = ADVICE[advice].reduce((m, [from, to]) => m.replace(from, to), e.message.replace(/^row \d+, /, ''));
      throw new UsageError(`${path} line ${lineOf(e.row)}: ${message}`);
    }
    throw e;
  }
}

/**
 * Column names for a message: the first 20 (each cut at 80 characters) and how many more — a
 * header of 200 000 columns made a message of 1.7 MB.
 */
export function columnList(names: readonly string[]): string {
  const shown = names.slice(0, 20).map((n) => (n.length > 80 ? `${n.slice(0, 80)}…` : n)).join(', ');
  return names.length > 20 ? `${shown}, … (${names.length} columns)` : shown;
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
