import { OutOfMemoryError, StateError } from '../errors.js';

/** Bytes of a WASM page. */
const PAGE = 65536;
/** Every block starts on, and is sized in, multiples of 16 bytes (one v128). */
const ALIGN = 16;

const alignUp = (n: number): number => Math.ceil(n / ALIGN) * ALIGN;

/** A run of bytes in WASM memory handed out by the allocator. */
export class Block {
  /** @internal */ freed = false;
  constructor(
    /** Byte offset in linear memory (16-aligned). */
    readonly ptr: number,
    /** Size in bytes (a multiple of 16). */
    readonly bytes: number,
  ) {}
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
}

/**
 * First-fit allocator with coalescing over a WebAssembly.Memory.
 *
 * The only place in wasmnn that calls memory.grow or touches memory.buffer: views are cached
 * per buffer identity and re-made after a growth detaches the old buffer, so callers always
 * get a live view from f32() / i32().
 */
export class Allocator {
  /** Free runs as [ptr, bytes], sorted by ptr, never adjacent (they are coalesced). */
  private readonly freeList: Array<[number, number]> = [];
  private inUse = 0;
  private blocks = 0;
  private peak = 0;
  private grows = 0;
  private buffer: ArrayBuffer | null = null;
  private f32View = new Float32Array(0);
  private i32View = new Int32Array(0);

  constructor(
    private readonly memory: WebAssembly.Memory,
    base: number,
  ) {
    const start = alignUp(base);
    const end = memory.buffer.byteLength;
    if (end > start) this.freeList.push([start, end - start]);
  }

  /** Allocates `bytes` (rounded up to 16), growing memory when no free run is large enough. */
  alloc(bytes: number): Block {
    const size = alignUp(Math.max(bytes, ALIGN));
    let index = this.freeList.findIndex(([, free]) => free >= size);
    if (index < 0) index = this.grow(size);
    const run = this.freeList[index]!;
    const block = new Block(run[0], size);
    if (run[1] === size) this.freeList.splice(index, 1);
    else {
      run[0] += size;
      run[1] -= size;
    }
    this.inUse += size;
    this.blocks++;
    this.peak = Math.max(this.peak, this.inUse);
    return block;
  }

  /** Returns a block to the free list, merging it with free neighbours. */
  free(block: Block): void {
    if (block.freed) throw new StateError('internal: block freed twice');
    block.freed = true;
    this.inUse -= block.bytes;
    this.blocks--;
    const list = this.freeList;
    let i = 0;
    while (i < list.length && list[i]![0] < block.ptr) i++;
    list.splice(i, 0, [block.ptr, block.bytes]);
    // Merge with the next run, then with the previous one.
    const next = list[i + 1];
    if (next && list[i]![0] + list[i]![1] === next[0]) {
      list[i]![1] += next[1];
      list.splice(i + 1, 1);
    }
    const prev = list[i - 1];
    if (prev && prev[0] + prev[1] === list[i]![0]) {
      prev[1] += list[i]![1];
      list.splice(i, 1);
    }
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

  /** Whether `buffer` is (the current or a detached earlier) buffer of this linear memory. */
  isLinearMemory(buffer: ArrayBufferLike): boolean {
    return buffer === this.memory.buffer || buffer === this.buffer;
  }

  stats(): MemoryStats {
    return {
      bytesInUse: this.inUse,
      blocksInUse: this.blocks,
      peakBytesInUse: this.peak,
      memoryBytes: this.memory.buffer.byteLength,
      growCount: this.grows,
    };
  }

  /**
   * Grows linear memory so that a run of `size` bytes exists at its end; returns that run's
   * index in the free list. Throws OutOfMemoryError when the engine refuses.
   */
  private grow(size: number): number {
    const end = this.memory.buffer.byteLength;
    const last = this.freeList[this.freeList.length - 1];
    const tailFree = last && last[0] + last[1] === end ? last[1] : 0;
    const pages = Math.ceil((size - tailFree) / PAGE);
    try {
      this.memory.grow(pages);
    } catch {
      throw new OutOfMemoryError(
        `cannot allocate ${size} bytes: WASM memory would need ${end + pages * PAGE} bytes ` +
          `(now ${end} bytes, ${this.inUse} in use); the engine refused to grow it`,
      );
    }
    this.grows++;
    if (tailFree > 0) last![1] += pages * PAGE;
    else this.freeList.push([end, pages * PAGE]);
    return this.freeList.length - 1;
  }

  private refreshViews(): void {
    const buffer = this.memory.buffer as ArrayBuffer;
    if (buffer !== this.buffer) {
      this.buffer = buffer;
      this.f32View = new Float32Array(buffer);
      this.i32View = new Int32Array(buffer);
    }
  }
}
