import { describe, expect, it } from 'vitest';
import { LogSoftmax, ShapeError, StateError, Tensor, ValueError } from '../../src/index.js';
import { expectClose } from '../helpers/heap.js';
import { dot, numericGrad } from '../helpers/gradcheck.js';

const X = Float32Array.from({ length: 15 }, (_, i) => Math.sin(i * 1.3) * 4);
const R = Float32Array.from(X, (_, i) => Math.cos(i));

function logSoftmax64(x: ArrayLike<number>, rows: number, cols: number): Float64Array {
  const y = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let j = 0; j < cols; j++) s += Math.exp(x[r * cols + j]!);
    for (let j = 0; j < cols; j++) y[r * cols + j] = x[r * cols + j]! - Math.log(s);
  }
  return y;
}

describe('LogSoftmax', () => {
  it('forward matches the float64 formula and backward central differences', () => {
    for (const dim of [1, -1]) {
      const m = new LogSoftmax(dim);
      const y = m.forward(Tensor.from(X, [3, 5]));
      expectClose(y.toFloat32Array(), logSoftmax64(X, 3, 5), { rtol: 1e-6, atol: 1e-6 }, 'forward');
      const dx = m.backward(Tensor.from(R, [3, 5]));
      const numeric = numericGrad((v) => dot(R, logSoftmax64(v, 3, 5)), X);
      expectClose(dx.toFloat32Array(), numeric, { rtol: 1e-5, atol: 1e-6 }, 'backward');
    }
  });

  it('applies to the last axis of higher-rank inputs with dim = -1', () => {
    const y = new LogSoftmax(-1).forward(Tensor.from(X.slice(0, 12), [2, 2, 3]));
    expectClose(y.toFloat32Array(), logSoftmax64(X.slice(0, 12), 4, 3), { rtol: 1e-6, atol: 1e-6 }, 'rank 3');
  });

  it('refuses an axis other than the last, naming layer, expected and actual', () => {
    expect(() => new LogSoftmax(1).forward(Tensor.zeros([2, 3, 4]))).toThrow(ShapeError);
    expect(() => new LogSoftmax(1).forward(Tensor.zeros([2, 3, 4]))).toThrow(/LogSoftmax\(dim=1\).*\[2, 3, 4\]/);
    expect(() => new LogSoftmax(0).forward(Tensor.zeros([2, 3]))).toThrow(ShapeError);
    expect(() => new LogSoftmax(1).forward(Tensor.zeros([0, 3]))).toThrow(ShapeError);
    expect(() => new LogSoftmax(1.5)).toThrow(ValueError);
    const m = new LogSoftmax();
    expect(() => m.backward(Tensor.zeros([2, 3]))).toThrow(StateError);
    m.forward(Tensor.zeros([2, 3]));
    expect(() => m.backward(Tensor.zeros([3, 2]))).toThrow(/shape of the last output \[2, 3\]/);
  });

  it('describes itself like torch and rebuilds from its config', () => {
    const m = new LogSoftmax(1);
    expect(m.toString()).toBe('LogSoftmax(dim=1)');
    expect(new LogSoftmax(...(m.toConfig().args as [number])).toString()).toBe('LogSoftmax(dim=1)');
  });
});
