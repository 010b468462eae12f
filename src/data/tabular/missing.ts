/**
 * Missing values in tabular data, and how they are filled when the caller asks: null, undefined,
 * '' and NaN are missing; without an imputation strategy they are refused, naming row and column.
 */
import { ValueError } from '../../errors.js';
import { describe } from '../../check-values.js';

/** A value is missing when it is null, undefined, '' (or only spaces) or NaN. */
export function isMissing(value: unknown): boolean {
  return value === null || value === undefined || (typeof value === 'number' && Number.isNaN(value)) ||
    (typeof value === 'string' && value.trim() === '');
}

/**
 * Bad tabular data: a missing or malformed value, a ragged row, an unknown column or category.
 * `row` (0-based index into the rows given) and `column` say where, when it is one cell.
 */
export class TabularDataError extends ValueError {
  static override readonly errorName: string = 'TabularDataError';
  constructor(
    message: string,
    /** The row (0-based, in the data given) holding the bad value, when known. */ readonly row?: number,
    /** The column holding the bad value, when known. */ readonly column?: string,
  ) {
    super(message);
  }
}

/** How to fill missing values: the column's mean or median (numeric columns), its most frequent value, or a constant. */
export type ImputeStrategy = 'mean' | 'median' | 'mostFrequent' | { constant: number | string };

const STRATEGIES = ['mean', 'median', 'mostFrequent'];

/** Checks a strategy given by the caller (or read from a file). */
export function checkStrategy(where: string, strategy: unknown): ImputeStrategy {
  if (typeof strategy === 'string' && STRATEGIES.includes(strategy)) return strategy as ImputeStrategy;
  if (strategy && typeof strategy === 'object' && !Array.isArray(strategy) && Object.keys(strategy).length === 1 && 'constant' in strategy) {
    const c = (strategy as { constant: unknown }).constant;
    if ((typeof c === 'number' && Number.isFinite(c)) || (typeof c === 'string' && c.trim() !== '')) return { constant: c };
  }
  throw new ValueError(`${where}: impute must be 'mean', 'median', 'mostFrequent' or { constant: value } (a finite number or a non-empty string), got ${describe(strategy)}`);
}

/** The fill value of a numeric column under `strategy`, from its present values (at least one). */
export function numericFill(values: number[], strategy: ImputeStrategy, column: string): number {
  if (typeof strategy === 'object') {
    if (typeof strategy.constant !== 'number') throw new ValueError(`impute: column '${column}' is numeric, the constant ${describe(strategy.constant)} is not a number`);
    return strategy.constant;
  }
  if (values.length === 0) throw new TabularDataError(`impute: column '${column}' has no values to compute a ${strategy} from`, undefined, column);
  if (strategy === 'mean') return values.reduce((a, b) => a + b, 0) / values.length;
  if (strategy === 'median') {
    const s = [...values].sort((a, b) => a - b), m = s.length >> 1;
    return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
  }
  return Number(mostFrequent(values.map(String)));
}

/** The fill value of a categorical column: its most frequent category (ties: the first in sorted order) or the constant. */
export function categoricalFill(values: string[], strategy: ImputeStrategy, column: string): string {
  if (typeof strategy === 'object') return String(strategy.constant);
  if (strategy !== 'mostFrequent') throw new ValueError(`impute: column '${column}' is categorical; use 'mostFrequent' or { constant }, not '${strategy}'`);
  if (values.length === 0) throw new TabularDataError(`impute: column '${column}' has no values to find the most frequent of`, undefined, column);
  return mostFrequent(values);
}

function mostFrequent(values: string[]): string {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best = '', bestCount = -1;
  for (const [v, c] of [...counts].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
    if (c > bestCount) {
      best = v;
      bestCount = c;
    }
  }
  return best;
}
