// LayerNorm: forward against the float64 definition, backward against finite differences,
// validation, repr and config.
import { describe, expect, it } from 'vitest';
import { LayerNorm, ShapeError, Tensor, ValueError, gradcheck } from '../../src/index.js';
import { expectClose, randomArray } from '../helpers/heap.js';

const rand = (shape: number[], seed: number): Tensor => Tensor.from(randomArray(shape.reduce((a, b) => a * b, 1), seed, -2, 3), shape);

describe('LayerNorm', () => {
  it('normalises each group of trailing values, then scales and shifts', () => {
    const ln = new LayerNorm([2, 3]);
    ln.weight!.set([1, 2, 3, 4, 5, 6]);
    ln.bias!.set([0, 0, 0, 1, 1, 1]);
    const x = rand([4, 2, 3], 1);
    const y = ln.forward(x).toFloat32Array();
    const want: number[] = [];
    for (let r = 0; r < 4; r++) {
      const v = Array.from(x.toFloat32Array().slice(r * 6, r * 6 + 6));
      const m = v.reduce((a, b) => a + b, 0) / 6, s = Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / 6 + 1e-5);
      v.forEach((a, j) => want.push(((a - m) / s) * (j + 1) + (j >= 3 ? 1 : 0)));
    }
    expectClose(y, want, { rtol: 1e-5, atol: 1e-5 }, 'y');
  });

  it.each([
    [() => new LayerNorm(5), [3, 5]],
    [() => new LayerNorm([3, 4]), [2, 3, 4]],
    [() => new LayerNorm(4, { elementwiseAffine: false }), [2, 3, 4]],
    [() => new LayerNorm(1), [3, 1]],
  ] as const)('backward matches finite differences (%#)', (make, shape) => {
    const r = gradcheck(make(), rand([...shape], 2));
    expect(r.ok, JSON.stringify(r.worst)).toBe(true);
  });

  it('validates arguments and inputs; repr and config as torch', () => {
    const L = LayerNorm as unknown as new (...a: unknown[]) => LayerNorm;
    for (const bad of [null, NaN, 1.5, -1, 0, 1e39, [], [2, 'a']]) expect(() => new L(bad)).toThrow(ValueError);
    expect(() => new L(3, { eps: -1 })).toThrow(/eps must be > 0/);
    expect(() => new L(3, { bias: false })).toThrow(/unknown option 'bias'/);
    const ln = new LayerNorm([3, 4]);
    expect(() => ln.forward(Tensor.zeros([2, 4, 3]))).toThrow(/LayerNorm.forward: input must have shape \[..., 3, 4\].*got \[2, 4, 3\]/);
    expect(() => ln.forward(Tensor.zeros([4]))).toThrow(ShapeError);
    expect(ln.forward(Tensor.zeros([3, 4])).shape).toEqual([3, 4]); // one sample, as torch (round 7)
    expect(ln.toString()).toBe('LayerNorm((3, 4), eps=1e-05, elementwise_affine=True)');
    expect(new LayerNorm(7).toString()).toBe('LayerNorm((7,), eps=1e-05, elementwise_affine=True)');
    expect(new LayerNorm(...ln.toConfig().args).toString()).toBe(ln.toString());
    expect(ln.namedParameters().map(([n, p]) => [n, p.shape])).toEqual([['weight', [3, 4]], ['bias', [3, 4]]]);
  });
});
