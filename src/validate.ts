import { ShapeError, ValueError, formatShape } from './errors.js';
import type { Tensor } from './tensor.js';

/** Constraints for checkNumber. */
export interface NumberRule {
  min?: number;
  max?: number;
  /** Exclude the bound itself. */
  minExclusive?: boolean;
  maxExclusive?: boolean;
  integer?: boolean;
}

/** Throws ValueError naming `where` and `name` unless value is a finite number within the rule. */
export function checkNumber(where: string, name: string, value: unknown, rule: NumberRule = {}): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ValueError(`${where}: ${name} must be a finite number, got ${String(value)}`);
  }
  if (rule.integer && !Number.isInteger(value)) {
    throw new ValueError(`${where}: ${name} must be an integer, got ${value}`);
  }
  const { min, max } = rule;
  if (min !== undefined && (rule.minExclusive ? value <= min : value < min)) {
    throw new ValueError(`${where}: ${name} must be ${rule.minExclusive ? '>' : '≥'} ${min}, got ${value}`);
  }
  if (max !== undefined && (rule.maxExclusive ? value >= max : value > max)) {
    throw new ValueError(`${where}: ${name} must be ${rule.maxExclusive ? '<' : '≤'} ${max}, got ${value}`);
  }
  return value;
}

/** Throws ValueError unless value is a boolean. */
export function checkBoolean(where: string, name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new ValueError(`${where}: ${name} must be true or false, got ${String(value)}`);
  return value;
}

/** Throws ValueError when `options` has a key not in `allowed` (catches typos like `weight_decay`). */
export function checkOptions(where: string, options: object | undefined, allowed: readonly string[]): void {
  if (options === undefined) return;
  if (options === null || typeof options !== 'object') {
    throw new ValueError(`${where}: options must be an object, got ${options === null ? 'null' : typeof options}`);
  }
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) {
      throw new ValueError(`${where}: unknown option '${key}'; allowed: ${allowed.join(', ')}`);
    }
  }
}

/** Throws ValueError unless value is one of `choices`. */
export function checkChoice<T extends string>(where: string, name: string, value: unknown, choices: readonly T[]): T {
  if (!choices.includes(value as T)) {
    throw new ValueError(`${where}: ${name} must be one of ${choices.map((c) => `'${c}'`).join(', ')}, got ${JSON.stringify(value)}`);
  }
  return value as T;
}

/** Throws unless `t` is a usable Tensor; `what` names the argument. */
export function checkTensor(where: string, what: string, t: unknown): Tensor {
  if (!t || typeof t !== 'object' || !('_check' in t) || !('shape' in t)) {
    throw new ValueError(`${where}: ${what} must be a Tensor, got ${t === null ? 'null' : typeof t}`);
  }
  const tensor = t as Tensor;
  tensor._check(`${where}: ${what}`);
  return tensor;
}

/** Throws ShapeError unless `t` is 2-D with the given column count (any row count ≥ 1). */
export function check2d(where: string, what: string, t: Tensor, cols?: number): void {
  if (t.ndim !== 2 || t.shape[0] === 0 || (cols !== undefined && t.shape[1] !== cols)) {
    const want = cols === undefined ? '[batch, features]' : `[batch, ${cols}]`;
    throw new ShapeError(`${where}: ${what} must have shape ${want} with batch ≥ 1, got ${formatShape(t.shape)}`);
  }
}

/** Whether two shapes have the same dimensions (no allocation, unlike comparing join() strings). */
export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Throws ShapeError unless x has at least one row and y the same number of rows; returns it. */
export function checkRows(where: string, x: Tensor, y: Tensor): number {
  const n = x.shape[0] ?? 0;
  if (x.ndim < 1 || n === 0) throw new ShapeError(`${where}: x must have at least one row, got shape ${formatShape(x.shape)}`);
  if (y.shape[0] !== n) throw new ShapeError(`${where}: x has ${n} rows but y has ${y.shape[0] ?? 0}`);
  return n;
}
