/**
 * @internal Entry point for bench/ only (built to dist/bench-internal.js, not exported by the
 * package): direct access to the kernel sets, the allocator and the thread pool's dispatch, to
 * time kernels without the module layer.
 */
export { runtime, setBackend, init } from './runtime.js';
export { parallelFor, setParallelThreshold, MIN_PARALLEL_NS } from './parallel.js';
export { setGemmChunksPerThread } from './ops.js';
export { Allocator } from './memory.js';
export { Storage } from './storage.js';
export { conv2dForward, conv2dBackward, scratchSize } from './ops-conv.js';
