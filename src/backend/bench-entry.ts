/**
 * @internal Entry point for bench/ only (built to dist/bench-internal.js, not exported by the
 * package): direct access to the kernel sets and the allocator, to time kernels without the
 * module layer.
 */
export { runtime } from './runtime.js';
export { setBackend } from './runtime.js';
export { Allocator } from './memory.js';
export { Storage } from './storage.js';
export { conv2dForward, conv2dBackward, scratchSize } from './ops-conv.js';
