// The WASM module's export list. Every export takes and returns numbers only: pointers into
// linear memory, sizes, hyper-parameters and 0/1 flags. No export allocates; the TypeScript
// allocator (src/backend/memory.ts) owns every byte above heapBase().
export * from "./gemm";
export * from "./dense-small";
export * from "./activations";
export * from "./losses";
export * from "./optimizers";
export * from "./reduce";
export * from "./random";
export * from "./conv";
export * from "./conv-images";
export * from "./conv-direct";
export * from "./conv-pixels";
export * from "./conv-pixels-grad";
export * from "./pool";
export * from "./norm";
export * from "./class-index";
export { vexp, vlog, vtanh } from "./simdmath";

/** First byte free for the TypeScript allocator (after the module's static data). */
export function heapBase(): usize {
  return __heap_base;
}
