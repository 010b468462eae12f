// Interleaved A/B of the seed network's opt.step() (Adam over its 1 428 parameters, JavaScript
// included) between two dist/ builds, in the state real training leaves: 5 000 training steps
// first (dead ReLU units then hold subnormal Adam moments), then p10 of 41 alternating rounds of
// 300 opt.step() calls on the last gradients.
//   flock /work/bench.lock node bench/seed-optstep-ab.mjs OLD_DIST_DIR [NEW_DIST_DIR (default dist/)]
import { importBuild } from './lib/builds.mjs';
import { mlpStep } from './lib/mlp-step.mjs';
import { loadAverage } from './lib/machine.mjs';
import { quantile } from './lib/stats.mjs';
import { NETWORKS } from './train-step.mjs';

const [oldDir, newDir = new URL('../dist', import.meta.url).pathname] = process.argv.slice(2);
const steps = [];
for (const dir of [oldDir, newDir]) steps.push(mlpStep(await importBuild(dir), NETWORKS.seed));
for (let i = 0; i < 5000; i++) steps.forEach((s) => s.step());
const ts = steps.map(() => []);
for (let r = 0; r < 41; r++) {
  steps.forEach((s, b) => {
    const t = performance.now();
    for (let i = 0; i < 300; i++) s.opt.step();
    ts[b].push(((performance.now() - t) / 300) * 1000);
  });
}
const [a, b] = ts.map((t) => quantile(t, 0.1));
console.log(`seed opt.step() after 5000 training steps, p10 of 41 rounds of 300; load average ${loadAverage(1)}`);
console.log(`old ${a.toFixed(2)} µs  new ${b.toFixed(2)} µs  ${(a / b).toFixed(2)}×`);
