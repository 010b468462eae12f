// Thread scaling (init({ threads })): training steps of the benchmark networks on 1…N threads,
// measured in interleaved rounds (every thread count once per round, on the same model), so
// that a change in machine load hits every column alike; plus the cost of one hand-off and the
// GEMM size where splitting starts to pay (the threshold in src/backend/parallel.ts).
// Run: npm run build && flock /work/bench.lock npm run bench -- --only threads [--threads 1,2]
import { init } from '../dist/index.js';
import * as internal from '../dist/bench-internal.js';
import { NETWORKS, modelFlops, wasmnnStep } from './train-step.mjs';
import { fmt, measure, median } from './lib/stats.mjs';

/** ms/step of each network on each thread count: medians over `reps` interleaved rounds. */
export async function benchThreadScaling({ networks, threads, reps, targetMs = 300 }) {
  const rows = [];
  for (const name of networks) {
    const net = NETWORKS[name];
    const runner = wasmnnStep(net, 'wasm');
    const times = new Map(threads.map((t) => [t, []]));
    for (let r = 0; r < reps; r++) {
      for (const t of threads) {
        await init({ threads: t });
        const m = await measure(runner.step, { reps: 1, warmup: 2, targetMs });
        times.get(t).push(m.median);
      }
    }
    runner.dispose();
    const base = median(times.get(threads[0]));
    for (const t of threads) {
      const ts = times.get(t), med = median(ts);
      rows.push({
        network: name, threads: t, 'ms/step (median)': fmt(med), 'min–max': `${fmt(Math.min(...ts))}–${fmt(Math.max(...ts))}`,
        'model GFLOP/s': fmt(modelFlops(net) / med / 1e6), [`speed-up vs ${threads[0]} thread`]: fmt(base / med),
      });
    }
  }
  await init({ threads: 1 });
  return rows;
}

/**
 * µs per call of one small kernel (fill of 64 floats) run inline and split across 2 threads
 * with the threshold at 0: the fixed price of a hand-off; and square GEMMs timed on 1 and 2
 * threads, to see where splitting starts to pay.
 */
export async function benchHandoff({ reps }) {
  const rt = internal.runtime();
  const rows = [];
  const { allocator } = rt;
  const size = 512;
  const blocks = [0, 1, 2, 3].map(() => allocator.alloc(size * size * 4));
  const [a, b, c, scratch] = blocks.map((x) => x.ptr);
  allocator.f32().fill(0.5, a >> 2, (a >> 2) + size * size);
  allocator.f32().fill(0.25, b >> 2, (b >> 2) + size * size);
  const cases = [['fill 64 floats', 64, () => internal.parallelFor('fill', [64, c, 1], 64, 16, { count: 0, offsets: [[1, 4]] }, 1)]];
  for (const n of [16, 24, 32, 48, 64, 96, 128]) {
    const ns = n * n * n / 22;
    cases.push([`gemm ${n}³ (estimate ${fmt(ns / 1000)} µs)`, n, () => internal.parallelFor('gemmRange',
      [n, n, n, a, n, 1, b, c, 0, 0, scratch, 0, n, 0, n], n, 8, { range: 13, scratch: 10 }, 1, rt.wasm.gemmPackSize(n, n, n) * 4)]);
  }
  for (const [label, , fn] of cases) {
    const row = { work: label };
    for (const t of [1, 2]) {
      await internal.init({ threads: t });
      internal.setParallelThreshold(0);
      row[`${t} thread µs`] = fmt((await measure(fn, { reps, targetMs: 100 })).median * 1000);
    }
    row['2 vs 1'] = fmt(row['1 thread µs'] / row['2 thread µs']);
    rows.push(row);
  }
  internal.setParallelThreshold();
  await internal.init({ threads: 1 });
  blocks.forEach((x) => allocator.free(x));
  return rows;
}
