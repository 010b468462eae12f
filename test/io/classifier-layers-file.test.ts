// Flatten, Dropout and LogSoftmax in model files: the architecture is written with their
// constructor arguments and loadModel(bytes) rebuilds them from the layer registry.
import { describe, expect, it } from 'vitest';
import {
  BatchNorm2d, Conv2d, Dropout, Flatten, Generator, Linear, LogSoftmax, MaxPool2d, ReLU, Sequential, Tensor, loadModel, saveModel,
} from '../../src/index.js';

describe('classifier layers in model files', () => {
  it('a LeNet-like model with Flatten(1, -1), Dropout(0.3) and LogSoftmax(1) saves and loads back identically', () => {
    const g = new Generator(3);
    const model = new Sequential(
      new Conv2d(1, 2, 3, { padding: 1, generator: g }), new BatchNorm2d(2), new ReLU(), new MaxPool2d(2), new Flatten(1, -1),
      new Dropout(0.3, { generator: g }), new Linear(8, 3, { generator: g }), new LogSoftmax(1),
    );
    const x = Tensor.from(Float32Array.from({ length: 32 }, (_, i) => Math.sin(i)), [2, 1, 4, 4]);
    model.forward(x); // update the running statistics once
    model.eval();
    const loaded = loadModel(saveModel(model));
    loaded.eval();
    expect(loaded.toString()).toBe(model.toString());
    expect(loaded.toString()).toContain('(5): Dropout(p=0.3, inplace=False)');
    expect(Array.from(loaded.forward(x).toFloat32Array())).toEqual(Array.from(model.forward(x).toFloat32Array()));
  });
});
