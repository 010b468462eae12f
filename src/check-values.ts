// The checks of plain values (numbers, booleans, option objects, choices) and `describe`, which
// every message uses: no Tensor here, so that backend/ (runtime.ts, threads.ts) can use them
// without importing tensor.ts from below it. validate.ts re-exports them with the tensor checks.
import { ValueError, formatShape } from './errors.js';

/** Constraints for checkNumber. */
export interface NumberRule {
  min?: number;
  max?: number;
  /** Exclude the bound itself. */
  minExclusive?: boolean;
  maxExclusive?: boolean;
  integer?: boolean;
}

/** The largest finite float32: numbers beyond it become ±Infinity in WASM memory. */
export const FLOAT32_MAX = 3.4028234663852886e38;

/** A short description of any value for messages: `null`, `'2'` (a string), `an object`, `1e+39`. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return `'${value.length > 40 ? `${value.slice(0, 40)}…` : value}' (a string)`;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'undefined') return String(value);
  if (typeof value === 'bigint') return `${value}n (a bigint)`;
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return 'a symbol';
  // A Tensor (of this copy or another): its shape says more than "an object".
  if ('_check' in (value as object)) {
    const shape = (value as { shape?: unknown }).shape;
    if (Array.isArray(shape)) return `a Tensor ${formatShape(shape)}`;
  }
  const typeName = (value as { typeName?: unknown }).typeName;
  return typeof typeName === 'string' ? `a ${typeName}` : 'an object';
}

/**
 * Throws ValueError naming `where` and `name` unless value is a finite number within the rule.
 * Every number must also fit float32 (|x| ≤ 3.4e38): hyper-parameters reach the kernels as
 * float32, where 1e39 silently becomes Infinity.
 */
export function checkNumber(where: string, name: string, value: unknown, rule: NumberRule = {}): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ValueError(`${where}: ${name} must be a finite number, got ${describe(value)}`);
  }
  if (Math.abs(value) > FLOAT32_MAX) {
    throw new ValueError(`${where}: ${name} must lie within the float32 range (|x| ≤ 3.4e38), got ${value}`);
  }
  if (rule.integer && !Number.isSafeInteger(value)) {
    // 2^53 is an integer: say why it is refused (the message read as a contradiction).
    const unsafe = Number.isInteger(value) ? ' (beyond ±(2^53 − 1), where a number no longer holds every integer)' : '';
    throw new ValueError(`${where}: ${name} must be an integer, got ${value}${unsafe}`);
  }
  const { min, max } = rule;
  if (min !== undefined && (rule.minExclusive ? value <= min : value < min)) {
    throw new ValueError(`${where}: ${name} must be ${rule.minExclusive ? '>' : '≥'} ${min}, got ${value}`);
  }
  if (max !== undefined && (rule.maxExclusive ? value >= max : value > max)) {
    throw new ValueError(`${where}: ${name} must be ${rule.maxExclusive ? '<' : '≤'} ${max}, got ${value}`);
  }
  // The kernels see Math.fround(value): 0.999999999 becomes 1 and 1e-46 becomes 0 there.
  const f = Math.fround(value);
  if ((min !== undefined && (rule.minExclusive ? f <= min : f < min)) || (max !== undefined && (rule.maxExclusive ? f >= max : f > max))) {
    throw new ValueError(`${where}: ${name} = ${value} rounds to ${f} in float32, outside the allowed range`);
  }
  return value;
}

/** Throws ValueError unless value is a boolean. */
export function checkBoolean(where: string, name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new ValueError(`${where}: ${name} must be true or false, got ${describe(value)}`);
  return value;
}

/**
 * Throws ValueError when `options` has a key not in `allowed` (catches typos; torch's snake_case
 * `weight_decay` is told its spelling here, `weightDecay`), or a key set to null: only a missing
 * key (or undefined) means "the default". `notOffered` maps torch options this call does not
 * offer (camelCase) to the reason, which the message gives (either spelling); given as
 * `{ reason, torchDefault }`, the option set to torch's default is accepted (it is what wasmnn
 * does: `paddingMode: 'zeros'`), any other value refused with the reason.
 */
export function checkOptions(where: string, options: object | undefined, allowed: readonly string[],
  notOffered: Readonly<Record<string, string | { reason: string; torchDefault: unknown }>> = {}): void {
  if (options === undefined) return;
  if (options === null || typeof options !== 'object') {
    throw new ValueError(`${where}: options must be an object, got ${describe(options)}`);
  }
  // An array, or a Tensor (fit(model, x, y) instead of fit(model, { x, y })): its keys are not options.
  if (Array.isArray(options) || '_check' in options) throw new ValueError(`${where}: options must be an object, got ${describe(options)}`);
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) {
      // torch's keyword arguments: one not offered says so and why; a snake_case spelling of an
      // option that exists names the camelCase one.
      const camel = key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
      if (Object.hasOwn(notOffered, camel)) {
        const entry = notOffered[camel]!, value = (options as Record<string, unknown>)[key];
        if (typeof entry === 'object' && value === entry.torchDefault) continue;
        const torchName = camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
        if (typeof entry === 'string') throw new ValueError(`${where}: option '${key}' (torch's ${torchName}) is not offered: ${entry}`);
        const shown = (v: unknown): string => (typeof v === 'string' ? `'${v}'` : describe(v));
        throw new ValueError(`${where}: option '${key}' (torch's ${torchName}) is not offered beyond torch's default ${shown(entry.torchDefault)}, ` +
          `got ${shown(value)}: ${entry.reason}`);
      }
      if (camel !== key && allowed.includes(camel)) {
        throw new ValueError(`${where}: unknown option '${key}'; torch's ${key} is spelt '${camel}' here (allowed: ${allowed.join(', ')})`);
      }
      throw new ValueError(`${where}: unknown option '${key}'; allowed: ${allowed.join(', ')}`);
    }
    if ((options as Record<string, unknown>)[key] === null) {
      throw new ValueError(`${where}: option '${key}' is null; leave it out (or pass undefined) for the default`);
    }
  }
}

/** Throws ValueError unless value is one of `choices`. */
export function checkChoice<T extends string>(where: string, name: string, value: unknown, choices: readonly T[]): T {
  if (!choices.includes(value as T)) {
    throw new ValueError(`${where}: ${name} must be one of ${choices.map((c) => `'${c}'`).join(', ')}, got ${describe(value)}`);
  }
  return value as T;
}
