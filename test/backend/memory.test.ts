import { describe, expect, it } from 'vitest';
import { Allocator } from '../../src/backend/memory.js';
import { OutOfMemoryError } from '../../src/errors.js';

const fresh = (pages = 1, maximum?: number): Allocator =>
  new Allocator(new WebAssembly.Memory({ initial: pages, ...(maximum ? { maximum } : {}) }), 100);

describe('Allocator', () => {
  it('hands out 16-byte aligned, non-overlapping blocks above the base', () => {
    const a = fresh();
    const blocks = [1, 7, 16, 17, 100, 3].map((n) => a.alloc(n));
    for (const b of blocks) {
      expect(b.ptr % 16).toBe(0);
      expect(b.ptr).toBeGreaterThanOrEqual(100);
    }
    const sorted = [...blocks].sort((x, y) => x.ptr - y.ptr);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i]!.ptr).toBeGreaterThanOrEqual(sorted[i - 1]!.ptr + sorted[i - 1]!.bytes);
    expect(a.stats().blocksInUse).toBe(6);
  });

  it('reuses and coalesces freed blocks', () => {
    const a = fresh();
    const x = a.alloc(64), y = a.alloc(64), z = a.alloc(64);
    a.free(x);
    a.free(y);
    const big = a.alloc(128); // fits exactly in the coalesced x+y run
    expect(big.ptr).toBe(x.ptr);
    a.free(big);
    a.free(z);
    expect(a.stats().bytesInUse).toBe(0);
    expect(a.alloc(1000).ptr).toBe(x.ptr); // everything merged back into one run
  });

  it('grows memory on demand and refreshes its views', () => {
    const a = fresh(1);
    const before = a.f32();
    const b = a.alloc(3 * 65536);
    expect(a.stats().memoryBytes).toBeGreaterThanOrEqual(b.ptr + b.bytes);
    expect(a.stats().growCount).toBe(1);
    expect(before.length).toBe(0);
    expect(a.f32().length * 4).toBe(a.stats().memoryBytes);
  });

  it('throws OutOfMemoryError when the memory cannot grow, and keeps working', () => {
    const a = fresh(1, 2);
    const ok = a.alloc(1000);
    expect(() => a.alloc(10 * 65536)).toThrow(OutOfMemoryError);
    expect(() => a.alloc(10 * 65536)).toThrow(/cannot allocate 655360 bytes/);
    const again = a.alloc(1000);
    expect(again.ptr).not.toBe(ok.ptr);
    expect(a.stats().blocksInUse).toBe(2);
  });

  it('refuses a double free', () => {
    const a = fresh();
    const b = a.alloc(10);
    a.free(b);
    expect(() => a.free(b)).toThrow(/freed twice/);
  });
});
