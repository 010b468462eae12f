// LeNet's two max-pooling forwards ([64, 6, 28, 28] and [64, 16, 10, 10], MaxPool2d(2)) from two
// or more builds in one process, interleaved in 9 rounds of 20 calls (medians, ms per call).
// Usage: npm run build && cp -a dist /tmp/new-dist &&
//   flock /work/bench.lock node bench/pool-builds.mjs OLD_DIST NEW_DIST
import { importBuild } from './lib/builds.mjs';
import { loadAverage } from './lib/machine.mjs';
import { median } from './lib/stats.mjs';

const dirs = process.argv.slice(2);
if (dirs.length < 2) throw new Error('usage: node bench/pool-builds.mjs OLD_DIST NEW_DIST');
const libs = await Promise.all(dirs.map((d) => importBuild(d)));
const cases = libs.map((L) => {
  const p1 = new L.MaxPool2d(2), p2 = new L.MaxPool2d(2);
  const x1 = L.Tensor.from(Float32Array.from({ length: 64 * 6 * 784 }, (_, i) => Math.sin(i * 0.37)), [64, 6, 28, 28]);
  const x2 = L.Tensor.from(Float32Array.from({ length: 64 * 16 * 100 }, (_, i) => Math.sin(i * 0.37)), [64, 16, 10, 10]);
  return [() => p1.forward(x1), () => p2.forward(x2)];
});
const t = cases.map(() => [[], []]);
for (let r = 0; r < 9; r++) cases.forEach((c, i) => c.forEach((f, j) => { for (let k = 0; k < 3; k++) f(); const s = performance.now(); for (let k = 0; k < 20; k++) f(); t[i][j].push((performance.now() - s) / 20); }));
console.log(`load average ${loadAverage()}`);
dirs.forEach((d, i) => console.log(d, 'pool1 ms', median(t[i][0]).toFixed(3), 'pool2 ms', median(t[i][1]).toFixed(3)));
