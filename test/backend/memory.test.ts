import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Allocator, type Block } from '../../src/backend/memory.js';
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

describe('Allocator against a model (random alloc/free sequences)', () => {
  /** Live blocks and free runs tile [base, memory end) exactly, with no two free runs touching. */
  function checkInvariants(a: Allocator, live: Map<Block, number>, base: number): void {
    const stats = a.stats();
    const pieces: Array<[number, number, 'live' | 'free']> = [
      ...[...live.keys()].map((b) => [b.ptr, b.bytes, 'live'] as [number, number, 'live']),
      ...a.freeRuns().map(([p, n]) => [p, n, 'free'] as [number, number, 'free']),
    ].sort((x, y) => x[0] - y[0]);
    let at = base;
    let previous: 'live' | 'free' | null = null;
    for (const [ptr, bytes, what] of pieces) {
      expect(ptr).toBe(at); // no gap, no overlap
      expect(ptr % 16).toBe(0);
      expect(bytes % 16).toBe(0);
      expect(bytes).toBeGreaterThan(0);
      if (what === 'free') expect(previous).not.toBe('free'); // neighbours are coalesced
      previous = what;
      at += bytes;
    }
    expect(at).toBe(stats.memoryBytes);
    for (const [b, requested] of live) expect(b.bytes).toBeGreaterThanOrEqual(requested);
    expect(stats.blocksInUse).toBe(live.size);
    expect(stats.bytesInUse).toBe([...live.keys()].reduce((s, b) => s + b.bytes, 0));
    for (const kind of ['tensor', 'optimizer'] as const) {
      const mine = [...live.keys()].filter((b) => b.kind === kind);
      expect(stats.byKind[kind]).toEqual({ bytes: mine.reduce((s, b) => s + b.bytes, 0), blocks: mine.length });
    }
    expect(stats.peakBytesInUse).toBeGreaterThanOrEqual(stats.bytesInUse);
  }

  it('keeps the invariants over 30 000 operations (address maps compacted many times)', () => {
    const a = fresh(1);
    const live = new Map<Block, number>();
    let s = 12345;
    const rand = (): number => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
    for (let i = 0; i < 30_000; i++) {
      if (live.size === 0 || rand() < 0.52) {
        const n = Math.floor(16 * 256 ** rand());
        live.set(a.alloc(n, 'tensor'), n);
      } else {
        const victim = [...live.keys()][Math.floor(rand() * live.size)]!;
        live.delete(victim);
        a.free(victim);
      }
      if (i % 5000 === 0) checkInvariants(a, live, 112);
    }
    checkInvariants(a, live, 112);
  });

  it('never overlaps, stays in bounds, coalesces and keeps its figures right', () => {
    const op = fc.oneof(
      fc.record({ alloc: fc.oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 200_000 })), kind: fc.constantFrom('tensor' as const, 'optimizer' as const) }),
      fc.record({ free: fc.nat() }),
    );
    fc.assert(fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
      const a = fresh(1);
      const base = 112; // fresh() starts at 100, aligned up to 112
      const live = new Map<Block, number>();
      for (const o of ops) {
        if ('alloc' in o) live.set(a.alloc(o.alloc, o.kind), o.alloc);
        else if (live.size > 0) {
          const victim = [...live.keys()][o.free % live.size]!;
          live.delete(victim);
          a.free(victim);
        }
      }
      checkInvariants(a, live, base);
      for (const b of [...live.keys()]) {
        a.free(b);
        live.delete(b);
      }
      checkInvariants(a, live, base);
      expect(a.freeRuns()).toEqual([[base, a.stats().memoryBytes - base]]); // everything merged back
    }), { numRuns: 300 });
  });
});
