/**
 * Class labels ↔ class indices, after scikit-learn's LabelEncoder: the classes are the distinct
 * labels seen at fit time, sorted; a label not seen then is refused.
 */
import { ValueError } from '../../errors.js';
import { describe } from '../../validate.js';
import { cell } from './columns.js';
import { TabularDataError, isMissing } from './missing.js';

/** A class label: what a target column holds. */
export type Label = string | number | boolean;

const key = (v: Label): string => `${typeof v}:${String(v)}`;

/** Maps labels to indices 0…k−1 and back. */
export class LabelEncoder {
  private labels: Label[] = [];
  private index = new Map<string, number>();

  /** The classes, in index order (sorted: numbers numerically, then strings). */
  get classes(): readonly Label[] {
    return this.labels;
  }

  /** Learns the classes of `values`; returns this. */
  fit(values: readonly unknown[], column = 'target'): this {
    checkList('LabelEncoder.fit', 'values', values, false);
    const seen = new Map<string, Label>();
    values.forEach((v, row) => seen.set(key(checkLabel(v, row, column)), v as Label));
    if (seen.size < 2) throw new TabularDataError(`LabelEncoder: column '${column}' has ${seen.size} class(es); classification needs at least 2`, undefined, column);
    return this._set([...seen.values()].sort(compareLabels));
  }

  /** Class indices of `values`; a missing or unseen label throws naming its row. */
  encode(values: readonly unknown[], column = 'target'): Float32Array {
    if (this.labels.length === 0) throw new ValueError('LabelEncoder.encode: called before fit');
    checkList('LabelEncoder.encode', 'values', values, false);
    return Float32Array.from(values, (v, row) => {
      const i = this.index.get(key(checkLabel(v, row, column)));
      if (i === undefined) {
        throw new TabularDataError(`row ${row}, column '${column}': class ${cell(v)} was not seen at fit time (known: ${this.labels.map((l) => JSON.stringify(l)).join(', ')})`, row, column);
      }
      return i;
    });
  }

  /** The labels of class indices. */
  decode(indices: ArrayLike<number>): Label[] {
    checkList('LabelEncoder.decode', 'indices', indices, true);
    return Array.from(indices, (i, n) => {
      const label = Number.isInteger(i) ? this.labels[i] : undefined;
      if (label === undefined) throw new ValueError(`LabelEncoder.decode: index ${n} is ${describe(i)}, expected an integer in [0, ${this.labels.length})`);
      return label;
    });
  }

  /** A plain object for JSON (fromJSON reads it back). */
  toJSON(): { classes: Label[] } {
    return { classes: [...this.labels] };
  }

  /** Rebuilds an encoder from toJSON() output (checked: it comes from a file). */
  static fromJSON(json: unknown): LabelEncoder {
    const classes = (json as { classes?: unknown })?.classes;
    if (!Array.isArray(classes) || classes.length < 2 || classes.length > 100_000 ||
      !classes.every((c) => typeof c === 'boolean' || typeof c === 'string' || (typeof c === 'number' && Number.isFinite(c)))) {
      throw new ValueError('LabelEncoder: classes must be 2 to 100000 strings, finite numbers or booleans');
    }
    if (new Set(classes.map((c: Label) => key(c))).size !== classes.length) throw new ValueError('LabelEncoder: classes must be distinct');
    return new LabelEncoder()._set(classes as Label[]);
  }

  private _set(labels: Label[]): this {
    this.labels = labels;
    this.index = new Map(labels.map((l, i) => [key(l), i]));
    return this;
  }
}

/** Throws ValueError unless `values` is an array (or, with `typed`, a typed array): a string or a number would be read as characters or as nothing. */
function checkList(where: string, name: string, values: unknown, typed: boolean): void {
  if (Array.isArray(values) || (typed && ArrayBuffer.isView(values) && !(values instanceof DataView))) return;
  throw new ValueError(`${where}: ${name} must be an array${typed ? ' or a typed array' : ''}, got ${describe(values)}`);
}

function checkLabel(v: unknown, row: number, column: string): Label {
  if (isMissing(v)) throw new TabularDataError(`row ${row}, column '${column}': missing target (${v === '' ? "''" : cell(v)}); drop the row first`, row, column);
  if (typeof v !== 'string' && typeof v !== 'boolean' && (typeof v !== 'number' || !Number.isFinite(v))) {
    throw new TabularDataError(`row ${row}, column '${column}': a class label must be a string, number or boolean, got ${describe(v)}`, row, column);
  }
  return v;
}

function compareLabels(a: Label, b: Label): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a !== typeof b) return typeof a < typeof b ? -1 : 1;
  const sa = String(a), sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}
