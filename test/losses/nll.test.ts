import { describe, expect, it } from 'vitest';
import { CrossEntropyLoss, LogSoftmax, NLLLoss, ShapeError, StateError, Tensor, ValueError } from '../../src/index.js';
import { expectClose } from '../helpers/heap.js';
import { numericGrad } from '../helpers/gradcheck.js';

const LOGP = Float32Array.from({ length: 12 }, (_, i) => -0.1 - ((i * 7) % 5) * 0.6);
const T = [2, 0, 3];

describe('NLLLoss', () => {
  it.each(['mean', 'sum'] as const)('value and gradient match the formula and central differences (%s)', (reduction) => {
    const loss = new NLLLoss({ reduction });
    const f = (v: ArrayLike<number>): number => {
      const s = -T.reduce((a, t, r) => a + v[r * 4 + t]!, 0);
      return reduction === 'mean' ? s / 3 : s;
    };
    expect(Math.abs(loss.forward(Tensor.from(LOGP, [3, 4]), T) - f(LOGP))).toBeLessThan(1e-6);
    expectClose(loss.backward().toFloat32Array(), numericGrad(f, LOGP), { rtol: 1e-6, atol: 1e-7 }, 'gradient');
    expect(loss.forward(Tensor.from(LOGP, [3, 4]), Tensor.from(T))).toBeCloseTo(f(LOGP), 6);
  });

  it('after LogSoftmax equals CrossEntropyLoss on the logits (value and input gradient)', () => {
    const logits = Tensor.from(Float32Array.from({ length: 12 }, (_, i) => Math.sin(i) * 3), [3, 4]);
    const ls = new LogSoftmax(1), nll = new NLLLoss(), ce = new CrossEntropyLoss();
    const a = nll.forward(ls.forward(logits), T);
    const gradA = ls.backward(nll.backward()).clone();
    const b = ce.forward(logits, T);
    expect(Math.abs(a - b)).toBeLessThan(1e-6);
    expectClose(gradA.toFloat32Array(), ce.backward().toFloat32Array(), { rtol: 1e-5, atol: 1e-7 }, 'input gradient');
  });

  it('names a bad class index, a wrong target shape and a missing forward', () => {
    const loss = new NLLLoss();
    const x = Tensor.from(LOGP, [3, 4]);
    expect(() => loss.forward(x, [0, 4, 1])).toThrow(/target\[1\] = 4 is not a class index in \[0, 3\]/);
    expect(() => loss.forward(x, [0, 1.5, 1])).toThrow(ValueError);
    expect(() => loss.forward(x, Tensor.from([0, -1, 1]))).toThrow(/target\[1\] = -1/);
    expect(() => loss.forward(x, [0, 1])).toThrow(ShapeError);
    expect(() => loss.forward(x, Tensor.zeros([3, 4]))).toThrow(/target must be 3 class indices of shape \[3\]/);
    expect(() => loss.forward(Tensor.zeros([3]), [0, 0, 0])).toThrow(/input \(log-probabilities\) must have shape/);
    expect(() => loss.forward(x, 'a' as never)).toThrow(/must be a Tensor or an array/);
    expect(() => new NLLLoss().backward()).toThrow(StateError);
    expect(() => new NLLLoss({ reduction: 'none' as never })).toThrow(/reduction 'none' \(torch's per-element losses\) is not offered/);
    expect(() => new NLLLoss({ reduction: 'avg' as never })).toThrow(/reduction must be one of/);
    expect(new NLLLoss({ reduction: 'sum', ignoreIndex: 2 }).toString()).toBe('NLLLoss()'); // torch's repr shows no loss option
    expect(new NLLLoss().typeName).toBe('NLLLoss');
  });
});
