// The allocator wasmnn used before (first fit over a free list sorted by address, with
// coalescing), kept here only as the baseline of bench/allocator.mjs. Same arithmetic as the
// old src/backend/memory.ts, without WASM memory (it only hands out addresses).
const ALIGN = 16;
const alignUp = (n) => Math.ceil(n / ALIGN) * ALIGN;

export class FirstFitAllocator {
  constructor(base, bytes) {
    this.freeList = [[alignUp(base), bytes - alignUp(base)]];
    this.end = bytes;
  }

  alloc(bytes) {
    const size = alignUp(Math.max(bytes, ALIGN));
    let index = this.freeList.findIndex(([, free]) => free >= size);
    if (index < 0) {
      const last = this.freeList[this.freeList.length - 1];
      const tail = last && last[0] + last[1] === this.end ? last[1] : 0;
      const grow = Math.ceil((size - tail) / 65536) * 65536;
      if (tail > 0) last[1] += grow;
      else this.freeList.push([this.end, grow]);
      this.end += grow;
      index = this.freeList.length - 1;
    }
    const run = this.freeList[index];
    const block = { ptr: run[0], bytes: size };
    if (run[1] === size) this.freeList.splice(index, 1);
    else { run[0] += size; run[1] -= size; }
    return block;
  }

  free(block) {
    const list = this.freeList;
    let i = 0;
    while (i < list.length && list[i][0] < block.ptr) i++;
    list.splice(i, 0, [block.ptr, block.bytes]);
    const next = list[i + 1];
    if (next && list[i][0] + list[i][1] === next[0]) { list[i][1] += next[1]; list.splice(i + 1, 1); }
    const prev = list[i - 1];
    if (prev && prev[0] + prev[1] === list[i][0]) { prev[1] += list[i][1]; list.splice(i, 1); }
  }
}
