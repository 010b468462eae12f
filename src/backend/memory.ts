import { OutOfMemoryError, StateError, ValueError } from '../errors.js';
import { FreeRuns } from './free-runs.js';

/** Bytes of a WASM page. */
const PAGE = 65536;
/** Every block starts on, and is sized in, multiples of 16 bytes (one v128). */
const ALIGN = 16;
/** wasm32 linear memory is at most 65536 pages (4 GiB). */
const MAX_MEMORY = 65536 * PAGE;

const alignUp = (n: number): number => Math.ceil(n / ALIGN) * ALIGN;

/**
 * What a block of memory is for, so that an OutOfMemoryError can say what holds the memory:
 * user tensors, model parameters (with gradients), module workspaces (outputs, input gradients,
 * scratch), optimizer state, loss workspaces, data loaders, and internal scratch.
 */
export type MemoryKind = 'tensor' | 'parameter' | 'module' | 'optimizer' | 'loss' | 'data' | 'internal';

/** Every kind, in the order messages list them. */
export const MEMORY_KINDS: readonly MemoryKind[] = ['parameter', 'module', 'optimizer', 'loss', 'data', 'tensor', 'internal'];

const KIND_LABEL: Record<MemoryKind, string> = {
  parameter: 'model parameters and gradients',
  module: 'model workspaces (outputs, gradients)',
  optimizer: 'optimizer state',
  loss: 'loss workspaces',
  data: 'data loaders',
  tensor: 'tensors',
  internal: 'internal scratch',
};

/** A run of bytes in WASM memory handed out by the allocator. */
export class Block {
  /** @internal */ freed = false;
  constructor(
    /** Byte offset in linear memory (16-aligned). */
    readonly ptr: number,
    /** Size in bytes (a multiple of 16). */
    readonly bytes: number,
    /** What the block holds (for accounting). */
    readonly kind: MemoryKind,
  ) {}
}

/** Bytes and blocks held by one kind of owner. */
export interface KindUsage {
  bytes: number;
  blocks: number;
}

/** Figures that describe the allocator, for tests and diagnostics. */
export interface MemoryStats {
  /** Bytes in live blocks. */
  bytesInUse: number;
  /** Number of live blocks. */
  blocksInUse: number;
  /** The largest bytesInUse seen. */
  peakBytesInUse: number;
  /** Current size of the WASM linear memory in bytes. */
  memoryBytes: number;
  /** How many times linear memory has grown. */
  growCount: number;
  /** Bytes and blocks in use per kind of owner (tensors, parameters, optimizer state, …). */
  byKind: Record<MemoryKind, KindUsage>;
}

/** `1234567` → `1.2 MB`, for messages. */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB'];
  let v = bytes / 1000, u = 0;
  while (v >= 1000 && u < units.length - 1) { v /= 1000; u++; }
  return `${v.toFixed(v < 10 ? 2 : 1)} ${units[u]}`;
}

/**
 * Allocator with segregated free lists over a WebAssembly.Memory: alloc and free take constant
 * time (a bitmap search over size classes, hash maps for coalescing), whatever the number of
 * live and free blocks; blocks are 16-byte aligned; free neighbours are merged; memory grows on
 * demand. Every block carries a kind, so usage per owner is known at any time.
 *
 * The only place in wasmnn that calls memory.grow or touches memory.buffer: views are cached
 * per buffer identity and re-made after a growth detaches the old buffer, so callers always
 * get a live view from f32() / i32().
 */
export class Allocator {
  private readonly free_ = new FreeRuns();
  private inUse = 0;
  private blocks = 0;
  private peak = 0;
  private grows = 0;
  private readonly usage = Object.fromEntries(MEMORY_KINDS.map((k) => [k, { bytes: 0, blocks: 0 }])) as Record<MemoryKind, KindUsage>;
  private buffer: ArrayBufferLike | null = null;
  private f32View = new Float32Array(0);
  private i32View = new Int32Array(0);

  constructor(
    private memory: WebAssembly.Memory,
    base: number,
  ) {
    const start = alignUp(base);
    const end = memory.buffer.byteLength;
    if (end > start) this.free_.release(start, end - start);
  }

  /** Allocates `bytes` (rounded up to 16) for `kind`, growing memory when no free run is large enough. */
  alloc(bytes: number, kind: MemoryKind = 'internal'): Block {
    // Any integer count, however large: a product of sizes beyond 2^53 (a Conv2d padded by 2^24)
    // is still a request memory cannot hold, refused below as an OutOfMemoryError.
    if (typeof bytes !== 'number' || !(bytes >= 0) || !Number.isInteger(bytes)) {
      throw new ValueError(`internal: cannot allocate ${String(bytes)} bytes`);
    }
    if (!(kind in this.usage)) throw new ValueError(`internal: unknown memory kind '${String(kind)}'`);
    const size = alignUp(Math.max(bytes, ALIGN));
    if (size > MAX_MEMORY) this.outOfMemory(size, kind, MAX_MEMORY);
    let start = this.free_.take(size);
    if (start < 0) {
      this.grow(size, kind);
      start = this.free_.take(size);
    }
    const block = new Block(start, size, kind);
    this.inUse += size;
    this.blocks++;
    this.usage[kind].bytes += size;
    this.usage[kind].blocks++;
    if (this.inUse > this.peak) this.peak = this.inUse;
    return block;
  }

