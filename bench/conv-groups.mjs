// Grouped and depthwise Conv2d against the dense layer of the same shape: forward + backward at
// batch 64, 32 channels, 28×28, 3×3, padding 1; median of 7 after a warm-up.
//   npm run build && flock /work/bench.lock node bench/conv-groups.mjs
import { Conv2d, Generator, Tensor } from '../dist/index.js';
import { loadAverage } from './lib/machine.mjs';
import { median } from './lib/stats.mjs';

const g = new Generator(1);
const x = Tensor.from(Float32Array.from({ length: 64 * 32 * 28 * 28 }, () => g.uniform(-1, 1)), [64, 32, 28, 28]);
console.log(`Conv2d groups, batch 64, 32→32 channels, 28×28, 3×3, padding 1; load average ${loadAverage(1)}`);
for (const groups of [1, 4, 32]) {
  const conv = new Conv2d(32, 32, 3, { padding: 1, groups, generator: g });
  const dy = Tensor.full(conv.forward(x).shape, 0.01);
  conv.backward(dy);
  const times = [];
  for (let r = 0; r < 7; r++) {
    const t0 = performance.now();
    conv.forward(x);
    conv.backward(dy);
    times.push(performance.now() - t0);
  }
  const flops = 2 * 2 * 64 * 32 * 28 * 28 * (32 / groups) * 9 + 2 * 64 * 32 * 28 * 28 * (32 / groups) * 9; // forward, input and weight gradient
  const ms = median(times);
  console.log(`groups ${String(groups).padStart(2)}: ${ms.toFixed(1)} ms forward + backward, ${(flops / ms / 1e6).toFixed(1)} GFLOP/s`);
}
