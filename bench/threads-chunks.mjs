// A network (default mnist) on 1 and 2 threads with N GEMM column chunks per thread (ops.ts, a
// plain A), in interleaved rounds: the configurations to compare, "threads:chunks" separated by
// commas. Usage: node bench/threads-chunks.mjs mnist 1:2,2:1,2:2,2:4 (ROUNDS=7 STEPS=20)
import { init } from '../dist/index.js';
import * as internal from '../dist/bench-internal.js';
import { NETWORKS, wasmnnStep } from './train-step.mjs';
import os from 'node:os';
const net = NETWORKS[process.argv[2] ?? 'mnist'];
const configs = (process.argv[3] ?? '1:2,2:1,2:2,2:4').split(',').map((c) => c.split(':').map(Number));
const runner = wasmnnStep(net, 'wasm');
const times = configs.map(() => []);
const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
const steps = +(process.env.STEPS || 20);
console.log('load before', os.loadavg().map((v) => v.toFixed(2)).join(' '));
for (let r = 0; r < (+process.env.ROUNDS || 7); r++) {
  for (const [ci, [t, per]] of configs.entries()) {
    await init({ threads: t });
    internal.setGemmChunksPerThread(per);
    for (let i = 0; i < 3; i++) runner.step();
    const t0 = performance.now();
    for (let i = 0; i < steps; i++) runner.step();
    times[ci].push((performance.now() - t0) / steps);
  }
}
const base = med(times[0]);
console.table(configs.map(([t, per], ci) => ({ threads: t, chunksPerThread: per, 'ms/step': +med(times[ci]).toFixed(3), min: +Math.min(...times[ci]).toFixed(3), 'speed-up': +(base / med(times[ci])).toFixed(3), 'speed-up (min)': +(Math.min(...times[0]) / Math.min(...times[ci])).toFixed(3) })));
console.log('load after', os.loadavg().map((v) => v.toFixed(2)).join(' '));
await init({ threads: 1 });
process.exit(0);
