// Interleaved A/B of the seed step (NETWORKS.seed: 2-25-25-25-2, Adam, batch 100, MSE), the step
// bench/train-step.mjs times: the old build with backward(), the new build with backward() and
// with backwardParameters() (fit()'s call), and the naive pure-JS MLP, in many short alternating
// rounds; medians and fastest tenths (p10, steadier under load), and their ratios; then whether
// the three models' parameters are equal byte for byte after the same number of steps.
//   flock /work/bench.lock node bench/seed-ab.mjs OLD_DIST_DIR [NEW_DIST_DIR (default dist/)] [--rounds 60]
import { NaiveMLP } from './lib/naive-mlp.mjs';
import { importBuild } from './lib/builds.mjs';
import { mlpInputs, mlpStep } from './lib/mlp-step.mjs';
import { loadAverage } from './lib/machine.mjs';
import { msPerCall, quantile } from './lib/stats.mjs';
import { NETWORKS } from './train-step.mjs';

const args = process.argv.slice(2);
const roundsAt = args.indexOf('--rounds');
const rounds = roundsAt >= 0 ? Number(args.splice(roundsAt, 2)[1]) : 60;
const [oldDir, newDir = new URL('../dist', import.meta.url).pathname] = args;
const net = NETWORKS.seed;

const oldLib = await importBuild(oldDir), newLib = await importBuild(newDir);
const a = mlpStep(oldLib, net, { parametersOnly: false });
const b = mlpStep(newLib, net, { parametersOnly: false });
const c = mlpStep(newLib, net, { parametersOnly: true });
const mlp = new NaiveMLP(net.sizes, { optimizer: net.optim, loss: net.loss });
const { x: xs, onehot } = mlpInputs(newLib, net);
const naive = { step: () => mlp.step(xs, onehot, net.batch) };
const us = (fn, n) => 1000 * msPerCall(fn, n);
for (let i = 0; i < 3000; i++) { a.step(); b.step(); c.step(); }
for (let i = 0; i < 300; i++) naive.step();
const ta = [], tb = [], tc = [], tn = [];
// Many short rounds: under load, the fastest tenth (p10) is steadier than the median.
for (let r = 0; r < rounds; r++) { ta.push(us(a.step, 500)); tb.push(us(b.step, 500)); tc.push(us(c.step, 500)); tn.push(us(naive.step, 40)); }
const report = (q, label) => {
  const [ma, mb, mc, mn] = [quantile(ta, q), quantile(tb, q), quantile(tc, q), quantile(tn, q)];
  console.log(`${label}: old backward() ${ma.toFixed(1)} µs (${(mn / ma).toFixed(1)}× naive); new backward() ${mb.toFixed(1)} µs (${(mn / mb).toFixed(1)}× naive, ${(ma / mb).toFixed(2)}× old); ` +
    `new backwardParameters() ${mc.toFixed(1)} µs (${(mn / mc).toFixed(1)}× naive, ${(ma / mc).toFixed(2)}× old); naive ${mn.toFixed(0)} µs`);
};
console.log(`seed step, ${rounds} interleaved rounds (500 / 500 / 500 / 40 steps), load average ${loadAverage(1)}`);
report(0.5, 'median');
report(0.1, 'p10');
// The three steps ran the same number of times from the same weights and data: their parameters
// must be equal byte for byte (backwardParameters accumulates exactly backward()'s gradients).
const bytes = (s) => s.model.parameters().map((p) => new Uint8Array(p.toFloat32Array().buffer));
const same = (x, y) => x.length === y.length && x.every((p, i) => p.length === y[i].length && p.every((v, j) => v === y[i][j]));
const pa = bytes(a), pb = bytes(b), pc = bytes(c);
const steps = 3000 + 500 * rounds;
console.log(`parameters after ${steps} steps: new backward() ${same(pa, pb) ? 'bit-identical to' : 'DIFFER from'} old; ` +
  `new backwardParameters() ${same(pa, pc) ? 'bit-identical to' : 'DIFFER from'} old`);
if (!same(pa, pb) || !same(pa, pc)) process.exitCode = 1;
