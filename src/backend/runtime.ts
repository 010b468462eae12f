import { StateError, ValueError } from '../errors.js';
import { Allocator, type MemoryStats } from './memory.js';
import type { Kernels } from './kernels.js';
import { createReferenceKernels } from './reference.js';
import { checkThreads, setThreads, type ThreadHost, type ThreadsInfo } from './threads.js';
import { compileAsync, createSharedMemory, instantiateShared, instantiateSync, PAGE, wasmSupported } from './wasm.js';
import { checkOptions, describe } from '../check-values.js';

/** Which implementation of the kernels runs. */
export type BackendName = 'wasm' | 'reference';

interface Runtime extends ThreadHost {
  allocator: Allocator;
  wasm: Kernels | null;
  reference: Kernels;
  active: Kernels;
  name: BackendName;
  /** The WASM module's memory, shared once threads were enabled. */
  memory: WebAssembly.Memory;
  /** The WASM instance's exports (for the pool's kernel table). */
  exports: Record<string, unknown>;
  /** The first byte the allocator manages (above the module's static data). */
  heapBase: number;
  shared: boolean;
}

let current: Runtime | null = null;

const ONE_THREAD: ThreadsInfo = { threads: 1, requested: 1, reason: null };

function create(): Runtime {
  const module = wasmSupported() ? instantiateSync() : null;
  // Without WASM SIMD: the same memory model, computed by the TypeScript kernels.
  const memory = module?.memory ?? new WebAssembly.Memory({ initial: 16 });
  const heapBase = module?.heapBase ?? 16;
  const allocator = new Allocator(memory, heapBase);
  const reference = createReferenceKernels(allocator);
  const rt: Runtime = {
    allocator, wasm: module?.kernels ?? null, reference, active: module?.kernels ?? reference,
    name: module ? 'wasm' : 'reference', memory, exports: module?.exports ?? {}, heapBase, shared: false,
    hasWasm: module !== null, pool: null, threads: ONE_THREAD, share: (compiled) => share(rt, compiled),
  };
  return rt;
}

/**
 * Moves the runtime onto the threads build: a shared memory holding a copy of every byte (so
 * existing tensors and models stay valid) and an instance of the same kernels importing it.
 */
function share(rt: Runtime, module: WebAssembly.Module): { memory: WebAssembly.Memory; exports: Record<string, unknown> } {
  if (!rt.shared) {
    const memory = createSharedMemory(rt.memory.buffer.byteLength / PAGE);
    const instance = instantiateShared(module, memory);
    if (instance.heapBase > rt.heapBase) {
      throw new StateError(`internal: the threads build's static data ends at ${instance.heapBase}, above ${rt.heapBase}`);
    }
    rt.allocator.moveTo(memory);
    rt.memory = memory;
    rt.exports = instance.exports;
    if (rt.active === rt.wasm) rt.active = instance.kernels;
    rt.wasm = instance.kernels;
    rt.shared = true;
  }
  return { memory: rt.memory, exports: rt.exports };
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

/** Options of init(). */
export interface InitOptions {
  /**
   * Threads for the kernels: a whole number from 1 to 64, or 'auto' (the cores available).
   * Above 1 needs SharedArrayBuffer (in browsers: a cross-origin isolated page); where that is
   * missing, init resolves with one thread and says why. 1 stops the worker threads. Results
   * are bit-identical for every thread count. Omitted: the thread setting is left as it is.
   */
  threads?: number | 'auto';
}

/** What init() resolves with. */
export interface InitResult extends ThreadsInfo {
  /** The kernels that run: 'wasm' (SIMD) or 'reference' (no WebAssembly SIMD here). */
  backend: BackendName;
}

let pending: Promise<unknown> = Promise.resolve();

/**
 * Optional: compiles the WASM module asynchronously (off the main thread in browsers) before
 * first use, and with `{ threads }` starts (or stops) the worker threads. Everything also works
 * without calling it; the first tensor then compiles synchronously, which takes a few
 * milliseconds for this module. The training API stays synchronous with threads. Calls are
 * handled one after the other; an invalid option rejects with a ValueError before any change.
 */
export async function init(options?: InitOptions): Promise<InitResult> {
  checkOptions('init', options, ['threads']);
  const threads = options?.threads === undefined ? undefined : checkThreads(options.threads);
  const run = pending.then(async (): Promise<InitResult> => {
    if (wasmSupported()) await compileAsync();
    const rt = runtime();
    if (threads !== undefined) await setThreads(rt, threads);
    return { backend: rt.name, ...report(rt) };
  });
  pending = run.catch(() => undefined);
  return run;
}

/**
 * What the kernels run on now: the pool's threads, except while setBackend('reference') is
 * active (the reference kernels run on the calling thread alone), which the reason then says.
 */
function report(rt: Runtime): ThreadsInfo {
  if (rt.pool !== null && rt.active !== rt.wasm) {
    return {
      threads: 1, requested: rt.threads.requested,
      reason: `setBackend('reference') is active: the reference kernels run on the calling thread alone ` +
        `(setBackend('wasm') runs the kernels on ${rt.pool.threads} threads again)`,
    };
  }
  return { ...rt.threads };
}

/**
 * How many threads the kernels run on, and why fewer than requested when that is the case
 * (no SharedArrayBuffer, workers that could not start, or setBackend('reference') active).
 */
export function getThreads(): ThreadsInfo {
  return current ? report(current) : { ...ONE_THREAD };
}

/**
 * Chooses the kernels: 'wasm' (default, SIMD) or 'reference' (plain TypeScript, the pure-JS
 * baseline used by tests and benchmarks). Both work on the same memory, so existing tensors and
 * models stay valid across a switch. The reference kernels always run on the calling thread.
 */
export function setBackend(name: BackendName): void {
  const rt = runtime();
  if (name === 'wasm') {
    if (!rt.wasm) throw new StateError("setBackend('wasm'): this engine cannot run WebAssembly SIMD");
    rt.active = rt.wasm;
  } else if (name === 'reference') {
    rt.active = rt.reference;
  } else {
    throw new ValueError(`setBackend: name must be 'wasm' or 'reference', got ${describe(name)}`);
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
