// End to end: real networks trained with the public API.
import { describe, expect, it } from 'vitest';
import {
  Adam, BCELoss, CrossEntropyLoss, Generator, Linear, MSELoss, ReLU, SGD, Sequential, Sigmoid, Tensor,
  disk, manualSeed, memoryStats, oneHot, type Module,
} from '../../src/index.js';

function accuracy(model: Module, x: Tensor, labels: Tensor): number {
  model.eval();
  const out = model.forward(x);
  const [n, classes] = out.shape as [number, number];
  const data = out.toFloat32Array(), y = labels.toFloat32Array();
  let correct = 0;
  for (let i = 0; i < n; i++) {
    let predicted: number;
    if (classes === 1) predicted = data[i]! > 0.5 ? 1 : 0;
    else predicted = data[i * classes + 1]! > data[i * classes]! ? 1 : 0;
    if (predicted === y[i]) correct++;
  }
  model.train();
  return correct / n;
}

describe('end to end', () => {
  it('learns XOR to 100% accuracy (the README quick start)', () => {
    manualSeed(42);
    const model = new Sequential(new Linear(2, 8), new ReLU(), new Linear(8, 1), new Sigmoid());
    const lossFn = new BCELoss();
    const opt = new Adam(model.parameters(), { lr: 1e-2 });
    const x = Tensor.from([[0, 0], [0, 1], [1, 0], [1, 1]]), y = Tensor.from([[0], [1], [1], [0]]);
    let loss = Infinity;
    for (let i = 0; i < 2000; i++) {
      opt.zeroGrad();
      loss = lossFn.forward(model.forward(x), y);
      model.backward(lossFn.backward());
      opt.step();
    }
    expect(loss).toBeLessThan(0.05);
    expect(accuracy(model, x, Tensor.from([0, 1, 1, 0]))).toBe(1);
  });

  it('2-25-25-25-2 on the disk data set reaches ≥ 95% test accuracy with Adam (MSE on one-hot, and cross-entropy)', () => {
    for (const lossKind of ['mse', 'ce'] as const) {
      const gen = new Generator(1);
      const train = disk(1000, gen), test = disk(1000, gen);
      const model = new Sequential(
        new Linear(2, 25, { generator: gen }), new ReLU(), new Linear(25, 25, { generator: gen }), new ReLU(),
        new Linear(25, 25, { generator: gen }), new ReLU(), new Linear(25, 2, { generator: gen }),
      );
      const opt = new Adam(model.parameters(), { lr: 1e-2 });
      const mse = new MSELoss(), ce = new CrossEntropyLoss();
      const batch = 100;
      const xs = train.x.toFloat32Array(), ys = train.y.toFloat32Array();
      const targets = oneHot(train.y, 2).toFloat32Array();
      const xb = Tensor.zeros([batch, 2]), tb = Tensor.zeros([batch, 2]), yb = Tensor.zeros([batch]);
      for (let epoch = 0; epoch < 100; epoch++) {
        for (let start = 0; start < 1000; start += batch) {
          xb.set(xs.subarray(start * 2, (start + batch) * 2));
          tb.set(targets.subarray(start * 2, (start + batch) * 2));
          yb.set(ys.subarray(start, start + batch));
          opt.zeroGrad();
          const out = model.forward(xb);
          if (lossKind === 'mse') {
            mse.forward(out, tb);
            model.backward(mse.backward());
          } else {
            ce.forward(out, yb);
            model.backward(ce.backward());
          }
          opt.step();
        }
      }
      const acc = accuracy(model, test.x, test.y);
      expect(acc, `${lossKind} test accuracy`).toBeGreaterThanOrEqual(0.95);
    }
  });

  it('allocates nothing in steady state: memory in use after step 10 equals after step 1000', () => {
    manualSeed(3);
    const model = new Sequential(new Linear(2, 16), new ReLU(), new Linear(16, 2));
    const opt = new SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
    const lossFn = new CrossEntropyLoss();
    const { x, y } = disk(64, new Generator(4));
    let at10 = 0;
    for (let step = 1; step <= 1000; step++) {
      opt.zeroGrad();
      lossFn.forward(model.forward(x), y);
      model.backward(lossFn.backward());
      opt.step();
      if (step === 10) at10 = memoryStats().bytesInUse;
    }
    expect(memoryStats().bytesInUse).toBe(at10);
  });

  it('gives the same weights with the WASM kernels and the pure-TypeScript reference (within float32 rounding)', async () => {
    const { setBackend } = await import('../../src/index.js');
    const train = (): number[] => {
      const gen = new Generator(9);
      const model = new Sequential(new Linear(2, 8, { generator: gen }), new ReLU(), new Linear(8, 2, { generator: gen }));
      const opt = new Adam(model.parameters(), { lr: 1e-2 });
      const lossFn = new CrossEntropyLoss();
      const { x, y } = disk(50, gen);
      for (let i = 0; i < 20; i++) {
        opt.zeroGrad();
        lossFn.forward(model.forward(x), y);
        model.backward(lossFn.backward());
        opt.step();
      }
      return model.parameters().flatMap((p) => Array.from(p.toFloat32Array()));
    };
    const wasm = train();
    setBackend('reference');
    try {
      const reference = train();
      wasm.forEach((v, i) => expect(Math.abs(v - reference[i]!)).toBeLessThan(1e-4));
    } finally {
      setBackend('wasm');
    }
  });
});
