import { describe, expect, it } from 'vitest';
import {
  ELU, GELU, LeakyReLU, ReLU, Sigmoid, Softmax, Softplus, Tanh, Tensor, Module, ShapeError, StateError, ValueError,
} from '../../src/index.js';
import { expectClose } from '../helpers/heap.js';
import { dot, numericGrad } from '../helpers/gradcheck.js';
import { onePlusErf } from '../../src/backend/reference.js';

const sig = (x: number): number => 1 / (1 + Math.exp(-x));
const geluTanh = (x: number): number => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
// onePlusErf is checked against Python's math.erfc in test/kernels/activations.test.ts.
const gelu = (x: number): number => 0.5 * x * onePlusErf(x / Math.SQRT2);

// Each module with a float64 formula of its forward (GELU's erf: the reference's onePlusErf, checked against
// Python's math.erfc in test/kernels/activations.test.ts).
const CASES: Array<{ name: string; make: () => Module; f: (x: number) => number }> = [
  { name: 'ReLU', make: () => new ReLU(), f: (x) => Math.max(x, 0) },
  { name: 'LeakyReLU(0.2)', make: () => new LeakyReLU(0.2), f: (x) => (x > 0 ? x : 0.2 * x) },
  { name: 'Tanh', make: () => new Tanh(), f: Math.tanh },
  { name: 'Sigmoid', make: () => new Sigmoid(), f: sig },
  { name: 'ELU(0.7)', make: () => new ELU(0.7), f: (x) => (x > 0 ? x : 0.7 * Math.expm1(x)) },
  { name: 'GELU', make: () => new GELU(), f: gelu },
  { name: "GELU({ approximate: 'tanh' })", make: () => new GELU({ approximate: 'tanh' }), f: geluTanh },
  { name: 'Softplus', make: () => new Softplus(), f: (x) => Math.log1p(Math.exp(x)) },
  { name: 'Softplus(beta 2, threshold 3)', make: () => new Softplus({ beta: 2, threshold: 3 }), f: (x) => (2 * x > 3 ? x : Math.log1p(Math.exp(2 * x)) / 2) },
];

// Inputs away from the kinks at 0 (and Softplus's threshold), where derivatives jump.
const X = Float32Array.from([-3.1, -1.2, -0.4, -0.05, 0.07, 0.3, 0.9, 1.7, 2.6, 4.2, -5.5, 1.1]);
const R = Float32Array.from(X, (_, i) => Math.cos(i));

describe.each(CASES)('$name', ({ make, f }) => {
  it('forward matches the float64 formula and backward matches central differences', () => {
    const m = make();
    const x = Tensor.from(X, [3, 4]);
    const y = m.forward(x);
    expect(y.shape).toEqual([3, 4]);
    expectClose(y.toFloat32Array(), Array.from(X, f), { rtol: 2e-6, atol: 1e-7 }, 'forward');
    const dx = m.backward(Tensor.from(R, [3, 4]));
    const numeric = numericGrad((v) => dot(R, Array.from(v, f)), X);
    expectClose(dx.toFloat32Array(), numeric, { rtol: 1e-5, atol: 1e-6 }, 'backward');
  });

  it('checks its arguments and state', () => {
    const m = make();
    expect(() => m.backward(Tensor.zeros([3, 4]))).toThrow(StateError);
    m.forward(Tensor.zeros([3, 4]));
    expect(() => m.backward(Tensor.zeros([4, 3]))).toThrow(ShapeError);
    expect(() => m.forward(null as never)).toThrow(/must be a Tensor/);
  });
});

describe('activation options', () => {
  it('rejects non-finite or out-of-range hyper-parameters', () => {
    expect(() => new LeakyReLU(NaN)).toThrow(ValueError);
    expect(() => new ELU(Infinity)).toThrow(/alpha must be a finite number/);
    expect(() => new Softplus({ beta: 0 })).toThrow(/beta must be > 0/);
    expect(() => new Softplus({ betta: 1 } as never)).toThrow(/unknown option 'betta'/);
    expect(() => new GELU({ approximate: 'erf' } as never)).toThrow(/GELU: approximate must be one of 'none', 'tanh', got 'erf'/);
  });

  it('describes itself like PyTorch', () => {
    expect(new LeakyReLU(0.1).toString()).toBe('LeakyReLU(negative_slope=0.1)');
    expect(new ReLU().toString()).toBe('ReLU()');
  });
});

describe('Softmax', () => {
  it('rows sum to one and backward matches central differences', () => {
    const m = new Softmax();
    const x = Tensor.from(X, [3, 4]);
    const y = m.forward(x);
    const softmax = (v: ArrayLike<number>): number[] => {
      const out: number[] = [];
      for (let r = 0; r < 3; r++) {
        const row = Array.from({ length: 4 }, (_, j) => v[r * 4 + j]!);
        const mx = Math.max(...row);
        const e = row.map((z) => Math.exp(z - mx));
        const s = e.reduce((a, b) => a + b, 0);
        out.push(...e.map((z) => z / s));
      }
      return out;
    };
    expectClose(y.toFloat32Array(), softmax(X), { rtol: 2e-6, atol: 1e-8 }, 'softmax');
    const dx = m.backward(Tensor.from(R, [3, 4]));
    expectClose(dx.toFloat32Array(), numericGrad((v) => dot(R, softmax(v)), X), { rtol: 1e-5, atol: 1e-6 }, 'softmax backward');
  });

  it('only supports the last axis', () => {
    // Round 7: any integer dim, as LogSoftmax; it must be the input's last axis at forward.
    expect(() => new Softmax(0).forward(Tensor.zeros([2, 3]))).toThrow(/Softmax\(dim=0\)\.forward: expected a non-empty input whose dim 0 is its last axis/);
  });
});
