import { WASM_BASE64 } from './wasm-binary.generated.js';
import { StateError } from '../errors.js';
import type { Kernels } from './kernels.js';
import { kernelMismatches } from './kernel-table.js';

/** What instantiating the kernel module yields. */
export interface WasmModule {
  kernels: Kernels;
  memory: WebAssembly.Memory;
  /** First byte the allocator may hand out. */
  heapBase: number;
}

let compiled: WebAssembly.Module | null = null;

/** The embedded module's bytes (base64 decoding works in Node ≥ 16 and every browser). */
export function wasmBytes(): Uint8Array<ArrayBuffer> {
  const text = atob(WASM_BASE64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/** Whether this engine can run the module (WebAssembly with SIMD128). */
export function wasmSupported(): boolean {
  return typeof WebAssembly === 'object' && WebAssembly.validate(wasmBytes());
}

function wrap(instance: WebAssembly.Instance): WasmModule {
  // Checked, not cast blindly: a kernel missing from the build or with another signature is a
  // clear error at start-up rather than a wrong call later.
  const problems = kernelMismatches(instance.exports);
  if (problems.length) throw new StateError(`wasmnn: the WASM module does not match the kernel interface: ${problems.join('; ')}`);
  const exports = instance.exports as unknown as Kernels & {
    memory: WebAssembly.Memory;
    heapBase(): number;
  };
  return { kernels: exports, memory: exports.memory, heapBase: exports.heapBase() };
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
