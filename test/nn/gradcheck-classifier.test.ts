// gradcheck on Flatten, Dropout, LogSoftmax and a small CNN using them (the cnn layers' own
// gradchecks are in gradcheck.test.ts).
import { describe, expect, it } from 'vitest';
import {
  Conv2d, Dropout, Flatten, Generator, Linear, LogSoftmax, MaxPool2d, Sequential, Tanh, Tensor, gradcheck,
} from '../../src/index.js';

/** A generator whose draws never change: every forward of a Dropout gets the same mask. */
class FixedKeys extends Generator {
  override nextUint32(): number {
    return 0x9e3779b9;
  }
}

const input = (shape: number[], seed = 3): Tensor => {
  const g = new Generator(seed);
  return Tensor.from(Float32Array.from({ length: shape.reduce((a, b) => a * b) }, () => g.uniform(-1, 1)), shape);
};

describe('gradcheck on the classifier layers', () => {
  it('Flatten, LogSoftmax and Dropout (train mode, a fixed mask; eval mode) pass', () => {
    expect(gradcheck(new Flatten(1, 2), input([2, 3, 4, 2])).ok).toBe(true);
    expect(gradcheck(new LogSoftmax(1), input([4, 7])).ok).toBe(true);
    const d = new Dropout(0.4, { generator: new FixedKeys() });
    const r = gradcheck(d, input([3, 11]));
    expect(r.ok, JSON.stringify(r.worst)).toBe(true);
    expect(gradcheck(new Dropout(0.4).eval(), input([3, 11])).ok).toBe(true);
  });

  it('a CNN with Flatten, Dropout and LogSoftmax passes, inputs and parameters', () => {
    const g = new Generator(4);
    const m = new Sequential(
      new Conv2d(1, 2, 3, { padding: 1, generator: g }), new Tanh(), new MaxPool2d(2), new Flatten(),
      new Dropout(0.25, { generator: new FixedKeys() }), new Linear(8, 3, { generator: g }), new LogSoftmax(1),
    );
    const r = gradcheck(m, input([2, 1, 4, 4], 5));
    expect(r.ok, JSON.stringify(r.worst)).toBe(true);
    expect(r.checked).toBe(32 + 20 + 27);
  });

  it('refuses a Dropout in training mode (new mask every forward) with a hint instead of a bare mismatch', () => {
    // Every forward draws new keys: the numeric derivative would see other masks.
    expect(() => gradcheck(new Dropout(0.5, { generator: new Generator(1) }), input([4, 16]))).toThrow(/put the module in eval\(\) or use p = 0/);
  });
});
