import { describe, expect, it } from 'vitest';
import { Linear, Tensor, manualSeed, Generator, ShapeError, StateError, ValueError, gradcheck } from '../../src/index.js';
import { expectClose } from '../helpers/heap.js';
import { dot, linear64, numericGrad } from '../helpers/gradcheck.js';

describe('Linear', () => {
  it('stores weight [out, in] and bias [out], initialised in ±1/√in like PyTorch', () => {
    manualSeed(1);
    const layer = new Linear(25, 7);
    expect(layer.weight.shape).toEqual([7, 25]);
    expect(layer.bias!.shape).toEqual([7]);
    const bound = 1 / Math.sqrt(25);
    for (const v of [...layer.weight.toFloat32Array(), ...layer.bias!.toFloat32Array()]) expect(Math.abs(v)).toBeLessThanOrEqual(bound);
    const mean = layer.weight.toFloat32Array().reduce((a, b) => a + b, 0) / layer.weight.size;
    expect(Math.abs(mean)).toBeLessThan(bound / 4);
    expect(layer.toString()).toBe('Linear(in_features=25, out_features=7, bias=True)');
  });

  it('applies to the last dimension of any-rank input, as torch.nn.Linear', () => {
    const layer = new Linear(4, 3, { generator: new Generator(2) });
    const flat = Tensor.from(Array.from({ length: 24 }, (_, i) => Math.sin(i)), [6, 4]);
    const want = layer.forward(flat).toArray() as number[][];
    const x3 = Tensor.from(flat.toFloat32Array(), [2, 3, 4]);
    const y3 = layer.forward(x3);
    expect(y3.shape).toEqual([2, 3, 3]);
    expect(y3.toArray()).toEqual([want.slice(0, 3), want.slice(3)]);
    expect(layer.backward(Tensor.full([2, 3, 3], 1)).shape).toEqual([2, 3, 4]);
    expect(() => layer.backward(Tensor.full([6, 3], 1))).toThrow(/gradOutput must have the shape of the last output \[2, 3, 3\]/);
    expect(layer.forward(Tensor.from([1, 2, 3, 4])).shape).toEqual([3]);
    expect(gradcheck(layer, Tensor.from(Array.from({ length: 12 }, (_, i) => Math.cos(i)), [1, 3, 1, 4])).ok).toBe(true);
    expect(() => layer.forward(Tensor.zeros([0, 4]))).toThrow(ShapeError);
  });

  it('is deterministic per seed and per generator', () => {
    manualSeed(3);
    const a = Array.from(new Linear(4, 3).weight.toFloat32Array());
    manualSeed(3);
    const b = Array.from(new Linear(4, 3).weight.toFloat32Array());
    const c = Array.from(new Linear(4, 3, { generator: new Generator(3) }).weight.toFloat32Array());
    expect(a).toEqual(b);
    expect(a).toEqual(c);
  });

  it.each([[1, 1, 1], [3, 5, 4], [10, 2, 25], [7, 25, 2], [64, 17, 9]])('forward matches x·Wᵀ + b (batch %i, in %i, out %i)', (batch, inF, outF) => {
    const layer = new Linear(inF, outF, { generator: new Generator(batch) });
    const x = Tensor.from(Float32Array.from({ length: batch * inF }, (_, i) => Math.sin(i)), [batch, inF]);
    const y = layer.forward(x);
    expect(y.shape).toEqual([batch, outF]);
    expectClose(y.toFloat32Array(), linear64(x.toFloat32Array(), layer.weight.toFloat32Array(), layer.bias!.toFloat32Array(), batch, inF, outF), { rtol: 1e-5, atol: 1e-6 }, 'forward');
  });

  it('backward matches central differences for dX, dW and db, and accumulates', () => {
    const batch = 5, inF = 4, outF = 3;
    const layer = new Linear(inF, outF, { generator: new Generator(7) });
    const xv = Float32Array.from({ length: batch * inF }, (_, i) => Math.cos(i * 1.3));
    const r = Float32Array.from({ length: batch * outF }, (_, i) => Math.sin(i * 0.7 + 1));
    const w = Float64Array.from(layer.weight.toFloat32Array()), b = Float64Array.from(layer.bias!.toFloat32Array());
    // L = Σ r ⊙ (x·Wᵀ + b): its gradients are what backward(r) must produce.
    const loss = (xx: ArrayLike<number>, ww: ArrayLike<number>, bb: ArrayLike<number>): number => dot(r, linear64(xx, ww, bb, batch, inF, outF));
    layer.forward(Tensor.from(xv, [batch, inF]));
    const dx = layer.backward(Tensor.from(r, [batch, outF]));
    const tol = { rtol: 1e-4, atol: 1e-5 };
    expectClose(dx.toFloat32Array(), numericGrad((v) => loss(v, w, b), xv), tol, 'dX');
    expectClose(layer.weight.grad.toFloat32Array(), numericGrad((v) => loss(xv, v, b), w), tol, 'dW');
    expectClose(layer.bias!.grad.toFloat32Array(), numericGrad((v) => loss(xv, w, v), b), tol, 'db');
    const dw1 = Array.from(layer.weight.grad.toFloat32Array());
    layer.forward(Tensor.from(xv, [batch, inF]));
    layer.backward(Tensor.from(r, [batch, outF]));
    // dW + dW summed in a different order than 2·dW: agree to float32 rounding.
    expectClose(layer.weight.grad.toFloat32Array(), dw1.map((v) => 2 * v), { rtol: 1e-5, atol: 1e-7 }, 'accumulated dW');
    layer.zeroGrad();
    expect(layer.weight.grad.toFloat32Array().every((v) => v === 0)).toBe(true);
  });

  it('works without bias', () => {
    const layer = new Linear(3, 2, { bias: false });
    expect(layer.bias).toBeNull();
    expect(layer.parameters()).toHaveLength(1);
    const y = layer.forward(Tensor.from([[1, 2, 3]]));
    expectClose(y.toFloat32Array(), linear64([1, 2, 3], layer.weight.toFloat32Array(), null, 1, 3, 2), { rtol: 1e-6 }, 'no bias');
  });

  it('rejects bad arguments with messages that name them', () => {
    expect(() => new Linear(0, 3)).toThrow(ValueError);
    expect(() => new Linear(2.5, 3)).toThrow(/inFeatures must be an integer/);
    expect(() => new Linear(2, 3, { bias: 'yes' as never })).toThrow(/bias must be true or false/);
    expect(() => new Linear(2, 3, { biass: true } as never)).toThrow(/unknown option 'biass'/);
    const layer = new Linear(2, 3);
    expect(() => layer.forward(Tensor.from([[1, 2, 3]]))).toThrow(ShapeError);
    expect(() => layer.forward(Tensor.from([[1, 2, 3]]))).toThrow(/input must have shape \[batch, 2\] \(or any rank \[\.\.\., 2\]\).*got \[1, 3\]/);
    expect(() => layer.forward([[1, 2]] as never)).toThrow(/input must be a Tensor/);
    expect(() => layer.backward(Tensor.zeros([1, 3]))).toThrow(StateError);
    layer.forward(Tensor.from([[1, 2]]));
    expect(() => layer.backward(Tensor.zeros([2, 3]))).toThrow(/gradOutput must have the shape of the last output \[1, 3\].*got \[2, 3\]/);
  });

  it('makes earlier outputs stale instead of silently changing them', () => {
    const layer = new Linear(2, 2);
    const first = layer.forward(Tensor.from([[1, 2]]));
    const kept = first.clone();
    const values = first.toArray();
    layer.forward(Tensor.from([[3, 4]]));
    expect(() => first.toFloat32Array()).toThrow(/stale/);
    expect(() => first.toArray()).toThrow(/call \.clone\(\)/);
    expect(kept.toArray()).toEqual(values);
  });
});
