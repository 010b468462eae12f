// Round-3 probes of Module.backwardParameters (every layer, Sequential's override, fit): hostile
// gradients, wrong order of calls, disposed objects and inputs, memory growth between the passes.
// Each rejected call must be a WasmnnError naming the call and leave every gradient as it was.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AvgPool2d, BatchNorm1d, Conv2d, CrossEntropyLoss, Dropout, Flatten, Generator, Linear, MaxPool2d, Module, ReLU, SGD, Sequential,
  ShapeError, StateError, Tensor, Tanh, ValueError, fit, gradcheck, manualSeed, memoryStats,
} from '../../src/index.js';
import { rejects, seededData as data, grads, values } from '../helpers/trust.js';

/** Each model with an input that passes its forward, and the shape of its output. */
function models(): Array<{ name: string; model: Module; x: Tensor; out: number[] }> {
  const g = new Generator(3);
  return [
    { name: 'Linear', model: new Linear(3, 4, { generator: g }), x: data([2, 3], 1), out: [2, 4] },
    { name: 'fused MLP', model: new Sequential(new Linear(3, 4, { generator: g }), new ReLU(), new Linear(4, 2, { generator: g }), new ReLU()), x: data([2, 3], 2), out: [2, 2] },
    { name: 'Linear+ReLU only', model: new Sequential(new Linear(3, 5, { generator: g }), new ReLU()), x: data([4, 3], 3), out: [4, 5] },
    { name: 'CNN', model: new Sequential(new Conv2d(1, 2, 3, { padding: 'same', generator: g }), new MaxPool2d(2), new Flatten(), new Linear(8, 3, { generator: g })), x: data([2, 1, 4, 4], 4), out: [2, 3] },
    { name: 'Conv2d same, even kernel', model: new Conv2d(2, 3, 2, { padding: 'same', generator: g }), x: data([1, 2, 5, 5], 5), out: [1, 3, 5, 5] },
    { name: 'empty Sequential', model: new Sequential(), x: data([2, 3], 6), out: [2, 3] },
    { name: 'Sequential(Tanh)', model: new Sequential(new Tanh()), x: data([2, 3], 7), out: [2, 3] },
    { name: 'AvgPool2d ceilMode', model: new AvgPool2d(2, { ceilMode: true, countIncludePad: false }), x: data([1, 1, 3, 3], 8), out: [1, 1, 2, 2] },
  ];
}

