// The LeNet training step (batch 64, one thread, backwardParameters as fit() runs it) from two or
// more builds of wasmnn in one process, interleaved (A, B, A, B, …), for before/after comparisons
// of the convolution kernels on a loaded machine; plus, per build, the time of each layer's
// forward and backward inside the step (the last build's profile is what the step runs now).
// Usage: npm run build && cp -a dist /tmp/new-dist &&
//   flock /work/bench.lock node bench/lenet-builds.mjs OLD_DIST NEW_DIST [--rounds 7] [--steps 20] [--bn]
import { parseArgs } from 'node:util';
import { importBuild } from './lib/builds.mjs';
import { loadAverage } from './lib/machine.mjs';
import { median, msPerCall } from './lib/stats.mjs';
import { BATCH, LENET_FLOPS, lenet } from './lenet-step.mjs';

const { values, positionals } = parseArgs({ allowPositionals: true, options: {
  rounds: { type: 'string' }, steps: { type: 'string' }, bn: { type: 'boolean' },
} });
if (positionals.length < 2) throw new Error('usage: node bench/lenet-builds.mjs OLD_DIST NEW_DIST [--rounds 7] [--steps 20] [--bn]');
const rounds = Number(values.rounds ?? 7), steps = Number(values.steps ?? 20), bn = Boolean(values.bn);

/** One build's LeNet step on a fixed batch, and its per-layer profile. */
function setup(lib) {
  const g = new lib.Generator(1);
  const x = lib.Tensor.from(Float32Array.from({ length: BATCH * 784 }, () => g.random()), [BATCH, 1, 28, 28]);
  const y = lib.Tensor.from(Array.from({ length: BATCH }, () => g.randint(10)));
  const model = lenet(bn, new lib.Generator(2), lib), opt = new lib.Adam(model.parameters(), { lr: 1e-3 });
  const loss = new lib.CrossEntropyLoss();
  const step = () => {
    opt.zeroGrad();
    loss.forward(model.forward(x), y);
    model.backwardParameters(loss.backward());
    opt.step();
  };
  /** ms of each layer's forward and backward (the first layer's backwardParameters), medians of `n` steps. */
  const profile = (n) => {
    const layers = model.namedChildren().map(([, m]) => m), f = layers.map(() => []), b = layers.map(() => []);
    for (let k = 0; k < n; k++) {
      opt.zeroGrad();
      const outs = [x];
      layers.forEach((m, i) => { const t = performance.now(); outs.push(m.forward(outs[i])); f[i].push(performance.now() - t); });
      loss.forward(outs.at(-1), y);
      let grad = loss.backward();
      for (let i = layers.length - 1; i >= 0; i--) {
        const t = performance.now();
        if (i === 0) layers[i].backwardParameters(grad);
        else grad = layers[i].backward(grad);
        b[i].push(performance.now() - t);
      }
      opt.step();
    }
    return layers.map((m, i) => ({ layer: m.toString().split('\n')[0], 'forward ms': +median(f[i]).toFixed(3), 'backward ms': +median(b[i]).toFixed(3) }));
  };
  return { step, profile };
}

const builds = await Promise.all(positionals.map(async (dir) => ({ dir, lib: await importBuild(dir) })));
const runs = builds.map((b) => ({ ...setup(b.lib), times: [] }));
console.log(`load average ${loadAverage()}; LeNet${bn ? ' + BN' : ''} step, batch ${BATCH}, 1 thread; ${rounds} rounds of ${steps} steps`);
for (const r of runs) for (let i = 0; i < 5; i++) r.step();
for (let round = 0; round < rounds; round++) for (const r of runs) r.times.push(msPerCall(r.step, steps));
const base = median(runs[0].times);
console.table(runs.map((r, i) => ({
  build: builds[i].dir, 'ms/step (median)': +median(r.times).toFixed(3), 'min–max': `${Math.min(...r.times).toFixed(2)}–${Math.max(...r.times).toFixed(2)}`,
  'model GFLOP/s': +(LENET_FLOPS / median(r.times) / 1e6).toFixed(1), 'speed-up vs first': +(base / median(r.times)).toFixed(3),
})));
for (const [i, r] of runs.entries()) {
  console.log(`per layer, ${builds[i].dir}`);
  console.table(r.profile(15));
}
console.log(`load average ${loadAverage()}`);
