// Round-3 probes of determinism across thread counts for the new kernels, through the public API
// only (init({ threads }), as test/backend/threads.test.ts): the fused Linear + ReLU and the small
// Linear path on both sides of the split threshold, the packed GEMM and its thread split, the
// direct / pixel convolutions with 'same' padding, the new pooling options, class-weighted,
// smoothed cross-entropy with ignoreIndex, and fit through backwardParameters. 1–4 threads, with
// the default split threshold and with every call split, must give the same bits.
import { afterAll, describe, expect, it } from 'vitest';
import {
  Adam, AvgPool2d, Conv2d, CrossEntropyLoss, Flatten, Generator, Linear, MaxPool2d, ReLU, SGD, Sequential, Tensor, fit, init,
} from '../../src/index.js';
import { setParallelThreshold } from '../../src/backend/parallel.js';

function data(g: Generator, shape: number[]): Tensor {
  return Tensor.from(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => g.uniform(-1, 1)), shape);
}

/** Small MLPs (fused path) and a wide one (packed GEMM) over batches from 1 to 3000 rows. */
function dense(): Float32Array[] {
  const g = new Generator(31);
  const out: Float32Array[] = [];
  for (const rows of [1, 7, 64, 513, 3000]) {
    const small = new Sequential(new Linear(20, 32, { generator: g }), new ReLU(), new Linear(32, 17, { generator: g }), new ReLU(), new Linear(17, 5, { generator: g }));
    const wide = new Sequential(new Linear(20, 300, { generator: g }), new ReLU(), new Linear(300, 130, { generator: g }), new ReLU(), new Linear(130, 5, { generator: g }));
    const x = data(g, [rows, 20]), y = Tensor.from(Array.from({ length: rows }, (_, i) => (i % 7 === 3 ? -1 : i % 5)));
    for (const model of [small, wide]) {
      const opt = new Adam(model.parameters(), { lr: 1e-2 });
      const ce = new CrossEntropyLoss({ weight: [1, 0.5, 2, 1, 1.5], ignoreIndex: -1, labelSmoothing: 0.1 });
      for (let step = 0; step < 3; step++) {
        opt.zeroGrad();
        out.push(Float32Array.of(ce.forward(model.forward(x), y)));
        if (step === 1) model.backward(ce.backward());
        else model.backwardParameters(ce.backward());
        opt.step();
      }
      out.push(...model.parameters().map((p) => p.toFloat32Array()));
      model.dispose();
      opt.dispose();
      ce.dispose();
    }
  }
  return out;
}

/** A CNN with every new option, trained by fit (backwardParameters) for two epochs. */
function cnn(): Float32Array[] {
  const g = new Generator(37);
  const model = new Sequential(
    new Conv2d(3, 6, 2, { padding: 'same', generator: g }), new ReLU(),
    new MaxPool2d(3, { stride: 2, padding: 1, dilation: [1, 2], ceilMode: true }),
    new Conv2d(6, 8, 3, { padding: 'same', dilation: 2, generator: g }), new ReLU(),
    new AvgPool2d(3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }),
    new AvgPool2d(2, { stride: 1, divisorOverride: 3 }),
    new Conv2d(8, 4, 1, { padding: 'valid', generator: g }), new Flatten(),
  );
  const x = data(g, [24, 3, 15, 13]);
  const width = model.forward(x.reshape([24, 3, 15, 13])).shape[1]!;
  model.append(new Linear(width, 4, { generator: g }));
  const y = Tensor.from(Array.from({ length: 24 }, (_, i) => (i % 6 === 5 ? 9 : i % 4)));
  const history = fit(model, {
    x, y, loss: new CrossEntropyLoss({ ignoreIndex: 9, weight: [1, 2, 1, 0.5] }), optimizer: new SGD(model.parameters(), { lr: 0.05, momentum: 0.9 }),
    epochs: 2, batchSize: 8, shuffle: true, seed: 3,
  });
  const out = [...model.parameters().map((p) => p.toFloat32Array()), Float64Array.from(history.epochs.map((e) => e.loss)) as unknown as Float32Array];
  model.dispose();
  return out;
}

describe('round 3: the new kernels give the same bits with 1 to 4 threads', () => {
  afterAll(async () => {
    setParallelThreshold();
    await init({ threads: 1 });
  });

  const reference = { dense: dense(), cnn: cnn() };

  it.each([2, 3, 4])('%i threads, default threshold and every call split', async (threads) => {
    expect((await init({ threads })).threads).toBe(threads);
    expect(dense()).toEqual(reference.dense);
    expect(cnn()).toEqual(reference.cnn);
    setParallelThreshold(0);
    try {
      expect(dense()).toEqual(reference.dense);
      expect(cnn()).toEqual(reference.cnn);
    } finally {
      setParallelThreshold();
    }
  });

  it('back to one thread, the same bits again', async () => {
    await init({ threads: 1 });
    expect(dense()).toEqual(reference.dense);
    expect(cnn()).toEqual(reference.cnn);
  });
});