describe('round 3: backwardParameters refuses what backward refuses', () => {
  it('a gradOutput that is not a tensor (null, undefined, NaN, a number, an array, an object) is a ValueError, gradients unchanged', () => {
    for (const { name, model, x } of models()) {
      model.forward(x);
      const before = grads(model);
      for (const bad of [null, undefined, NaN, 1e39, -Infinity, [[1, 2]], {}, 'g']) {
        rejects(() => model.backwardParameters(bad as never), ValueError, /backward.*gradOutput|gradOutput.*Tensor/);
        expect(grads(model), `${name} after ${String(bad)}`).toEqual(before);
      }
      model.dispose();
    }
  });

  it('a gradOutput of the wrong shape (fast-check) is a ShapeError naming the shape wanted, gradients unchanged', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 4 }), (shape) => {
      for (const { model, x, out } of models()) {
        model.forward(x);
        const before = grads(model);
        const dy = Tensor.zeros(shape);
        if (shape.length === out.length && shape.every((d, i) => d === out[i])) {
          model.backwardParameters(dy);
        } else {
          rejects(() => model.backwardParameters(dy), ShapeError, /gradOutput must have the shape/);
          expect(grads(model)).toEqual(before);
        }
        dy.dispose();
        model.dispose();
      }
    }), { numRuns: 40 });
  });

  it('before any forward, and after a rejected forward that followed a good one, is a StateError', () => {
    for (const { name, model, x, out } of models()) {
      const dy = data(out, 9);
      rejects(() => model.backwardParameters(dy), StateError, /called before a successful forward/);
      if (name === 'empty Sequential' || name === 'Sequential(Tanh)') continue; // their forward takes any tensor
      model.forward(x);
      const before = grads(model);
      expect(() => model.forward(Tensor.zeros([1, 7, 7, 7, 7]))).toThrow(ShapeError);
      rejects(() => model.backwardParameters(dy), StateError, /before a successful forward/);
      expect(grads(model), name).toEqual(before);
      model.dispose();
    }
  });

  it('twice after one forward accumulates exactly what backward twice does (fused chain and Conv2d)', () => {
    const build = (): Sequential => {
      const g = new Generator(11);
      return new Sequential(new Conv2d(1, 2, 3, { padding: 1, generator: g }), new Flatten(), new Linear(32, 6, { generator: g }), new ReLU(), new Linear(6, 2, { generator: g }));
    };
    const a = build(), b = build(), x = data([3, 1, 4, 4], 1), dy = data([3, 2], 2);
    a.forward(x); a.backward(dy); a.backward(dy);
    b.forward(x); b.backwardParameters(dy); b.backwardParameters(dy);
    expect(grads(b)).toEqual(grads(a));
  });

  it('a disposed module, a disposed gradOutput and a disposed input of the last forward are StateErrors', () => {
    for (const { name, model, x, out } of models()) {
      const own = data(x.shape as number[], 1);
      model.forward(own);
      const before = grads(model);
      const dy = data(out, 2);
      dy.dispose();
      rejects(() => model.backwardParameters(dy), StateError, /disposed|stale/);
      expect(grads(model), name).toEqual(before);
      own.dispose();
      if (model.parameters().length > 0 && name !== 'Conv2d same, even kernel') {
        rejects(() => model.backwardParameters(data(out, 3)), StateError, /input of the last forward|disposed/);
        expect(grads(model), name).toEqual(before);
      }
      model.dispose();
      rejects(() => model.backwardParameters(data(out, 3)), StateError, /disposed/);
    }
  });

  it('memory growing between forward and backwardParameters changes no bit of the gradients', () => {
    const build = (): Sequential => {
      const g = new Generator(5);
      return new Sequential(new Linear(6, 8, { generator: g }), new ReLU(), new Linear(8, 3, { generator: g }), new BatchNorm1d(3), new ReLU(), new Linear(3, 2, { generator: g }));
    };
    const x = data([5, 6], 1), dy = data([5, 2], 2);
    const a = build();
    a.forward(x);
    a.backwardParameters(dy);
    const b = build();
    b.forward(x);
    const grows = memoryStats().growCount;
    const big = Tensor.zeros([memoryStats().memoryBytes / 4]); // more than is free: memory must grow
    expect(memoryStats().growCount).toBeGreaterThan(grows);
    b.backwardParameters(dy);
    expect(grads(b)).toEqual(grads(a));
    big.dispose();
  });

  it('fit (which trains through backwardParameters) ends with the weights of the same loop through backward', () => {
    const build = (): Sequential => {
      const g = new Generator(9);
      return new Sequential(new Linear(4, 6, { generator: g }), new ReLU(), new Linear(6, 3, { generator: g }));
    };
    const x = data([12, 4], 1), y = Tensor.from([0, 1, 2, 0, 1, 2, 0, 1, 2, 2, 1, 0]);
    const a = build(), optA = new SGD(a.parameters(), { lr: 0.1 }), ce = new CrossEntropyLoss();
    for (let i = 0; i < 3; i++) {
      optA.zeroGrad();
      ce.forward(a.forward(x), y);
      a.backward(ce.backward());
      optA.step();
    }
    const b = build();
    fit(b, { x, y, loss: new CrossEntropyLoss(), optimizer: new SGD(b.parameters(), { lr: 0.1 }), epochs: 3, batchSize: 12, shuffle: false });
    expect(values(b)).toEqual(values(a));
  });

  it('gradcheck refuses a training-mode Dropout every time, even when two forwards happen to agree (one output, 40 seeds)', () => {
    class MyDropout extends Dropout {
      static override readonly typeName: string = 'MyDropout';
    }
    for (let seed = 0; seed < 40; seed++) {
      manualSeed(seed);
      for (const drop of [new Dropout(0.5), new MyDropout(0.5)]) {
        const model = new Sequential(new Linear(1, 1, { generator: new Generator(1) }), drop);
        const before = values(model);
        rejects(() => gradcheck(model, Tensor.from([[0.7]])), StateError, /Dropout\(p=0\.5\) at '1'.*eval\(\)|eval\(\).*Dropout/);
        expect(values(model)).toEqual(before);
        model.eval();
        expect(gradcheck(model, Tensor.from([[0.7]])).ok).toBe(true);
      }
    }
  });
});