  /** Returns a block to the free runs, merging it with free neighbours. */
  free(block: Block): void {
    if (block.freed) throw new StateError('internal: block freed twice');
    block.freed = true;
    this.inUse -= block.bytes;
    this.blocks--;
    this.usage[block.kind].bytes -= block.bytes;
    this.usage[block.kind].blocks--;
    this.free_.release(block.ptr, block.bytes);
  }

  /** A Float32Array over all of linear memory, valid until the next allocation. */
  f32(): Float32Array {
    this.refreshViews();
    return this.f32View;
  }

  /** An Int32Array over all of linear memory, valid until the next allocation. */
  i32(): Int32Array {
    this.refreshViews();
    return this.i32View;
  }

  /**
   * Copies every byte into `memory` (of the same size: the shared memory of init({ threads }))
   * and works on it from now on; every pointer stays valid.
   */
  moveTo(memory: WebAssembly.Memory): void {
    const bytes = this.memory.buffer.byteLength;
    if (memory.buffer.byteLength !== bytes) {
      throw new StateError(`internal: moving ${bytes} bytes of memory into ${memory.buffer.byteLength}`);
    }
    new Uint8Array(memory.buffer).set(new Uint8Array(this.memory.buffer));
    this.memory = memory;
    this.buffer = null;
  }

  /** Whether `buffer` is (the current or a detached earlier) buffer of this linear memory. */
  isLinearMemory(buffer: ArrayBufferLike): boolean {
    return buffer === this.memory.buffer || buffer === this.buffer;
  }

  stats(): MemoryStats {
    const byKind = Object.fromEntries(MEMORY_KINDS.map((k) => [k, { ...this.usage[k] }])) as Record<MemoryKind, KindUsage>;
    return {
      bytesInUse: this.inUse,
      blocksInUse: this.blocks,
      peakBytesInUse: this.peak,
      memoryBytes: this.memory.buffer.byteLength,
      growCount: this.grows,
      byKind,
    };
  }

  /** @internal Free runs as [ptr, bytes] sorted by address (tests check them against a model). */
  freeRuns(): Array<[number, number]> {
    return this.free_.runs();
  }

  /** Grows linear memory so that a run of `size` bytes exists at its end; OutOfMemoryError when refused. */
  private grow(size: number, kind: MemoryKind): void {
    const end = this.memory.buffer.byteLength;
    const tailFree = this.free_.endingAt(end);
    const pages = Math.ceil((size - tailFree) / PAGE);
    if (end + pages * PAGE > MAX_MEMORY) this.outOfMemory(size, kind, end + pages * PAGE);
    try {
      this.memory.grow(pages);
    } catch {
      this.outOfMemory(size, kind, end + pages * PAGE);
    }
    this.grows++;
    this.free_.release(end, pages * PAGE);
  }

  /** Throws an OutOfMemoryError that says what holds the memory and what to do about it. */
  private outOfMemory(size: number, kind: MemoryKind, needed: number): never {
    const held = MEMORY_KINDS.filter((k) => this.usage[k].blocks > 0)
      .map((k) => `${KIND_LABEL[k]} ${formatBytes(this.usage[k].bytes)} in ${this.usage[k].blocks} block${this.usage[k].blocks === 1 ? '' : 's'}`);
    throw new OutOfMemoryError(
      `cannot allocate ${size} bytes (${formatBytes(size)}) for ${KIND_LABEL[kind]}: WASM memory would need ` +
        `${formatBytes(needed)} (now ${formatBytes(this.memory.buffer.byteLength)}, at most 4 GiB) and the engine refused to grow it. ` +
        `In use ${formatBytes(this.inUse)}${held.length ? `: ${held.join(', ')}` : ''}. ` +
        'Free what you no longer need: call dispose() on models, optimizers, losses, data loaders and tensors, or declare ' +
        'them with `using`; objects you only dropped are reclaimed by the garbage collector, which runs when a loop yields ' +
        '(await), not inside a synchronous loop.',
    );
  }

  private refreshViews(): void {
    const buffer = this.memory.buffer;
    if (buffer !== this.buffer) {
      this.buffer = buffer;
      this.f32View = new Float32Array(buffer);
      this.i32View = new Int32Array(buffer);
    }
  }
}
