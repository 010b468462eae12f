// The same training step from two builds of wasmnn in one process, interleaved (A, B, A, B, …),
// for before/after comparisons on a loaded machine: each build is a dist/ directory (its own
// module state and WASM memory). Usage:
//   node bench/compare-builds.mjs OLD_DIST NEW_DIST [--networks mnist] [--rounds 7] [--steps 20] [--threads 1] [--parameters-only]
// --parameters-only: the backward as fit() runs it where a build has Module.backwardParameters (the
// first layer computes no input gradient); builds without it run backward().
// Prints per build the median ms per step (min–max), the model GFLOP/s and the SIMD ceiling
// measured in the same process, and the ratio.
import { parseArgs } from 'node:util';
import { benchPeak } from './peak.mjs';
import { NETWORKS, modelFlops } from './train-step.mjs';
import { importBuild } from './lib/builds.mjs';
import { mlpStep } from './lib/mlp-step.mjs';
import { loadAverage } from './lib/machine.mjs';
import { median, msPerCall } from './lib/stats.mjs';

const { values, positionals } = parseArgs({ allowPositionals: true, options: {
  networks: { type: 'string' }, rounds: { type: 'string' }, threads: { type: 'string' }, steps: { type: 'string' },
  'parameters-only': { type: 'boolean' },
} });
const parametersOnly = Boolean(values['parameters-only']);
if (positionals.length < 2) throw new Error('usage: node bench/compare-builds.mjs OLD_DIST NEW_DIST [--networks mnist] [--rounds 7] [--threads 1]');
const rounds = Number(values.rounds ?? 7), threads = Number(values.threads ?? 1), steps = Number(values.steps ?? 20);
const builds = await Promise.all(positionals.map(async (dir) => ({ dir, lib: await importBuild(dir) })));
if (threads > 1) for (const b of builds) await b.lib.init({ threads });

const peak = await benchPeak({ reps: 5 });
console.log(`load average ${loadAverage()}; SIMD ceiling ${peak.mulAddPeak.toFixed(1)} GFLOP/s; ${threads} thread(s); ${rounds} rounds of ${steps} steps${parametersOnly ? '; backwardParameters where available' : ''}`);
for (const name of (values.networks ?? 'mnist').split(',')) {
  const net = NETWORKS[name];
  const runs = builds.map((b) => ({ step: mlpStep(b.lib, net, { parametersOnly }).step, times: [] }));
  for (const r of runs) for (let i = 0; i < 5; i++) r.step();
  for (let round = 0; round < rounds; round++) {
    for (const r of runs) r.times.push(msPerCall(r.step, steps));
  }
  const flops = modelFlops(net);
  console.table(runs.map((r, i) => ({
    network: name, build: builds[i].dir, 'ms/step': +median(r.times).toFixed(3),
    'min–max': `${Math.min(...r.times).toFixed(2)}–${Math.max(...r.times).toFixed(2)}`,
    'model GFLOP/s': +(flops / median(r.times) / 1e6).toFixed(1),
    '% of ceiling': +((100 * flops) / median(r.times) / 1e6 / peak.mulAddPeak).toFixed(1),
    'speed-up vs first': +(median(runs[0].times) / median(r.times)).toFixed(3),
  })));
}
console.log(`load average after: ${loadAverage()}`);
process.exit(0);
