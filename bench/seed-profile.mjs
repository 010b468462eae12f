// Profile of one seed step (2-25-25-25-2, Adam, batch 100, MSE): performance.now() around each
// call of the step, summed over many steps; plus the whole step untimed, and the naive MLP.
//   node bench/seed-profile.mjs [--steps 20000]
import { parseArgs } from 'node:util';
import os from 'node:os';
import { Adam, Generator, Linear, MSELoss, ReLU, Sequential, Tensor } from '../dist/index.js';
import { NaiveMLP } from './lib/naive-mlp.mjs';

const { values } = parseArgs({ options: { steps: { type: 'string' } } });
const STEPS = Number(values.steps ?? 20000);
const sizes = [2, 25, 25, 25, 2], batch = 100;

function build() {
  const g = new Generator(2);
  const layers = [];
  sizes.slice(1).forEach((out, l) => {
    layers.push(new Linear(sizes[l], out, { generator: g }));
    if (l < sizes.length - 2) layers.push(new ReLU());
  });
  const model = new Sequential(...layers);
  const opt = new Adam(model.parameters(), { lr: 1e-3 });
  const g2 = new Generator(1);
  const x = Tensor.from(Float32Array.from({ length: batch * 2 }, () => g2.uniform(-1, 1)), [batch, 2]);
  const target = Tensor.from(Float32Array.from({ length: batch * 2 }, () => g2.uniform(-1, 1)), [batch, 2]);
  return { model, opt, x, target, loss: new MSELoss(), layers };
}

const { model, opt, x, target, loss, layers } = build();
const names = ['zeroGrad', 'model.forward', 'loss fwd+bwd', 'model.backward', 'Adam step'];
const sums = new Float64Array(names.length);
function profiled() {
  let t = performance.now(), k = 0;
  const lap = () => { const n = performance.now(); sums[k++] += n - t; t = n; };
  opt.zeroGrad(); lap();
  const h = model.forward(x); lap();
  loss.forward(h, target); const g = loss.backward(); lap();
  model.backward(g); lap();
  opt.step(); lap();
}
const plain = () => { opt.zeroGrad(); loss.forward(model.forward(x), target); model.backward(loss.backward()); opt.step(); };
for (let i = 0; i < 2000; i++) profiled();
sums.fill(0);
for (let i = 0; i < STEPS; i++) profiled();
// The whole step, untimed inside, interleaved with the naive MLP.
const mlp = new NaiveMLP(sizes, { optimizer: 'adam', loss: 'mse' });
const xs = x.toFloat32Array(), ts = target.toFloat32Array();
const naive = () => mlp.step(xs, ts, batch);
const time = (fn, n) => { const s = performance.now(); for (let i = 0; i < n; i++) fn(); return (performance.now() - s) / n * 1000; };
for (let i = 0; i < 2000; i++) { plain(); naive(); }
const a = [], b = [];
for (let r = 0; r < 9; r++) { a.push(time(plain, 2000)); b.push(time(naive, 200)); }
const med = (v) => [...v].sort((p, q) => p - q)[v.length >> 1];
console.log(`seed profile, ${STEPS} steps, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
let total = 0;
names.forEach((n, i) => { total += sums[i]; console.log(`${n.padEnd(20)} ${(sums[i] / STEPS * 1000).toFixed(2)} µs`); });
console.log(`${'sum'.padEnd(20)} ${(total / STEPS * 1000).toFixed(2)} µs`);
console.log(`whole step (median of 9×2000): ${med(a).toFixed(1)} µs; naive MLP ${med(b).toFixed(1)} µs; ratio ${(med(b) / med(a)).toFixed(1)}×`);
