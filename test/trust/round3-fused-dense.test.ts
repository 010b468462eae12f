// Round-3 probes of the fused Linear + ReLU path inside Sequential and the small-Linear path
// (src/backend/ops-dense.ts, assembly/dense-small.ts): a user's own forward / backward (on the
// instance, in a subclass, on the prototype) must run; what the fused pass returns stays
// readable until the next forward; a rejected call changes nothing; hostile inputs are errors.
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  Adam, CrossEntropyLoss, Generator, Linear, MSELoss, OutOfMemoryError, ReLU, Sequential, ShapeError, StateError,
  Tensor, ValueError, WasmnnError,
} from '../../src/index.js';
import { seededData as data, grads, values, failAllocationAt } from '../helpers/trust.js';

afterEach(() => {
  vi.restoreAllMocks();
});

/** Linear(3, 4) + ReLU + Linear(4, 2), weights from seed 1, with the first two layers given. */
function chain(first: Linear, relu: ReLU): Sequential {
  const g = new Generator(1);
  const ref = new Linear(3, 4, { generator: g });
  first.weight.set(ref.weight.toFloat32Array());
  first.bias!.set(ref.bias!.toFloat32Array());
  return new Sequential(first, relu, new Linear(4, 2, { generator: g }));
}

describe('round 3: the fused Linear + ReLU path never bypasses the user', () => {
  it('a forward and backward replaced on the instance run, and the results are theirs', () => {
    const lin = new Linear(3, 4), relu = new ReLU();
    const calls: string[] = [];
    const linForward = lin.forward.bind(lin), reluBackward = relu.backward.bind(relu);
    lin.forward = (x: Tensor): Tensor => { calls.push('linear.forward'); return linForward(x); };
    relu.backward = (g: Tensor): Tensor => { calls.push('relu.backward'); return reluBackward(g); };
    const model = chain(lin, relu);
    model.forward(data([2, 3], 1));
    model.backwardParameters(data([2, 2], 2));
    expect(calls).toEqual(['linear.forward', 'relu.backward']);
  });

  it('subclasses of Linear and ReLU keep their overrides (forward and backwardParameters)', () => {
    const calls: string[] = [];
    class Counted extends Linear {
      static override readonly typeName: string = 'Counted';
      override forward(x: Tensor): Tensor { calls.push('forward'); return super.forward(x); }
      override backwardParameters(g: Tensor): void { calls.push('backwardParameters'); super.backwardParameters(g); }
    }
    class Leaky extends ReLU {
      static override readonly typeName: string = 'Leaky';
      override forward(x: Tensor): Tensor { calls.push('relu'); return super.forward(x); }
    }
    const model = chain(new Counted(3, 4), new Leaky());
    model.forward(data([2, 3], 1));
    model.backwardParameters(data([2, 2], 2));
    expect(calls).toEqual(['forward', 'relu', 'backwardParameters']);
  });

  it('a method patched on the prototype (vi.spyOn(Linear.prototype, …)) is called, not skipped', () => {
    const model = chain(new Linear(3, 4), new ReLU());
    const forward = vi.spyOn(Linear.prototype, 'forward');
    const reluForward = vi.spyOn(ReLU.prototype, 'forward');
    model.forward(data([2, 3], 1));
    expect(forward).toHaveBeenCalledTimes(2); // both Linear layers
    expect(reluForward).toHaveBeenCalledTimes(1);
  });

  it('what a fused forward returned stays readable after backward and the step, and is refused after the next forward', () => {
    const model = new Sequential(new Linear(3, 4, { generator: new Generator(2) }), new ReLU());
    const opt = new Adam(model.parameters(), { lr: 0.1 });
    const y = model.forward(data([5, 3], 1));
    const copy = y.toFloat32Array();
    model.backwardParameters(data([5, 4], 2));
    opt.step();
    expect(y.toFloat32Array()).toEqual(copy);
    model.forward(data([5, 3], 3));
    expect(() => y.toFloat32Array()).toThrow(StateError);
    expect(() => y.toFloat32Array()).toThrow(/stale/);
  });

  it('the fused chain, trained 20 steps, ends with the weights of the layers called one by one', () => {
    const build = (): Sequential => {
      const g = new Generator(4);
      return new Sequential(new Linear(5, 7, { generator: g }), new ReLU(), new Linear(7, 3, { generator: g }), new ReLU(), new Linear(3, 3, { generator: g }));
    };
    const x = data([9, 5], 1), y = Tensor.from([0, 1, 2, 1, 0, 2, 2, 1, 0]);
    const fused = build(), plain = build();
    const layers = Array.from({ length: plain.length }, (_, i) => plain.at(i));
    const oa = new Adam(fused.parameters(), { lr: 0.05 }), ob = new Adam(plain.parameters(), { lr: 0.05 });
    const ca = new CrossEntropyLoss(), cb = new CrossEntropyLoss();
    for (let s = 0; s < 20; s++) {
      oa.zeroGrad(); ob.zeroGrad();
      ca.forward(fused.forward(x), y);
      fused.backwardParameters(ca.backward());
      let h = x;
      for (const l of layers) h = l.forward(h);
      cb.forward(h, y);
      let g = cb.backward();
      for (let i = layers.length - 1; i >= 0; i--) g = layers[i]!.backward(g);
      oa.step(); ob.step();
    }
    expect(values(fused)).toEqual(values(plain));
  });

  it('a rejected forward or backward (fast-check shapes and values) changes no parameter or gradient, and the chain still trains', () => {
    const model = new Sequential(new Linear(3, 4, { generator: new Generator(6) }), new ReLU(), new Linear(4, 2, { generator: new Generator(7) }), new ReLU());
    const mse = new MSELoss();
    mse.forward(model.forward(data([2, 3], 1)), data([2, 2], 2));
    model.backward(mse.backward());
    const anyValue = fc.oneof(fc.double(), fc.constantFrom(NaN, Infinity, -Infinity, 1e39, -0));
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }), anyValue, (shape, v) => {
      model.forward(data([2, 3], 1));
      const before = { p: values(model), g: grads(model) };
      const bad = Tensor.full(shape, Number.isFinite(v) && Math.abs(v) < 3e38 ? v : 0);
      const wrongIn = shape[shape.length - 1] !== 3; // any rank [..., 3] is a valid input (as torch)
      if (wrongIn) {
        expect(() => model.forward(bad)).toThrow(ShapeError);
        expect(() => model.backward(data([2, 2], 3))).toThrow(StateError);
      }
      model.forward(data([2, 3], 1));
      const wrongOut = !(shape.length === 2 && shape[0] === 2 && shape[1] === 2);
      if (wrongOut) expect(() => model.backwardParameters(bad)).toThrow(ShapeError);
      expect({ p: values(model), g: grads(model) }).toEqual(before);
      bad.dispose();
    }), { numRuns: 60 });
  });

  it('inputs of any rank to a small Linear inside the chain: 3-D works as torch (same numbers as 2-D), 1-D and 0 rows are ShapeErrors', () => {
    const model = new Sequential(new Linear(3, 4, { generator: new Generator(8) }), new ReLU());
    const x2 = data([6, 3], 1);
    const y2 = model.forward(x2).toFloat32Array();
    const y3 = model.forward(x2.reshape([2, 3, 3]));
    expect(y3.shape).toEqual([2, 3, 4]);
    expect(y3.toFloat32Array()).toEqual(y2);
    model.backwardParameters(data([2, 3, 4], 2));
    expect(() => model.forward(Tensor.zeros([0, 3]))).toThrow(ShapeError);
    expect(() => model.forward(null as never)).toThrow(ValueError);
    const gone = data([2, 3], 3);
    gone.dispose();
    expect(() => model.forward(gone)).toThrow(StateError);
    expect(() => model.backwardParameters(data([2, 4], 4))).toThrow(StateError);
    expect(() => model.forward(Tensor.zeros([3, 1e3]))).toThrow(/Linear\.forward: input must have shape \[batch, 3\]/);
  });

  it('an OutOfMemoryError inside the fused forward or backward names the layer and changes no gradient', () => {
    const model = new Sequential(new Linear(3, 4, { generator: new Generator(9) }), new ReLU(), new Linear(4, 2, { generator: new Generator(10) }));
    const x = data([3, 3], 1), dy = data([3, 2], 2);
    for (let failAt = 1; failAt <= 6; failAt++) {
      const fresh = new Sequential(new Linear(3, 4, { generator: new Generator(9) }), new ReLU(), new Linear(4, 2, { generator: new Generator(10) }));
      failAllocationAt(failAt);
      let error: unknown = null;
      try {
        fresh.forward(x);
        fresh.backwardParameters(dy);
      } catch (e) {
        error = e;
      }
      vi.restoreAllMocks();
      if (error !== null) {
        expect(error).toBeInstanceOf(OutOfMemoryError);
        expect(error).toBeInstanceOf(WasmnnError);
        expect((error as Error).message).toMatch(/^(Linear\(\d, \d\)|ReLU)[. ]/);
        expect(grads(fresh).flat().every((g) => g === 0), `allocation ${failAt}: ${(error as Error).message}`).toBe(true);
        fresh.zeroGrad();
      }
      fresh.forward(x); // the chain works afterwards
      fresh.backwardParameters(dy);
      model.forward(x);
      model.backwardParameters(dy);
      expect(grads(fresh)).toEqual(grads(model));
      model.zeroGrad();
    }
  });
});
