// The Kernels interface against what implements it: every kernel exists in the WASM module's
// exports and in the reference kernels, as a function with the interface's number of arguments
// (the table in kernel-table.ts is type-checked against the interface itself).
import { describe, expect, it } from 'vitest';
import { KERNEL_ARITY, kernelMismatches } from '../../src/backend/kernel-table.js';
import { createReferenceKernels } from '../../src/backend/reference.js';
import { wasmBytes } from '../../src/backend/wasm.js';

const instance = new WebAssembly.Instance(new WebAssembly.Module(wasmBytes()), {});
const exports = instance.exports as Record<string, unknown>;
const names = Object.keys(KERNEL_ARITY);

describe('kernel interface', () => {
  it('every kernel of the interface is a WASM export with the same arity', () => {
    for (const name of names) {
      expect(typeof exports[name], name).toBe('function');
      expect((exports[name] as (...a: number[]) => unknown).length, name).toBe(KERNEL_ARITY[name as keyof typeof KERNEL_ARITY]);
    }
    expect(kernelMismatches(exports)).toEqual([]);
  });

  it('every function the WASM module exports is in the interface (besides heapBase)', () => {
    const functions = Object.keys(exports).filter((k) => typeof exports[k] === 'function' && k !== 'heapBase');
    expect(functions.filter((k) => !names.includes(k))).toEqual([]);
    expect(functions.length).toBe(names.length);
  });

  it('the reference kernels implement the same interface with the same arities', () => {
    const reference = createReferenceKernels({ f32: () => new Float32Array(0), i32: () => new Int32Array(0) });
    expect(kernelMismatches(reference)).toEqual([]);
    expect(Object.keys(reference).sort()).toEqual([...names].sort());
  });

  it('the check finds a missing kernel and a wrong arity', () => {
    const broken: Record<string, unknown> = { ...exports };
    delete broken.adamStep;
    broken.gemm = (a: number): number => a;
    expect(kernelMismatches(broken)).toEqual(['gemm takes 1 arguments, the interface 11', 'adamStep is missing']);
  });
});
