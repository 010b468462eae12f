// A network (default mnist) on 1 and 2 threads with N GEMM column chunks per thread (ops-gemm.ts, a
// plain A), in interleaved rounds: the configurations to compare, "threads:chunks" separated by
// commas.
//   npm run build && flock /work/bench.lock node bench/threads-chunks.mjs mnist 1:2,2:1,2:2,2:4   (env ROUNDS=7 STEPS=20)
import { init } from '../dist/index.js';
import * as internal from '../dist/bench-internal.js';
import { NETWORKS, wasmnnStep } from './train-step.mjs';
import { loadAverage } from './lib/machine.mjs';
import { median as med, msPerCall } from './lib/stats.mjs';
const net = NETWORKS[process.argv[2] ?? 'mnist'];
const configs = (process.argv[3] ?? '1:2,2:1,2:2,2:4').split(',').map((c) => c.split(':').map(Number));
const runner = wasmnnStep(net, 'wasm');
const times = configs.map(() => []);
const steps = +(process.env.STEPS || 20);
console.log('load before', loadAverage());
for (let r = 0; r < (+process.env.ROUNDS || 7); r++) {
  for (const [ci, [t, per]] of configs.entries()) {
    await init({ threads: t });
    internal.setGemmChunksPerThread(per);
    for (let i = 0; i < 3; i++) runner.step();
    times[ci].push(msPerCall(runner.step, steps));
  }
}
const base = med(times[0]);
console.table(configs.map(([t, per], ci) => ({ threads: t, chunksPerThread: per, 'ms/step': +med(times[ci]).toFixed(3), min: +Math.min(...times[ci]).toFixed(3), 'speed-up': +(base / med(times[ci])).toFixed(3), 'speed-up (min)': +(Math.min(...times[0]) / Math.min(...times[ci])).toFixed(3) })));
console.log('load after', loadAverage());
await init({ threads: 1 });
process.exit(0);
