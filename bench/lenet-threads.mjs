// The plain LeNet training step at batch 64 on 1 and 2 threads, in 5 interleaved rounds of 30
// steps (so a change of load hits both), medians; the thread-scaling table of `npm run bench`
// (threads.mjs) covers the MLPs only.
//   npm run build && flock /work/bench.lock node bench/lenet-threads.mjs
import { init } from '../dist/index.js';
import { wasmnnLenetStep } from './lenet-step.mjs';
import { loadAverage } from './lib/machine.mjs';
import { median, msPerCall } from './lib/stats.mjs';

const ms = { 1: [], 2: [] };
for (let round = 0; round < 5; round++) {
  for (const threads of [1, 2]) {
    await init({ threads });
    const s = wasmnnLenetStep(false, 'wasm');
    for (let i = 0; i < 5; i++) s.step(); // warm-up
    ms[threads].push(msPerCall(s.step, 30));
    s.dispose();
  }
}
await init({ threads: 1 });
console.table([
  { threads: 1, 'ms/step (median)': +median(ms[1]).toFixed(2) },
  { threads: 2, 'ms/step (median)': +median(ms[2]).toFixed(2), 'speed-up': +(median(ms[1]) / median(ms[2])).toFixed(2) },
]);
console.log(`load average ${loadAverage()}`);
