// Interleaved A/B of the seed step (2-25-25-25-2, Adam, batch 100, MSE), as bench/train-step.mjs
// runs it: two builds of wasmnn in one process (each with its own WASM memory) and the naive
// pure-JS MLP, in alternating rounds; medians and fastest tenths, and their ratios.
//   node bench/seed-ab.mjs OLD_DIST_DIR [NEW_DIST_DIR (default ../dist)] [--rounds 60]
import os from 'node:os';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { NaiveMLP } from './lib/naive-mlp.mjs';

const args = process.argv.slice(2);
const roundsAt = args.indexOf('--rounds');
const rounds = roundsAt >= 0 ? Number(args.splice(roundsAt, 2)[1]) : 60;
const [oldDir, newDir = new URL('../dist', import.meta.url).pathname] = args;
const sizes = [2, 25, 25, 25, 2], batch = 100;

async function wasmnnStep(dir, parametersOnly) {
  const w = await import(pathToFileURL(resolve(dir, 'index.js')).href);
  const g = new w.Generator(2);
  const layers = [];
  sizes.slice(1).forEach((out, l) => {
    layers.push(new w.Linear(sizes[l], out, { generator: g }));
    if (l < sizes.length - 2) layers.push(new w.ReLU());
  });
  const model = new w.Sequential(...layers);
  const opt = new w.Adam(model.parameters(), { lr: 1e-3 });
  const g2 = new w.Generator(1);
  const x = w.Tensor.from(Float32Array.from({ length: batch * 2 }, () => g2.uniform(-1, 1)), [batch, 2]);
  const target = w.Tensor.from(Float32Array.from({ length: batch * 2 }, () => g2.uniform(-1, 1)), [batch, 2]);
  const loss = new w.MSELoss();
  // backwardParameters (fit()'s call since round 3: no input gradient for the data) where the build has it.
  const back = parametersOnly && model.backwardParameters ? (g) => model.backwardParameters(g) : (g) => model.backward(g);
  return { step: () => { opt.zeroGrad(); loss.forward(model.forward(x), target); back(loss.backward()); opt.step(); }, model };
}
const a = await wasmnnStep(oldDir, false), b = await wasmnnStep(newDir, false), c = await wasmnnStep(newDir, true);
const mlp = new NaiveMLP(sizes, { optimizer: 'adam', loss: 'mse' });
const xs = new Float32Array(batch * 2).map((_, i) => Math.sin(i)), ts = new Float32Array(batch * 2).map((_, i) => Math.cos(i));
const naive = { step: () => mlp.step(xs, ts, batch) };
const time = (fn, n) => { const s = performance.now(); for (let i = 0; i < n; i++) fn(); return ((performance.now() - s) / n) * 1000; };
for (let i = 0; i < 3000; i++) { a.step(); b.step(); c.step(); }
for (let i = 0; i < 300; i++) naive.step();
const ta = [], tb = [], tc = [], tn = [];
// Many short rounds: under load, the fastest tenth (p10) is steadier than the median.
for (let r = 0; r < rounds; r++) { ta.push(time(a.step, 500)); tb.push(time(b.step, 500)); tc.push(time(c.step, 500)); tn.push(time(naive.step, 40)); }
const at = (v, q) => [...v].sort((p, r) => p - r)[Math.floor(v.length * q)];
const report = (q, label) => {
  const [ma, mb, mc, mn] = [at(ta, q), at(tb, q), at(tc, q), at(tn, q)];
  console.log(`${label}: old backward() ${ma.toFixed(1)} µs (${(mn / ma).toFixed(1)}× naive); new backward() ${mb.toFixed(1)} µs (${(mn / mb).toFixed(1)}× naive, ${(ma / mb).toFixed(2)}× old); ` +
    `new backwardParameters() ${mc.toFixed(1)} µs (${(mn / mc).toFixed(1)}× naive, ${(ma / mc).toFixed(2)}× old); naive ${mn.toFixed(0)} µs`);
};
console.log(`seed step, ${rounds} interleaved rounds (500 / 500 / 500 / 40 steps), load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
report(0.5, 'median');
report(0.1, 'p10');
