// Profile of one seed step (2-25-25-25-2, Adam, batch 100, MSE): performance.now() around each
// call of the step, summed over many steps; plus the whole step untimed, and the naive MLP.
//   node bench/seed-profile.mjs [--steps 20000]
import { parseArgs } from 'node:util';
import os from 'node:os';
import { Adam, Generator, Linear, MSELoss, ReLU, Sequential, Tensor } from '../dist/index.js';
import { NaiveMLP } from './lib/naive-mlp.mjs';
import { runtime } from '../dist/bench-internal.js';

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

const { model, opt, x, target, loss } = build();
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
// The step's kernels replayed alone on the same shapes (bench-internal is a separate bundle with
// its own memory), interleaved with whole steps: the difference is the JavaScript around them.
const rt = runtime(), k = rt.wasm;
const buf = (n) => { const blk = rt.allocator.alloc(Math.max(n, 4) * 4); const f = rt.allocator.f32(); for (let i = 0; i < n; i++) f[(blk.ptr >> 2) + i] = Math.sin(i) / 2; return blk.ptr; };
const S = buf(4096), m = batch, calls = [];
for (let l = 0; l + 1 < sizes.length; l++) {
  const inF = sizes[l], outF = sizes[l + 1], relu = l + 2 < sizes.length ? 1 : 0;
  const X = buf(m * inF), W = buf(outF * inF), B = buf(outF), Z = buf(m * outF), Y = buf(m * outF), DY = buf(m * outF), DZ = buf(m * outF), DX = buf(m * inF), DW = buf(outF * inF), DB = buf(outF);
  calls.push([`denseForward ${inF}->${outF}${relu ? '+ReLU' : ''}`, () => k.denseForward(m, outF, inF, X, W, B, Z, relu ? Y : 0, S)]);
  calls.push([`denseBackward ${inF}->${outF}${relu ? '+ReLU' : ''}`, () => k.denseBackward(m, outF, inF, X, W, DY, relu ? Z : 0, DZ, DW, DB, DX, S)]);
}
{
  const P = buf(1428), G = buf(1428), M = buf(1428), V = buf(1428);
  calls.push(['adamStep 1428', () => k.adamStep(1428, P, G, M, V, 0, 1e-3, 0.9, 0.999, 1e-8, 0, 0, 0, 0, 1e-3, 0.5)]);
  calls.push(['fill 1428 (zeroGrad)', () => k.fill(1428, G, 0)]);
  calls.push(['mseLoss 200', () => k.mseLoss(200, P, G, M, 0.005, 0)]);
}
const kernelTime = new Float64Array(calls.length);
const stepTimes = [];
for (let r = 0; r < 9; r++) {
  calls.forEach(([, fn], i) => { const s = performance.now(); for (let j = 0; j < 2000; j++) fn(); kernelTime[i] += (performance.now() - s) / 2000 * 1000 / 9; });
  const s = performance.now(); for (let j = 0; j < 2000; j++) plain(); stepTimes.push((performance.now() - s) / 2000 * 1000);
}
console.log(`seed profile, ${STEPS} steps, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
let total = 0;
names.forEach((n, i) => { total += sums[i]; console.log(`${n.padEnd(20)} ${(sums[i] / STEPS * 1000).toFixed(2)} µs`); });
console.log(`${'sum'.padEnd(20)} ${(total / STEPS * 1000).toFixed(2)} µs`);
let kernels = 0;
calls.forEach(([name], i) => { kernels += kernelTime[i]; console.log(`  ${name.padEnd(28)} ${kernelTime[i].toFixed(2)} µs`); });
const stepMean = stepTimes.reduce((p, q) => p + q) / stepTimes.length;
console.log(`  kernels ${kernels.toFixed(1)} µs (mean), whole step ${stepMean.toFixed(1)} µs (mean): JavaScript ≈ ${(stepMean - kernels).toFixed(1)} µs`);
console.log(`whole step (median of 9×2000): ${med(a).toFixed(1)} µs; naive MLP ${med(b).toFixed(1)} µs; ratio ${(med(b) / med(a)).toFixed(1)}×`);
