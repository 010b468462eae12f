// Training-step benchmark: forward + loss + backward + update, median ms per step, of the MLPs in
// NETWORKS (seed, mid, mnist, wide): wasmnn on its WASM and its reference kernels, the naive
// pure-JS MLP, and TF.js peers. Run: `npm run bench -- --only train [--networks seed,mnist]`.
import * as wasmnn from '../dist/index.js';
import { mlpInputs, mlpStep } from './lib/mlp-step.mjs';
import { NaiveMLP } from './lib/naive-mlp.mjs';
import { measure, fmt, range } from './lib/stats.mjs';

export const NETWORKS = {
  seed: { sizes: [2, 25, 25, 25, 2], batch: 100, loss: 'mse', optim: 'adam' },
  mid: { sizes: [64, 128, 128, 10], batch: 64, loss: 'ce', optim: 'adam' },
  mnist: { sizes: [784, 512, 512, 10], batch: 128, loss: 'ce', optim: 'adam' },
  wide: { sizes: [1024, 2048, 1024], batch: 256, loss: 'mse', optim: 'sgd' },
};

/**
 * The arithmetic a step performs, two flops per multiply-add: forward (1×) and backward (2×) of
 * every layer, 6·batch·Σ in·out, less the first layer's input gradient (2·batch·in·out), which
 * no implementation here computes (fit() and PyTorch skip it). Until 2026-12-02 (round 6) the
 * tables counted it too (the issues' "model GFLOP/s": 513.6 instead of 410.9 MFLOP for mnist),
 * which put figures above the SIMD ceiling they are compared with.
 */
export const modelFlops = (net) =>
  6 * net.batch * net.sizes.slice(1).reduce((s, out, l) => s + net.sizes[l] * out, 0) - 2 * net.batch * net.sizes[0] * net.sizes[1];

/** wasmnn with the given kernels ('wasm' or 'reference'); backward as fit() runs it (backwardParameters). */
export function wasmnnStep(net, backend) {
  wasmnn.setBackend(backend);
  const run = mlpStep(wasmnn, net);
  return { step: run.step, dispose: () => { run.dispose(); wasmnn.setBackend('wasm'); } };
}

function naiveStep(net) {
  const mlp = new NaiveMLP(net.sizes, { optimizer: net.optim, loss: net.loss });
  const { x, onehot } = mlpInputs(wasmnn, net);
  return { step: () => mlp.step(x, onehot, net.batch), dispose: () => {} };
}

/** Runs every implementation on the chosen networks; returns table rows. */
export async function benchTrainStep({ networks, reps, withTf, slowLimitMs }) {
  const peers = withTf ? await import('./lib/tfjs-peers.mjs') : null;
  const rows = [];
  for (const name of networks) {
    const net = NETWORKS[name];
    const flops = modelFlops(net);
    const impls = [
      ['wasmnn (WASM SIMD)', () => wasmnnStep(net, 'wasm')],
      ['wasmnn reference (pure TS)', () => wasmnnStep(net, 'reference')],
      ['naive pure-JS MLP', () => naiveStep(net)],
    ];
    if (peers) {
      for (const backend of ['cpu', 'wasm']) {
        impls.push([`TF.js ${backend} trainOnBatch`, async () => { await peers.useBackend(backend); return peers.layersStep(net); }]);
        impls.push([`TF.js ${backend} minimize`, async () => { await peers.useBackend(backend); return peers.minimizeStep(net); }]);
      }
      impls.push(['TF.js wasm customGrad workaround', async () => { await peers.useBackend('wasm'); return peers.customGradStep(net); }]);
    }
    const results = [];
    for (const [impl, make] of impls) {
      const runner = await make();
      // Slow peers on big networks: one warm-up step, fewer inner steps (still ≥ reps repetitions).
      const m = await measure(runner.step, { reps, warmup: 1, targetMs: slowLimitMs });
      runner.dispose();
      results.push({ impl, m });
    }
    const ours = results[0].m.median;
    const byName = Object.fromEntries(results.map((r) => [r.impl, r.m.median]));
    for (const { impl, m } of results) {
      rows.push({
        network: name, implementation: impl, 'ms/step (median)': fmt(m.median), 'min–max': range(m),
        'samples/s': Math.round((net.batch * 1000) / m.median), 'model GFLOP/s': fmt(flops / m.median / 1e6),
        'wasmnn speed-up': fmt(m.median / ours),
      });
    }
    rows.push({ network: name, implementation: '—', 'ms/step (median)': '', 'min–max': '', 'samples/s': '', 'model GFLOP/s': '', 'wasmnn speed-up': '' });
    void byName;
  }
  return rows;
}
