import { WASM_BASE64, WASM_THREADS_BASE64 } from './wasm-binary.generated.js';
import { StateError } from '../errors.js';
import type { Kernels } from './kernels.js';
import { kernelMismatches } from './kernel-table.js';

/** What instantiating the kernel module yields. */
export interface WasmModule {
  kernels: Kernels;
  memory: WebAssembly.Memory;
  /** First byte the allocator may hand out. */
  heapBase: number;
  /** Every export, for the thread pool's kernel table. */
  exports: Record<string, unknown>;
}

/** Bytes of a WASM page. */
export const PAGE = 65536;
/** The largest memory a wasm32 module can address (4 GiB): the threads build's declared maximum. */
export const MAX_PAGES = 65536;

let compiled: WebAssembly.Module | null = null;
let compiledThreads: WebAssembly.Module | null = null;

function decode(base64: string): Uint8Array<ArrayBuffer> {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/** The embedded module's bytes (base64 decoding works in Node ≥ 16 and every browser). */
export function wasmBytes(): Uint8Array<ArrayBuffer> {
  return decode(WASM_BASE64);
}

/** The threads build: the same kernels, importing a shared memory (`env.memory`). */
export function wasmThreadsBytes(): Uint8Array<ArrayBuffer> {
  return decode(WASM_THREADS_BASE64);
}

/** Whether this engine can run the module (WebAssembly with SIMD128). */
export function wasmSupported(): boolean {
  return typeof WebAssembly === 'object' && WebAssembly.validate(wasmBytes());
}

function wrap(instance: WebAssembly.Instance, memory?: WebAssembly.Memory): WasmModule {
  // Checked, not cast blindly: a kernel missing from the build or with another signature is a
  // clear error at start-up rather than a wrong call later.
  const problems = kernelMismatches(instance.exports);
  if (problems.length) throw new StateError(`wasmnn: the WASM module does not match the kernel interface: ${problems.join('; ')}`);
  const exports = instance.exports as unknown as Kernels & {
    memory: WebAssembly.Memory;
    heapBase(): number;
  };
  return {
    kernels: exports,
    memory: memory ?? exports.memory,
    heapBase: exports.heapBase(),
    exports: instance.exports as unknown as Record<string, unknown>,
  };
}

/** Compiles and instantiates synchronously (the module is small: engines allow it). */
export function instantiateSync(): WasmModule {
  compiled ??= new WebAssembly.Module(wasmBytes());
  return wrap(new WebAssembly.Instance(compiled, {}));
}

/** Compiles off the main thread; later instantiateSync() calls reuse the compiled module. */
export async function compileAsync(): Promise<void> {
  compiled ??= await WebAssembly.compile(wasmBytes());
}

/** Compiles the threads build (once); rejects where the engine lacks shared memory. */
export async function compileThreads(): Promise<WebAssembly.Module> {
  compiledThreads ??= await WebAssembly.compile(wasmThreadsBytes());
  return compiledThreads;
}

/** An instance of the threads build on `memory` (a shared memory of at least 16 pages). */
export function instantiateShared(module: WebAssembly.Module, memory: WebAssembly.Memory): WasmModule {
  return wrap(new WebAssembly.Instance(module, { env: { memory } }), memory);
}

/**
 * A shared memory of `pages` pages that may grow to 4 GiB, or to 1 GiB / 256 MiB where the
 * engine will not reserve that much address space.
 */
export function createSharedMemory(pages: number): WebAssembly.Memory {
  let failure: unknown = null;
  for (const maximum of [MAX_PAGES, MAX_PAGES / 4, MAX_PAGES / 16]) {
    if (maximum < pages) break;
    try {
      return new WebAssembly.Memory({ initial: pages, maximum, shared: true });
    } catch (error) {
      failure = error;
    }
  }
  throw failure instanceof Error ? failure : new Error(`cannot create a shared memory of ${pages} pages`);
}
