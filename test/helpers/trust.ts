// Helpers shared by the trust probes (test/trust/): a rejected call's error, seeded inputs, and
// snapshots of a module's parameters and gradients (to prove a rejected call changed nothing).
import { expect, vi } from 'vitest';
import { Generator, Module, OutOfMemoryError, Tensor, WasmnnError } from '../../src/index.js';
import { Allocator } from '../../src/backend/memory.js';

/** Runs fn, which must throw a WasmnnError of class `cls` whose message matches `message`. */
export function rejects(fn: () => unknown, cls: new (...args: never[]) => Error, message: RegExp): Error {
  let caught: unknown = null;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, 'the call should have been rejected').not.toBeNull();
  expect(caught).toBeInstanceOf(WasmnnError);
  expect(caught).toBeInstanceOf(cls);
  expect((caught as Error).message).toMatch(message);
  return caught as Error;
}

/** A tensor of the given shape, uniform in [-1, 1) from a seeded generator. */
export function seededData(shape: number[], seed: number): Tensor {
  const g = new Generator(seed);
  return Tensor.from(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => g.uniform(-1, 1)), shape);
}

/** Copies of every parameter's gradient. */
export const grads = (m: Module): number[][] => m.parameters().map((p) => Array.from(p.grad.toFloat32Array()));
/** Copies of every parameter's values. */
export const values = (m: Module): number[][] => m.parameters().map((p) => Array.from(p.toFloat32Array()));

/** A module's state dict (parameters and buffers) as plain arrays, by name. */
export const state = (m: Module): Record<string, number[]> =>
  Object.fromEntries(Object.entries(m.stateDict()).map(([k, e]) => [k, Array.from(e.data)]));

/**
 * Makes the allocator's `failAt`-th allocation from now throw an OutOfMemoryError (a simulated
 * refusal); the others allocate as usual. Undo with vi.restoreAllMocks() (afterEach).
 */
export function failAllocationAt(failAt: number): void {
  const real = Allocator.prototype.alloc;
  if (vi.isMockFunction(real)) throw new Error('failAllocationAt: Allocator.prototype.alloc is already mocked; restore it first');
  let calls = 0;
  vi.spyOn(Allocator.prototype, 'alloc').mockImplementation(function (this: Allocator, ...args: Parameters<Allocator['alloc']>) {
    if (++calls === failAt) throw new OutOfMemoryError('cannot allocate (simulated)');
    return real.apply(this, args);
  });
}

/**
 * Calls every `[label, call]` with every `[what, value]` hostile argument and returns the calls
 * whose error was not a WasmnnError, or was a WASM trap wrapped in one (`label`'s `v` replaced by
 * `what`), and how many calls were made. A returned promise's rejection is ignored: its checks
 * run before it is returned.
 */
export function rawErrors(calls: ReadonlyArray<readonly [string, (v: never) => unknown]>, hostile: ReadonlyArray<readonly [string, unknown]>): { raw: string[]; total: number } {
  const raw: string[] = [];
  let total = 0;
  for (const [label, call] of calls) {
    for (const [what, value] of hostile) {
      total++;
      try {
        const r = call(value as never);
        if (r instanceof Promise) r.catch(() => {});
      } catch (e) {
        const name = label.replace(/\bv\b/, what);
        if (!(e instanceof WasmnnError)) raw.push(`${name}: ${(e as Error)?.name}: ${(e as Error)?.message}`);
        else if (/out of bounds|unreachable|RuntimeError/.test(e.message)) raw.push(`${name}: a WASM trap inside ${e.name}`);
      }
    }
  }
  return { raw, total };
}
