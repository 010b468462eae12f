import { describe, expect, it } from 'vitest';
import { Scale, Sequential, Linear, Tanh, Tensor, Generator, ShapeError, StateError, ValueError } from '../../src/index.js';

describe('Scale', () => {
  it('multiplies forward and backward by the factor, at odd sizes', () => {
    for (const n of [1, 3, 4, 5, 17, 1023]) {
      const values = Array.from({ length: n }, (_, i) => Math.sin(i + 1) * 3);
      const s = new Scale(-2.5);
      const y = s.forward(Tensor.from(values, [1, n])).toArray() as number[][];
      y[0]!.forEach((v, i) => expect(v).toBe(Math.fround(Math.fround(values[i]!) * -2.5)));
      const dx = s.backward(Tensor.from(values.map((v) => v / 3), [1, n])).toArray() as number[][];
      dx[0]!.forEach((v, i) => expect(v).toBe(Math.fround(Math.fround(values[i]! / 3) * -2.5)));
    }
  });

  it('gives tanh(10x) in a network, with gradients matching finite differences', () => {
    const g = new Generator(3);
    const model = new Sequential(new Linear(2, 3, { generator: g }), new Scale(10), new Tanh(), new Linear(3, 1, { generator: g }));
    const x = Tensor.from([[0.05, -0.02]]);
    const f = (): number => (model.forward(x).toArray() as number[][])[0]![0]!;
    model.zeroGrad();
    f();
    model.backward(Tensor.from([[1]]));
    const w = model.parameters()[0]!;
    const analytic = Array.from(w.grad.toFloat32Array());
    const h = 1e-3;
    for (let i = 0; i < w.size; i++) {
      const old = w.toFloat32Array()[i]!;
      w.set([old + h], i);
      const up = f();
      w.set([old - h], i);
      const down = f();
      w.set([old], i);
      expect(analytic[i]).toBeCloseTo((up - down) / (2 * h), 2);
    }
  });

  it('rejects bad factors, shapes and calls out of order', () => {
    expect(() => new Scale(Number.NaN)).toThrow(ValueError);
    expect(() => new Scale(Infinity)).toThrow(/factor must be a finite number/);
    expect(() => new Scale(2).backward(Tensor.from([[1]]))).toThrow(StateError);
    const s = new Scale(2);
    s.forward(Tensor.from([[1, 2]]));
    expect(() => s.backward(Tensor.from([[1, 2, 3]]))).toThrow(ShapeError);
    expect(() => s.forward(null as never)).toThrow(ValueError);
  });

  it('describes itself and its constructor arguments', () => {
    const s = new Scale(10);
    expect(s.typeName).toBe('Scale');
    expect(s.toString()).toBe('Scale(factor=10)');
    expect(new Scale(...(s.toConfig().args as [number])).factor).toBe(10);
    expect(s.parameters()).toEqual([]);
  });
});
