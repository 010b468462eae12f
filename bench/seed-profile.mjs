// Profile of one seed step (NETWORKS.seed: 2-25-25-25-2, Adam, batch 100, MSE): performance.now()
// around each call of the step, summed over many steps; the step's kernels replayed alone (the
// rest of the whole step is JavaScript); the whole step untimed inside, and the naive MLP.
//   npm run build && flock /work/bench.lock node bench/seed-profile.mjs [--steps 20000]
import { parseArgs } from 'node:util';
import * as wasmnn from '../dist/index.js';
import { NaiveMLP } from './lib/naive-mlp.mjs';
import { mlpStep } from './lib/mlp-step.mjs';
import { loadAverage } from './lib/machine.mjs';
import { median, msPerCall } from './lib/stats.mjs';
import { NETWORKS } from './train-step.mjs';
import { runtime } from '../dist/bench-internal.js';

const { values } = parseArgs({ options: { steps: { type: 'string' } } });
const STEPS = Number(values.steps ?? 20000);
const net = NETWORKS.seed, { sizes, batch } = net;
// The step of bench/train-step.mjs, with backward() (the call this profile has always timed).
const { model, opt, x, target, loss, step: plain } = mlpStep(wasmnn, net, { parametersOnly: false });
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
for (let i = 0; i < 2000; i++) profiled();
sums.fill(0);
for (let i = 0; i < STEPS; i++) profiled();
// The whole step, untimed inside, interleaved with the naive MLP.
const mlp = new NaiveMLP(sizes, { optimizer: 'adam', loss: 'mse' });
const xs = x.toFloat32Array(), ts = target.toFloat32Array();
const naive = () => mlp.step(xs, ts, batch);
const time = (fn, n) => 1000 * msPerCall(fn, n);
for (let i = 0; i < 2000; i++) { plain(); naive(); }
const a = [], b = [];
for (let r = 0; r < 9; r++) { a.push(time(plain, 2000)); b.push(time(naive, 200)); }
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
  calls.forEach(([, fn], i) => { kernelTime[i] += time(fn, 2000) / 9; });
  stepTimes.push(time(plain, 2000));
}
console.log(`seed profile, ${STEPS} steps, load average ${loadAverage(1)}`);
let total = 0;
names.forEach((n, i) => { total += sums[i]; console.log(`${n.padEnd(20)} ${(sums[i] / STEPS * 1000).toFixed(2)} µs`); });
console.log(`${'sum'.padEnd(20)} ${(total / STEPS * 1000).toFixed(2)} µs`);
let kernels = 0;
calls.forEach(([name], i) => { kernels += kernelTime[i]; console.log(`  ${name.padEnd(28)} ${kernelTime[i].toFixed(2)} µs`); });
const stepMean = stepTimes.reduce((p, q) => p + q) / stepTimes.length;
console.log(`  kernels ${kernels.toFixed(1)} µs (mean), whole step ${stepMean.toFixed(1)} µs (mean): JavaScript ≈ ${(stepMean - kernels).toFixed(1)} µs`);
console.log(`whole step (median of 9×2000): ${median(a).toFixed(1)} µs; naive MLP ${median(b).toFixed(1)} µs; ratio ${(median(b) / median(a)).toFixed(1)}×`);
