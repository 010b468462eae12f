// Shared checks of the fuzz suites (fast-check through the public constructors): a call either
// works or throws a WasmnnError with a message; never a WASM trap, a TypeError or garbage.
import { expect } from 'vitest';
import { Tensor, WasmnnError, type Module } from '../../src/index.js';

/** Runs `fn`; anything it throws must be a WasmnnError whose message is not a trap's. */
export function cleanly(fn: () => void): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof WasmnnError)) throw new Error(`expected a WasmnnError, got ${(e as Error)?.name}: ${(e as Error)?.message}`);
    expect(e.message).not.toMatch(/unreachable|out of bounds|RuntimeError/);
  }
}

/** Runs forward and backward on a deterministic input of `shape`; checks shapes and finiteness when they succeed; disposes `m`. */
export function exercise(m: Module, shape: number[]): void {
  const n = shape.reduce((a, b) => a * b, 1);
  const x = Tensor.from(Array.from({ length: n }, (_, i) => Math.sin(i * 1.7)), shape);
  cleanly(() => {
    const y = m.forward(x);
    expect(y.toFloat32Array().every(Number.isFinite)).toBe(true);
    const dx = m.backward(Tensor.full(y.shape, 0.5));
    expect(dx.shape).toEqual(x.shape);
    expect(dx.toFloat32Array().every(Number.isFinite)).toBe(true);
  });
  x.dispose();
  m.dispose();
}
