import { StateError, ValueError } from '../errors.js';
import { Allocator, type MemoryStats } from './memory.js';
import type { Kernels } from './kernels.js';
import { createReferenceKernels } from './reference.js';
import { compileAsync, instantiateSync, wasmSupported } from './wasm.js';

/** Which implementation of the kernels runs. */
export type BackendName = 'wasm' | 'reference';

interface Runtime {
  allocator: Allocator;
  wasm: Kernels | null;
  reference: Kernels;
  active: Kernels;
  name: BackendName;
}

let current: Runtime | null = null;

function create(): Runtime {
  if (wasmSupported()) {
    const module = instantiateSync();
    const allocator = new Allocator(module.memory, module.heapBase);
    const reference = createReferenceKernels(allocator);
    return { allocator, wasm: module.kernels, reference, active: module.kernels, name: 'wasm' };
  }
  // No WASM SIMD here: the same memory model, computed by the TypeScript kernels.
  const allocator = new Allocator(new WebAssembly.Memory({ initial: 16 }), 16);
  const reference = createReferenceKernels(allocator);
  return { allocator, wasm: null, reference, active: reference, name: 'reference' };
}

/** @internal The process-wide runtime, created on first use (synchronously). */
export function runtime(): Runtime {
  current ??= create();
  return current;
}

/** @internal The active kernel set. */
export function kernels(): Kernels {
  return runtime().active;
}

/**
 * Optional: compiles the WASM module asynchronously (off the main thread in browsers) before
 * first use. Everything also works without calling it; the first tensor then compiles
 * synchronously, which takes a few milliseconds for this module.
 */
export async function init(): Promise<void> {
  if (wasmSupported()) await compileAsync();
  runtime();
}

/**
 * Chooses the kernels: 'wasm' (default, SIMD) or 'reference' (plain TypeScript, the pure-JS
 * baseline used by tests and benchmarks). Both work on the same memory, so existing tensors and
 * models stay valid across a switch.
 */
export function setBackend(name: BackendName): void {
  const rt = runtime();
  if (name === 'wasm') {
    if (!rt.wasm) throw new StateError("setBackend('wasm'): this engine cannot run WebAssembly SIMD");
    rt.active = rt.wasm;
  } else if (name === 'reference') {
    rt.active = rt.reference;
  } else {
    throw new ValueError(`setBackend: name must be 'wasm' or 'reference', got ${typeof name === 'string' ? `'${name}'` : String(name)}`);
  }
  rt.name = name;
}

/** The name of the active kernels. */
export function getBackend(): BackendName {
  return runtime().name;
}

/**
 * The allocator's figures: bytes and blocks in use, peak, memory size, growth count, and bytes and
 * blocks per kind of owner (`byKind`: parameters, module workspaces, optimizer state, losses, data
 * loaders, tensors, internal scratch).
 */
export function memoryStats(): MemoryStats {
  return runtime().allocator.stats();
}
