import { describe, expect, it } from 'vitest';
import { Generator, Linear, Module, ReLU, Sequential, StateError, Tanh, Tensor, ValueError } from '../../src/index.js';
import { expectClose } from '../helpers/heap.js';
import { dot, linear64, numericGrad } from '../helpers/gradcheck.js';

function mlp(): Sequential {
  const g = new Generator(11);
  return new Sequential(new Linear(3, 5, { generator: g }), new Tanh(), new Linear(5, 4, { generator: g }), new ReLU(), new Linear(4, 2, { generator: g }));
}

describe('Sequential', () => {
  it('names parameters like torch.nn.Sequential and prints its tree', () => {
    const model = mlp();
    expect(model.namedParameters().map(([n, p]) => `${n}:${p.shape.join('x')}`)).toEqual([
      '0.weight:5x3', '0.bias:5', '2.weight:4x5', '2.bias:4', '4.weight:2x4', '4.bias:2',
    ]);
    expect(model.parameters()).toHaveLength(6);
    expect(model.length).toBe(5);
    expect(model.at(-1)).toBeInstanceOf(Linear);
    expect(model.toString()).toBe([
      'Sequential(',
      '  (0): Linear(in_features=3, out_features=5, bias=True)',
      '  (1): Tanh()',
      '  (2): Linear(in_features=5, out_features=4, bias=True)',
      '  (3): ReLU()',
      '  (4): Linear(in_features=4, out_features=2, bias=True)',
      ')',
    ].join('\n'));
  });

  it('backward through the whole chain matches central differences of a float64 re-implementation', () => {
    const model = mlp();
    const batch = 4;
    const xv = Float32Array.from({ length: batch * 3 }, (_, i) => Math.sin(i + 0.5));
    const r = Float32Array.from({ length: batch * 2 }, (_, i) => Math.cos(i * 0.3));
    const params = model.parameters().map((p) => Float64Array.from(p.toFloat32Array()));
    const forward64 = (x: ArrayLike<number>, ps: Float64Array[]): Float64Array => {
      let h = Array.from(linear64(x, ps[0]!, ps[1]!, batch, 3, 5), Math.tanh);
      h = Array.from(linear64(h, ps[2]!, ps[3]!, batch, 5, 4), (v) => Math.max(v, 0));
      return linear64(h, ps[4]!, ps[5]!, batch, 4, 2);
    };
    model.zeroGrad();
    model.forward(Tensor.from(xv, [batch, 3]));
    const dx = model.backward(Tensor.from(r, [batch, 2]));
    const tol = { rtol: 1e-4, atol: 1e-5 };
    expectClose(dx.toFloat32Array(), numericGrad((v) => dot(r, forward64(v, params)), xv), tol, 'dX');
    model.parameters().forEach((p, k) => {
      const numeric = numericGrad((v) => dot(r, forward64(xv, params.map((q, j) => (j === k ? v : q)))), params[k]!);
      expectClose(p.grad.toFloat32Array(), numeric, tol, `grad of parameter ${k}`);
    });
  });

  it('train()/eval() propagate to children', () => {
    const model = mlp();
    model.eval();
    expect(model.namedChildren().every(([, c]) => !c.training)).toBe(true);
    model.train();
    expect(model.at(0).training).toBe(true);
  });

  it('refuses non-modules and backward before forward', () => {
    expect(() => new Sequential(new ReLU(), 3 as unknown as Module)).toThrow(/argument 1 must be a Module, got 3/);
    expect(() => mlp().backward(Tensor.zeros([1, 2]))).toThrow(StateError);
    expect(() => mlp().at(9)).toThrow(ValueError);
  });

  it('dispose frees its memory and makes it unusable', () => {
    const model = mlp();
    const w = model.parameters()[0]!;
    model.dispose();
    expect(w.isDisposed).toBe(true);
    expect(() => model.forward(Tensor.zeros([1, 3]))).toThrow(/disposed/);
  });
});
