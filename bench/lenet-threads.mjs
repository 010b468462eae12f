// `node bench/lenet-threads.mjs` (after `npm run build`): the plain LeNet training step at batch 64
// on 1 and 2 threads, in 5 interleaved rounds of 30 steps (so a change of load hits both), medians.
import { init } from '../dist/index.js';
import { wasmnnLenetStep } from './lenet-step.mjs';

const median = (a) => a.slice().sort((x, y) => x - y)[a.length >> 1];
const ms = { 1: [], 2: [] };
for (let round = 0; round < 5; round++) {
  for (const threads of [1, 2]) {
    await init({ threads });
    const s = wasmnnLenetStep(false, 'wasm');
    for (let i = 0; i < 5; i++) s.step(); // warm-up
    const t0 = performance.now();
    for (let i = 0; i < 30; i++) s.step();
    ms[threads].push((performance.now() - t0) / 30);
    s.dispose();
  }
}
await init({ threads: 1 });
console.table([
  { threads: 1, 'ms/step (median)': +median(ms[1]).toFixed(2) },
  { threads: 2, 'ms/step (median)': +median(ms[2]).toFixed(2), 'speed-up': +(median(ms[1]) / median(ms[2])).toFixed(2) },
]);
