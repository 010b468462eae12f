import { describe, expect, it } from 'vitest';
import { Dropout, Generator, ShapeError, StateError, Tensor, ValueError, memoryStats, setBackend } from '../../src/index.js';
import { dropoutUniform } from '../../src/backend/reference-dropout.js';
import { expectClose } from '../helpers/heap.js';
import { dot, numericGrad } from '../helpers/gradcheck.js';

const X = Float32Array.from({ length: 60 }, (_, i) => Math.sin(i * 0.7) * 3 + 0.1);

describe('Dropout', () => {
  it('zeroes elements chosen by the counter-based generator and scales the rest by 1/(1 - p)', () => {
    const g = new Generator(42);
    const d = new Dropout(0.3, { generator: g });
    const y = d.forward(Tensor.from(X, [6, 10])).toArray() as number[][];
    // The keys are the generator's next two draws.
    const keys = new Generator(42);
    const k0 = keys.nextUint32(), k1 = keys.nextUint32();
    const expected = Array.from(X, (x, i) => Math.fround(x * (dropoutUniform(k0, k1, i) >= Math.fround(0.3) ? Math.fround(1 / 0.7) : 0)));
    expect(y.flat()).toEqual(expected);
  });

  it('same seed, same mask on both backends; a new mask on every forward', () => {
    const x = Tensor.from(X, [6, 10]);
    const a = new Dropout(0.5, { generator: new Generator(7) }).forward(x).clone();
    setBackend('reference');
    try {
      const d = new Dropout(0.5, { generator: new Generator(7) });
      expect(Array.from(d.forward(x).toFloat32Array())).toEqual(Array.from(a.toFloat32Array()));
      expect(Array.from(d.forward(x).toFloat32Array())).not.toEqual(Array.from(a.toFloat32Array()));
    } finally {
      setBackend('wasm');
    }
  });

  it('backward applies the forward mask (matches central differences of the masked function)', () => {
    const d = new Dropout(0.4, { generator: new Generator(3) });
    const x = Tensor.from(X, [3, 20]);
    const mask = Float32Array.from(d.forward(x).toFloat32Array(), (v, i) => v / X[i]!);
    const r = Float32Array.from(X, (_, i) => Math.cos(i));
    const dx = d.backward(Tensor.from(r, [3, 20]));
    const numeric = numericGrad((v) => dot(r, Array.from(v, (xi, i) => xi * mask[i]!)), X);
    expectClose(dx.toFloat32Array(), numeric, { rtol: 1e-5, atol: 1e-6 }, 'backward');
  });

  it('is the identity in eval() mode, forward and backward, and allocates nothing per step', () => {
    const d = new Dropout(0.9);
    const x = Tensor.from(X, [6, 10]);
    d.eval();
    expect(d.forward(x)).toBe(x);
    const g = Tensor.full([6, 10], 2);
    expect(d.backward(g)).toBe(g);
    d.train();
    d.forward(x); d.backward(g);
    const before = memoryStats().blocksInUse;
    for (let i = 0; i < 5; i++) {
      d.forward(x);
      d.backward(g);
    }
    expect(memoryStats().blocksInUse).toBe(before);
  });

  it('p = 0 is the identity in training, p = 1 gives zeros (as torch)', () => {
    const x = Tensor.from(X, [6, 10]);
    expect(Array.from(new Dropout(0).forward(x).toFloat32Array())).toEqual(Array.from(x.toFloat32Array()));
    expect(Array.from(new Dropout(1).forward(x).toFloat32Array()).every((v) => v === 0)).toBe(true);
  });

  it('validates p, options, input and state; describes itself like torch', () => {
    for (const p of [-0.1, 1.5, NaN, Infinity]) expect(() => new Dropout(p)).toThrow(ValueError);
    expect(() => new Dropout(0.5, { seed: 1 } as never)).toThrow(/unknown option 'seed'/);
    expect(() => new Dropout(0.5, { generator: 3 } as never)).toThrow(/generator must be a Generator/);
    const d = new Dropout(0.25);
    expect(() => d.backward(Tensor.zeros([2]))).toThrow(StateError);
    d.forward(Tensor.zeros([2, 3]));
    expect(() => d.backward(Tensor.zeros([3, 2]))).toThrow(ShapeError);
    expect(() => d.forward('x' as never)).toThrow(/must be a Tensor/);
    expect(d.toString()).toBe('Dropout(p=0.25, inplace=False)');
    expect(new Dropout(...(d.toConfig().args as [number])).toString()).toBe(d.toString());
  });
});
