// No allocation per training step in the new layers: a CNN with every one of them, trained with
// Adam, holds the same WASM blocks and bytes from the second step on.
import { describe, expect, it } from 'vitest';
import {
  Adam, AvgPool2d, BatchNorm1d, BatchNorm2d, Conv2d, Flatten, CrossEntropyLoss, Generator, LayerNorm, Linear, MaxPool2d, ReLU,
  Sequential, Tensor, memoryStats,
} from '../../src/index.js';
import { randomArray } from '../helpers/heap.js';

describe('CNN training step', () => {
  it('allocates no WASM memory per step (train and eval)', () => {
    const g = new Generator(1);
    const model = new Sequential(
      new Conv2d(1, 4, 3, { padding: 1, generator: g }), new BatchNorm2d(4), new ReLU(), new MaxPool2d(2),
      new Conv2d(4, 6, 3, { generator: g }), new AvgPool2d(2, { padding: 1 }), new LayerNorm([6, 2, 2]), new Flatten(),
      new Linear(24, 10, { generator: g }), new BatchNorm1d(10), new ReLU(), new Linear(10, 3, { generator: g }));
    const opt = new Adam(model.parameters(), { lr: 1e-3 });
    const loss = new CrossEntropyLoss();
    const x = Tensor.from(randomArray(8 * 1 * 10 * 10, 3), [8, 1, 10, 10]);
    const y = [0, 1, 2, 0, 1, 2, 0, 1];
    const step = (): void => {
      opt.zeroGrad();
      loss.forward(model.forward(x), y);
      model.backward(loss.backward());
      opt.step();
    };
    step();
    model.eval();
    model.forward(x);
    model.train();
    const before = memoryStats();
    for (let i = 0; i < 20; i++) step();
    model.eval();
    model.forward(x);
    const after = memoryStats();
    expect(after.blocksInUse).toBe(before.blocksInUse);
    expect(after.bytesInUse).toBe(before.bytesInUse);
  });
});
