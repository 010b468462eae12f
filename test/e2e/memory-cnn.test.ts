// No per-step allocation in a CNN: the allocator's figures stay flat over many training steps of
// a LeNet-style network with every new layer (conv, batch norm, pools, flatten, dropout,
// log-softmax + NLL), in training and evaluation mode.
import { describe, expect, it } from 'vitest';
import {
  Adam, AvgPool2d, BatchNorm1d, BatchNorm2d, Conv2d, Dropout, Flatten, Generator, LayerNorm, Linear, LogSoftmax, MaxPool2d,
  NLLLoss, ReLU, Sequential, Tensor, memoryStats,
} from '../../src/index.js';

describe('memory of a CNN', () => {
  it('stays flat over 300 training steps and 300 evaluation forwards', () => {
    const g = new Generator(1);
    const model = new Sequential(
      new Conv2d(1, 4, 5, { padding: 2, generator: g }), new BatchNorm2d(4), new ReLU(), new MaxPool2d(2),
      new Conv2d(4, 8, 3, { generator: g }), new Conv2d(8, 8, 1, { groups: 8, generator: g }), new BatchNorm2d(8), new ReLU(), new AvgPool2d(2), new Flatten(),
      new Linear(72, 32, { generator: g }), new BatchNorm1d(32), new LayerNorm(32), new ReLU(), new Dropout(0.3, { generator: g }),
      new Linear(32, 10, { generator: g }), new LogSoftmax(1),
    );
    const opt = new Adam(model.parameters(), { lr: 1e-3 });
    const loss = new NLLLoss();
    const x = Tensor.from(Float32Array.from({ length: 8 * 256 }, () => g.random()), [8, 1, 16, 16]);
    const y = Tensor.from(Array.from({ length: 8 }, (_, i) => i));
    const step = (): void => {
      opt.zeroGrad();
      loss.forward(model.forward(x), y);
      model.backward(loss.backward());
      opt.step();
    };
    for (let i = 0; i < 5; i++) step();
    model.eval();
    model.forward(x);
    model.train();
    const before = memoryStats();
    for (let i = 0; i < 300; i++) step();
    model.eval();
    for (let i = 0; i < 300; i++) model.forward(x);
    const after = memoryStats();
    expect(after.bytesInUse).toBe(before.bytesInUse);
    expect(after.blocksInUse).toBe(before.blocksInUse);
    expect(after.growCount).toBe(before.growCount);
  });
});
