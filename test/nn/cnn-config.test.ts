// The new layers in saved architectures: saveModel writes each layer's toConfig() with its
// typeName, and loadModel(bytes) alone rebuilds the same model (weights and buffers included).
import { describe, expect, it } from 'vitest';
import {
  AdaptiveAvgPool2d, AvgPool2d, BatchNorm2d, Conv2d, Generator, LayerNorm, MaxPool2d, ReLU, Sequential, Tensor, loadModel, saveModel,
} from '../../src/index.js';
import { randomArray } from '../helpers/heap.js';

describe('CNN layers in model files', () => {
  it('rebuild from the file alone: same repr, state and outputs', () => {
    const g = new Generator(4);
    const model = new Sequential(
      new Conv2d(2, 3, [3, 2], { stride: [1, 2], padding: 1, dilation: [2, 1], generator: g }), new BatchNorm2d(3, { momentum: null }),
      new ReLU(), new MaxPool2d(2, { padding: 1 }), new AvgPool2d([2, 1], { stride: 1 }), new LayerNorm([3, 2, 3], { eps: 1e-3 }),
      new BatchNorm2d(3, { affine: false, trackRunningStats: false }), new Conv2d(3, 6, 1, { groups: 3, generator: g }), new AdaptiveAvgPool2d([1, null]));
    const x = Tensor.from(randomArray(4 * 2 * 6 * 9, 1), [4, 2, 6, 9]);
    model.forward(x);
    model.eval();
    const want = model.forward(x).toFloat32Array();
    const back = loadModel(saveModel(model));
    expect(back.toString()).toBe(model.toString());
    expect(back.stateDict()).toEqual(model.stateDict());
    back.eval();
    expect(back.forward(x).toFloat32Array()).toEqual(want);
  });
});
