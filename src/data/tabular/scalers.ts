/**
 * Feature scalers, after scikit-learn's: fitted on the training data only, then applied to any
 * data; inverse for regression targets. Both hold per-column statistics and serialise to JSON,
 * so they travel with a model file.
 */
import { ValueError } from '../../errors.js';
import { describe } from '../../check-values.js';

/** Per-column affine map x → (x − shift) / scale, the shape of both scalers. */
abstract class AffineScaler {
  protected shift: number[] = [];
  protected scale: number[] = [];

  /** The scaler's name in files. */
  abstract readonly kind: 'standard' | 'minmax';

  /** Columns seen by fit (0 before). */
  get columns(): number {
    return this.shift.length;
  }

  /** Learns the statistics of each column of `rows` (row-major, `columns` wide); returns this. */
  fit(data: ArrayLike<number>, columns: number): this {
    checkMatrix(`${this.kind === 'standard' ? 'StandardScaler' : 'MinMaxScaler'}.fit`, data, columns);
    const n = data.length / columns;
    if (n < 1) throw new ValueError(`${this.kind} scaler: fit needs at least one row`);
    const shift: number[] = [], scale: number[] = [];
    for (let c = 0; c < columns; c++) {
      const [s, k] = this.statistics(data, columns, c, n);
      shift.push(s);
      scale.push(k > 0 && Number.isFinite(k) ? k : 1); // a constant column is shifted, not divided by 0
    }
    this.shift = shift;
    this.scale = scale;
    return this;
  }

  protected abstract statistics(data: ArrayLike<number>, columns: number, c: number, n: number): [number, number];

  /** (x − shift) / scale, column by column, into a new Float32Array. */
  transform(data: ArrayLike<number>): Float32Array {
    this.checkFitted('transform', data);
    const out = new Float32Array(data.length), w = this.columns;
    for (let i = 0; i < data.length; i++) out[i] = (data[i]! - this.shift[i % w]!) / this.scale[i % w]!;
    return out;
  }

  /** x·scale + shift: back to the original units. */
  inverseTransform(data: ArrayLike<number>): Float64Array {
    this.checkFitted('inverseTransform', data);
    const out = new Float64Array(data.length), w = this.columns;
    for (let i = 0; i < data.length; i++) out[i] = data[i]! * this.scale[i % w]! + this.shift[i % w]!;
    return out;
  }

  private checkFitted(what: string, data: ArrayLike<number>): void {
    if (this.columns === 0) throw new ValueError(`${this.kind} scaler: ${what} before fit`);
    checkMatrix(`${this.kind} scaler.${what}`, data, this.columns);
  }

  /** The statistics as JSON: { kind, shift, scale }. */
  toJSON(): { kind: string; shift: number[]; scale: number[] } {
    return { kind: this.kind, shift: [...this.shift], scale: [...this.scale] };
  }

  /** @internal */
  _set(shift: number[], scale: number[]): this {
    this.shift = shift;
    this.scale = scale;
    return this;
  }
}

function checkMatrix(where: string, data: ArrayLike<number>, columns: number): void {
  if (!Number.isInteger(columns) || columns < 1) throw new ValueError(`${where}: columns must be a positive integer, got ${describe(columns)}`);
  if (!data || typeof data.length !== 'number' || data.length % columns !== 0) {
    throw new ValueError(`${where}: expected a row-major array whose length is a multiple of ${columns}, got length ${data?.length}`);
  }
  for (let i = 0; i < data.length; i++) {
    if (typeof data[i] !== 'number' || !Number.isFinite(data[i])) throw new ValueError(`${where}: value ${i} (row ${Math.floor(i / columns)}, column ${i % columns}) is ${data[i]}`);
  }
}

/** Centres each column on its mean and divides by its (population) standard deviation. */
export class StandardScaler extends AffineScaler {
  readonly kind = 'standard';

  /** Rebuilds a fitted scaler from toJSON() output (checked: it may come from a file). */
  static fromJSON(json: unknown): StandardScaler {
    return fromJSONOf('standard', json) as StandardScaler;
  }

  protected statistics(data: ArrayLike<number>, columns: number, c: number, n: number): [number, number] {
    let mean = 0;
    for (let r = 0; r < n; r++) mean += data[r * columns + c]!;
    mean /= n;
    let v = 0;
    for (let r = 0; r < n; r++) v += (data[r * columns + c]! - mean) ** 2;
    return [mean, Math.sqrt(v / n)];
  }
}

/** Maps each column's training range onto [0, 1]. */
export class MinMaxScaler extends AffineScaler {
  readonly kind = 'minmax';

  /** Rebuilds a fitted scaler from toJSON() output (checked: it may come from a file). */
  static fromJSON(json: unknown): MinMaxScaler {
    return fromJSONOf('minmax', json) as MinMaxScaler;
  }

  protected statistics(data: ArrayLike<number>, columns: number, c: number, n: number): [number, number] {
    let lo = Infinity, hi = -Infinity;
    for (let r = 0; r < n; r++) {
      const v = data[r * columns + c]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    return [lo, hi - lo];
  }
}

/** A fitted scaler. */
export type Scaler = StandardScaler | MinMaxScaler;

/** Rebuilds a scaler from toJSON() output (checked: it comes from a file). */
export function scalerFromJSON(json: unknown, columns: number): Scaler {
  const j = json as { kind?: unknown; shift?: unknown; scale?: unknown };
  const scaler = j?.kind === 'standard' ? new StandardScaler() : j?.kind === 'minmax' ? new MinMaxScaler() : null;
  if (!scaler) throw new ValueError(`scaler: kind must be 'standard' or 'minmax', got ${describe(j?.kind)}`);
  const ok = (a: unknown): a is number[] => Array.isArray(a) && a.length === columns && a.every((v) => typeof v === 'number' && Number.isFinite(v));
  if (!ok(j.shift) || !ok(j.scale) || !j.scale.every((v) => v > 0)) {
    throw new ValueError(`scaler: shift and scale must be ${columns} finite numbers (scale > 0)`);
  }
  return scaler._set([...j.shift], [...j.scale]);
}

function fromJSONOf(kind: 'standard' | 'minmax', json: unknown): Scaler {
  const j = json as { kind?: unknown; shift?: unknown };
  if (j?.kind !== kind) throw new ValueError(`scaler: expected kind '${kind}', got ${describe(j?.kind)}`);
  const columns = Array.isArray(j.shift) ? j.shift.length : 0;
  if (columns < 1 || columns > 1_000_000) throw new ValueError('scaler: shift must hold 1 to 1000000 numbers');
  return scalerFromJSON(json, columns);
}
