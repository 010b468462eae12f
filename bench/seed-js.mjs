// The JavaScript around the seed step's kernels (NETWORKS.seed: 2-25-25-25-2, Adam, batch 100,
// MSE): the kernel calls per step (recorded through a wrapper), then, interleaved: the step with
// the real kernels; the step with every kernel replaced by a no-op returning 0 (what is left is
// the JavaScript alone: validation, views, dispatch); and the recorded calls replayed in the
// step's order on the step's own memory with nothing around them (the kernels alone, as warm or
// cold as they are inside a step: step − replay is what the JavaScript costs, the no-op figure
// what it costs on its own). One build or several, interleaved in one process (each dist/ has its own runtime: dist/bench-internal.js, the public API plus the
// runtime whose active kernel table is swapped).
//   npm run build && flock /work/bench.lock node bench/seed-js.mjs [DIST_DIR …] [--rounds 15] [--backward params|full]
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { mlpStep } from './lib/mlp-step.mjs';
import { loadAverage } from './lib/machine.mjs';
import { msPerCall, quantile } from './lib/stats.mjs';
import { NETWORKS } from './train-step.mjs';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { rounds: { type: 'string' }, backward: { type: 'string' } } });
const dirs = positionals.length ? positionals : [new URL('../dist', import.meta.url).pathname];
const rounds = Number(values.rounds ?? 15);
const params = values.backward === 'params';
const us = (fn, n) => 1000 * msPerCall(fn, n);

const builds = [];
for (const dir of dirs) {
  const lib = await import(pathToFileURL(resolve(dir, 'bench-internal.js')).href);
  const s = mlpStep(lib, NETWORKS.seed, { parametersOnly: params });
  const rt = lib.runtime(), real = rt.active;
  const counts = new Map(), counting = {}, noop = {}, recorded = [];
  for (const name of Object.keys(real)) {
    const fn = real[name];
    if (typeof fn !== 'function') { counting[name] = noop[name] = fn; continue; }
    counting[name] = (...a) => { counts.set(name, (counts.get(name) ?? 0) + 1); recorded.push([name, a]); return fn(...a); };
    noop[name] = () => 0;
  }
  for (let i = 0; i < 100; i++) s.step();
  rt.active = counting;
  s.step();
  rt.active = real;
  // The recorded calls as one function with literal arguments (the pointers stay valid: the
  // step's workspaces are grown and re-used; the replayed Adam steps move the weights a little).
  const body = recorded.map(([name, a]) => `k.${name}(${a.join(', ')});`).join('\n');
  const replay = new Function('k', `return () => {\n${body}\n};`)(real);
  for (let i = 0; i < 3000; i++) s.step();
  rt.active = noop;
  for (let i = 0; i < 3000; i++) s.step();
  rt.active = real;
  for (let i = 0; i < 3000; i++) replay();
  builds.push({ dir, s, rt, real, noop, counts, replay, withKernels: [], jsOnly: [], replayed: [] });
}
for (let r = 0; r < rounds; r++) {
  for (const b of builds) {
    b.rt.active = b.real; b.withKernels.push(us(b.s.step, 2000));
    b.rt.active = b.noop; b.jsOnly.push(us(b.s.step, 2000));
    b.rt.active = b.real;
    b.replayed.push(us(b.replay, 2000));
  }
}
console.log(`seed step (${params ? 'backwardParameters' : 'backward'}), ${rounds} interleaved rounds of 2000 steps, load average ${loadAverage(1)}`);
for (const b of builds) {
  const total = [...b.counts.values()].reduce((p, q) => p + q, 0);
  console.log(`${b.dir}: ${total} kernel calls per step (${[...b.counts].map(([n, c]) => `${n}×${c}`).join(', ')})`);
  console.log(`  step with kernels: median ${quantile(b.withKernels, 0.5).toFixed(2)} µs, p10 ${quantile(b.withKernels, 0.1).toFixed(2)} µs`);
  console.log(`  JavaScript alone (no-op kernels): median ${quantile(b.jsOnly, 0.5).toFixed(2)} µs, p10 ${quantile(b.jsOnly, 0.1).toFixed(2)} µs`);
  console.log(`  kernels alone (the step's calls replayed): median ${quantile(b.replayed, 0.5).toFixed(2)} µs, p10 ${quantile(b.replayed, 0.1).toFixed(2)} µs; ` +
    `step − replay: median ${(quantile(b.withKernels, 0.5) - quantile(b.replayed, 0.5)).toFixed(2)} µs, p10 ${(quantile(b.withKernels, 0.1) - quantile(b.replayed, 0.1)).toFixed(2)} µs`);
}
