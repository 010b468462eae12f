// The LeNet training step (issue 11): forward + loss + backward + Adam update at batch 64 on
// [64, 1, 28, 28] inputs, for wasmnn (WASM and its reference kernels) and TF.js (tfjs-layers
// trainOnBatch on cpu and wasm). PyTorch's row comes from bench/mnist_torch.py --step.
// Run: npm run build && flock /work/bench.lock npm run bench -- --only lenet [--no-tf]
import {
  Adam, BatchNorm2d, Conv2d, CrossEntropyLoss, Flatten, Generator, Linear, MaxPool2d, ReLU, Sequential, Tensor, setBackend,
} from '../dist/index.js';
import { spawnSync } from 'node:child_process';
import { measure, fmt, range } from './lib/stats.mjs';

export const BATCH = 64;

/** Multiply-adds per sample of each LeNet layer (conv: outC·outH·outW·inC·k²). */
const MACS = { conv1: 6 * 28 * 28 * 1 * 25, conv2: 16 * 10 * 10 * 6 * 25, fc: 400 * 120 + 120 * 84 + 84 * 10 };
/** Forward 1×, backward 2× (no input gradient for the first conv), two flops per multiply-add: ≈ 145 MFLOP at batch 64. */
export const LENET_FLOPS = 2 * BATCH * (3 * (MACS.conv1 + MACS.conv2 + MACS.fc) - MACS.conv1);

/** The LeNet-5-style network of the issue, with or without BatchNorm2d (classes from `lib`: a bundle). */
export function lenet(bn, generator = new Generator(2), lib = { BatchNorm2d, Conv2d, Flatten, Linear, MaxPool2d, ReLU, Sequential }) {
  const g = generator;
  const { BatchNorm2d, Conv2d, Flatten, Linear, MaxPool2d, ReLU, Sequential } = lib;
  const norm = (c) => (bn ? [new BatchNorm2d(c)] : []);
  return new Sequential(
    new Conv2d(1, 6, 5, { padding: 2, generator: g }), ...norm(6), new ReLU(), new MaxPool2d(2),
    new Conv2d(6, 16, 5, { generator: g }), ...norm(16), new ReLU(), new MaxPool2d(2), new Flatten(),
    new Linear(400, 120, { generator: g }), new ReLU(), new Linear(120, 84, { generator: g }), new ReLU(), new Linear(84, 10, { generator: g }),
  );
}

function batch() {
  const g = new Generator(1);
  const x = Tensor.from(Float32Array.from({ length: BATCH * 784 }, () => g.random()), [BATCH, 1, 28, 28]);
  const y = Tensor.from(Array.from({ length: BATCH }, () => g.randint(10)));
  return { x, y };
}

/** A wasmnn LeNet step on the given kernels. */
export function wasmnnLenetStep(bn, backend) {
  setBackend(backend);
  const model = lenet(bn);
  const opt = new Adam(model.parameters(), { lr: 1e-3 });
  const loss = new CrossEntropyLoss();
  const { x, y } = batch();
  return {
    model, opt, x, y,
    step: () => {
      opt.zeroGrad();
      loss.forward(model.forward(x), y);
      // As PyTorch: the input does not require grad, so the first layer's input gradient is skipped.
      model.backwardParameters(loss.backward());
      opt.step();
    },
    dispose: () => { model.dispose(); opt.dispose(); setBackend('wasm'); },
  };
}

