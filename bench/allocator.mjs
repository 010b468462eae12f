// Allocator benchmark: operations per second (one alloc or one free = one operation) of the
// allocator in src/backend/memory.ts, beside the first-fit list it replaced (bench/lib/first-fit.mjs),
// on two patterns:
//   interleaved — n live blocks with n freed holes between them, then n allocations larger than
//                 a hole, each freed again (the audit's pattern: live and freed tensors interleaved)
//   random      — a steady state of 10 000 live blocks of log-uniform sizes 16 B – 64 kB,
//                 each operation allocates or frees a random one
// The first-fit baseline is quadratic, so it runs at smaller counts (shown in the row).
// Run: npm run build && flock /work/bench.lock npm run bench -- --only allocator
import { Allocator } from '../dist/bench-internal.js';
import { FirstFitAllocator } from './lib/first-fit.mjs';
import { fmt } from './lib/stats.mjs';

function lcg(seed) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

/** Runs `ops` operations of `pattern` on a fresh allocator from `make`; returns ms. */
export function run(make, pattern, ops) {
  const a = make();
  const t0 = performance.now();
  if (pattern === 'interleaved') {
    // n live blocks with n freed holes between them, then n allocations that fit no hole
    // (first fit walks past every hole) each freed again (first fit walks the list to insert).
    const n = Math.floor(ops / 6);
    const live = [], holes = [];
    for (let i = 0; i < n; i++) {
      live.push(a.alloc(64));
      holes.push(a.alloc(48));
    }
    for (const h of holes) a.free(h);
    for (let i = 0; i < n; i++) a.free(a.alloc(96));
    for (const b of live) a.free(b);
  } else {
    const rand = lcg(7);
    const live = [];
    for (let i = 0; i < ops; i++) {
      if (live.length < 10_000 && (live.length === 0 || rand() < 0.5 || live.length < 5_000)) {
        live.push(a.alloc(Math.floor(16 * 4096 ** rand())));
      } else {
        const k = Math.floor(rand() * live.length);
        const b = live[k];
        live[k] = live[live.length - 1];
        live.pop();
        a.free(b);
      }
    }
  }
  return performance.now() - t0;
}

export const wasmnnAllocator = () => new Allocator(new WebAssembly.Memory({ initial: 1 }), 16);
export const firstFit = () => new FirstFitAllocator(16, 65536);

export async function benchAllocator({ quick, reps }) {
  const ops = quick ? 200_000 : 1_000_000;
  const baselineOps = quick ? 12_000 : 48_000;
  const rows = [];
  for (const pattern of ['interleaved', 'random']) {
    for (const [name, make, n] of [['wasmnn (size classes)', wasmnnAllocator, ops], ['first-fit list (before)', firstFit, baselineOps]]) {
      run(make, pattern, Math.min(n, 20_000)); // warm up
      const times = [];
      for (let r = 0; r < Math.max(3, Math.min(reps, 5)); r++) times.push(run(make, pattern, n));
      times.sort((x, y) => x - y);
      const median = times[Math.floor(times.length / 2)];
      rows.push({ pattern, allocator: name, operations: n, 'ms (median)': fmt(median), 'ops/s': fmt((n / median) * 1000), 'min–max ms': `${fmt(times[0])}–${fmt(times[times.length - 1])}` });
    }
  }
  return rows;
}
