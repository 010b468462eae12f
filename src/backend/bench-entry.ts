/**
 * @internal Entry point for bench/ only (built to dist/bench-internal.js, not exported by the
 * package): direct access to the kernel sets, the allocator and the thread pool's dispatch, to
 * time kernels without the module layer. The public API is re-exported too, so that a benchmark
 * switching an internal (setConvMethod) drives layers of the same bundle instance.
 */
export * from '../index.js';
export { runtime } from './runtime.js';
export { parallelFor, setParallelThreshold, MIN_PARALLEL_NS } from './parallel.js';
export { setGemmChunksPerThread } from './ops-gemm.js';
export { Allocator } from './memory.js';
export { Storage } from './storage.js';
export { conv2dForward, conv2dBackward, convMethods, scratchSize, setConvMethod } from './ops-conv.js';
export { setDenseSmallPath } from './ops-dense.js';
