// The same training step from two builds of wasmnn in one process, interleaved (A, B, A, B, …),
// for before/after comparisons on a loaded machine: each build is a dist/ directory (its own
// module state and WASM memory). Usage:
//   node bench/compare-builds.mjs OLD_DIST NEW_DIST [--networks mnist] [--rounds 7] [--threads 1] [--parameters-only]
// --parameters-only: the backward as fit() runs it where a build has Module.backwardParameters (the
// first layer computes no input gradient); builds without it run backward().
// Prints per build the median ms per step (min–max), the model GFLOP/s and the SIMD ceiling
// measured in the same process, and the ratio.
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import os from 'node:os';
import { benchPeak } from './peak.mjs';
import { NETWORKS, modelFlops } from './train-step.mjs';

const { values, positionals } = parseArgs({ allowPositionals: true, options: {
  networks: { type: 'string' }, rounds: { type: 'string' }, threads: { type: 'string' }, steps: { type: 'string' },
  'parameters-only': { type: 'boolean' },
} });
const parametersOnly = Boolean(values['parameters-only']);
if (positionals.length < 2) throw new Error('usage: node bench/compare-builds.mjs OLD_DIST NEW_DIST [--networks mnist] [--rounds 7] [--threads 1]');
const rounds = Number(values.rounds ?? 7), threads = Number(values.threads ?? 1), steps = Number(values.steps ?? 20);
const builds = await Promise.all(positionals.map(async (dir) => ({ dir, lib: await import(pathToFileURL(resolve(dir, 'index.js')).href) })));
if (threads > 1) for (const b of builds) await b.lib.init({ threads });

/** One network's step in one build (the model of bench/train-step.mjs). */
function makeStep(lib, net) {
  const g = new lib.Generator(2), layers = [];
  net.sizes.slice(1).forEach((out, l) => {
    layers.push(new lib.Linear(net.sizes[l], out, { generator: g }));
    if (l < net.sizes.length - 2) layers.push(new lib.ReLU());
  });
  const model = new lib.Sequential(...layers);
  const opt = net.optim === 'adam' ? new lib.Adam(model.parameters(), { lr: 1e-3 }) : new lib.SGD(model.parameters(), { lr: 1e-3 });
  const gi = new lib.Generator(1), n = net.batch, classes = net.sizes[net.sizes.length - 1];
  const x = lib.Tensor.from(Float32Array.from({ length: n * net.sizes[0] }, () => gi.uniform(-1, 1)), [n, net.sizes[0]]);
  const labels = Array.from({ length: n }, () => gi.randint(classes));
  const onehot = new Float32Array(n * classes);
  labels.forEach((c, i) => { onehot[i * classes + c] = 1; });
  const target = net.loss === 'ce' ? lib.Tensor.from(labels) : lib.Tensor.from(onehot, [n, classes]);
  const loss = net.loss === 'ce' ? new lib.CrossEntropyLoss() : new lib.MSELoss();
  const backward = parametersOnly && typeof model.backwardParameters === 'function'
    ? (g) => model.backwardParameters(g) : (g) => model.backward(g);
  return () => {
    opt.zeroGrad();
    loss.forward(model.forward(x), target);
    backward(loss.backward());
    opt.step();
  };
}

const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
const peak = await benchPeak({ reps: 5 });
console.log(`load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}; SIMD ceiling ${peak.mulAddPeak.toFixed(1)} GFLOP/s; ${threads} thread(s); ${rounds} rounds of ${steps} steps${parametersOnly ? '; backwardParameters where available' : ''}`);
for (const name of (values.networks ?? 'mnist').split(',')) {
  const net = NETWORKS[name];
  const runs = builds.map((b) => ({ step: makeStep(b.lib, net), times: [] }));
  for (const r of runs) for (let i = 0; i < 5; i++) r.step();
  for (let round = 0; round < rounds; round++) {
    for (const r of runs) {
      const t = performance.now();
      for (let i = 0; i < steps; i++) r.step();
      r.times.push((performance.now() - t) / steps);
    }
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
console.log(`load average after: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
process.exit(0);
