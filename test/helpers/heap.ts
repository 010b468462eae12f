// Test helpers for the kernel suites: place arrays in WASM memory, run a kernel from both kernel
// sets (WASM and the TypeScript reference) and read results back.
import { runtime } from '../../src/backend/runtime.js';
import type { Block } from '../../src/backend/memory.js';
import type { Kernels } from '../../src/backend/kernels.js';
import { Generator } from '../../src/random.js';

/** The two kernel sets over the same memory. */
export function kernelSets(): { wasm: Kernels; reference: Kernels } {
  const rt = runtime();
  if (!rt.wasm) throw new Error('this engine cannot run the WASM module');
  return { wasm: rt.wasm, reference: rt.reference };
}

/** Arrays placed in WASM memory for one test; free() returns them. */
export class Heap {
  private blocks: Block[] = [];

  /** Copies float32 values into fresh memory; returns the pointer. */
  f32(values: ArrayLike<number>): number {
    const block = runtime().allocator.alloc(Math.max(values.length, 1) * 4);
    this.blocks.push(block);
    runtime().allocator.f32().set(values, block.ptr >>> 2);
    return block.ptr;
  }

  /** Copies int32 values into fresh memory; returns the pointer. */
  i32(values: ArrayLike<number>): number {
    const block = runtime().allocator.alloc(Math.max(values.length, 1) * 4);
    this.blocks.push(block);
    runtime().allocator.i32().set(values, block.ptr >>> 2);
    return block.ptr;
  }

  /** Fresh zeroed float32 memory for n values. */
  zeros(n: number): number {
    return this.f32(new Float32Array(n));
  }

  /** A copy of n float32 values at ptr. */
  read(ptr: number, n: number): Float32Array {
    return runtime().allocator.f32().slice(ptr >>> 2, (ptr >>> 2) + n);
  }

  /** A copy of n int32 values at ptr. */
  readI32(ptr: number, n: number): Int32Array {
    return runtime().allocator.i32().slice(ptr >>> 2, (ptr >>> 2) + n);
  }

  free(): void {
    for (const b of this.blocks) runtime().allocator.free(b);
    this.blocks = [];
  }
}

/** n seeded uniform values in [low, high), rounded to float32. */
export function randomArray(n: number, seed: number, low = -1, high = 1): Float32Array {
  const g = new Generator(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = g.uniform(low, high);
  return out;
}

/** The sizes every elementwise kernel is tested at: they exercise every tail length. */
export const SIZES = [1, 3, 4, 5, 17, 64, 1023];

/**
 * Asserts |actual - expected| ≤ atol + rtol·|expected| elementwise (NaN must match NaN,
 * ±Infinity must match exactly); the message names the first failing index.
 */
export function expectClose(
  actual: ArrayLike<number>, expected: ArrayLike<number>, tol: { rtol: number; atol?: number }, label = '',
): void {
  if (actual.length !== expected.length) throw new Error(`${label}: length ${actual.length} ≠ ${expected.length}`);
  const atol = tol.atol ?? 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!, e = expected[i]!;
    if (Number.isNaN(e) ? Number.isNaN(a) : !Number.isFinite(e) ? a === e : Math.abs(a - e) <= atol + tol.rtol * Math.abs(e)) continue;
    throw new Error(`${label}: element ${i}: got ${a}, expected ${e} (rtol ${tol.rtol}, atol ${atol}, diff ${Math.abs(a - e)})`);
  }
}