/** tfjs-layers LeNet (NHWC), trainOnBatch with Adam. */
async function tfjsLenetStep(backend, bn) {
  const tf = await import('@tensorflow/tfjs-core');
  await import('@tensorflow/tfjs-backend-cpu');
  await import('@tensorflow/tfjs-backend-wasm');
  const tfl = await import('@tensorflow/tfjs-layers');
  await tf.setBackend(backend);
  await tf.ready();
  const model = tfl.sequential();
  const norm = () => (bn ? [tfl.layers.batchNormalization({ axis: 3 })] : []);
  for (const layer of [
    tfl.layers.conv2d({ inputShape: [28, 28, 1], filters: 6, kernelSize: 5, padding: 'same' }), ...norm(), tfl.layers.reLU(), tfl.layers.maxPooling2d({ poolSize: 2 }),
    tfl.layers.conv2d({ filters: 16, kernelSize: 5 }), ...norm(), tfl.layers.reLU(), tfl.layers.maxPooling2d({ poolSize: 2 }), tfl.layers.flatten(),
    tfl.layers.dense({ units: 120, activation: 'relu' }), tfl.layers.dense({ units: 84, activation: 'relu' }), tfl.layers.dense({ units: 10, activation: 'softmax' }),
  ]) model.add(layer);
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
  const x = tf.randomUniform([BATCH, 28, 28, 1], 0, 1, 'float32', 1);
  const y = tf.cast(tf.oneHot(tf.randomUniform([BATCH], 0, 10, 'int32', 2), 10), 'float32');
  return { step: async () => { await model.trainOnBatch(x, y); }, dispose: () => { model.dispose(); tf.dispose([x, y]); } };
}

/** PyTorch 1.13 on one thread, through bench/mnist_torch.py --step (null when torch is missing). */
export function torchStep(bn, reps) {
  const r = spawnSync('/usr/bin/python3', ['bench/mnist_torch.py', '--step', '--model', bn ? 'lenet-bn' : 'lenet', '--threads', '1', '--repeats', String(reps)], { encoding: 'utf8' });
  if (r.status !== 0) return { error: (r.stderr || 'python3 failed').trim().split('\n').pop() };
  const j = JSON.parse(r.stdout);
  return { median: j.ms_median, min: j.ms_min, max: j.ms_max ?? j.ms_median, label: j.framework };
}

/** Table rows: one per implementation, for plain LeNet and (unless quick) LeNet with BatchNorm. */
export async function benchLenetStep({ reps, withTf, withTorch = true, quick }) {
  const rows = [];
  for (const bn of quick ? [false] : [false, true]) {
    const network = bn ? 'LeNet+BN b64' : 'LeNet b64';
    const results = [];
    const time = async (impl, make, opts) => {
      try {
        const runner = await make();
        const m = await measure(runner.step, opts);
        runner.dispose();
        results.push({ impl, m });
      } catch (e) {
        results.push({ impl, error: e.message.split('\n')[0] });
      }
    };
    await time('wasmnn (WASM SIMD)', () => wasmnnLenetStep(bn, 'wasm'), { reps, warmup: 3, targetMs: 200 });
    await time('wasmnn reference (pure TS)', () => wasmnnLenetStep(bn, 'reference'), { reps: quick ? 1 : 3, warmup: 1, targetMs: 1 });
    if (withTorch) {
      const t = torchStep(bn, quick ? 3 : 15);
      results.push(t.error ? { impl: 'PyTorch 1 thread', error: t.error } : { impl: `PyTorch ${t.label.replace('pytorch ', '')} 1 thread`, m: t });
    }
    if (withTf) {
      await time('TF.js cpu trainOnBatch', () => tfjsLenetStep('cpu', bn), { reps: quick ? 1 : 3, warmup: 1, targetMs: 1 });
      await time('TF.js wasm trainOnBatch', () => tfjsLenetStep('wasm', bn), { reps: quick ? 1 : 3, warmup: 1, targetMs: 1 });
    }
    const ours = results[0].m?.median;
    for (const { impl, m, error } of results) {
      rows.push(error
        ? { network, implementation: impl, 'ms/step (median)': 'fails', 'min–max': '', 'samples/s': '', 'model GFLOP/s': '', 'wasmnn speed-up': '', note: error }
        : {
          network, implementation: impl, 'ms/step (median)': fmt(m.median), 'min–max': range(m),
          'samples/s': Math.round((BATCH * 1000) / m.median), 'model GFLOP/s': fmt(LENET_FLOPS / m.median / 1e6),
          'wasmnn speed-up': ours ? fmt(m.median / ours) : '-', note: '',
        });
    }
  }
  return rows;
}

// Run directly: node bench/lenet-step.mjs [--quick] [--no-tf]
if (import.meta.url === `file://${process.argv[1]}`) {
  const quick = process.argv.includes('--quick');
  console.table(await benchLenetStep({ reps: quick ? 2 : 7, withTf: !process.argv.includes('--no-tf'), quick }));
}
