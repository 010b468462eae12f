import { describe, expect, it } from 'vitest';
import { Flatten, Linear, Sequential, ShapeError, StateError, Tensor, ValueError, memoryStats } from '../../src/index.js';

describe('Flatten', () => {
  it('merges dimensions startDim..endDim like torch.nn.Flatten, as a view of the same memory', () => {
    const x = Tensor.from(Float32Array.from({ length: 120 }, (_, i) => i), [2, 3, 4, 5]);
    expect(new Flatten().forward(x).shape).toEqual([2, 60]);
    expect(new Flatten(0).forward(x).shape).toEqual([120]);
    expect(new Flatten(1, 2).forward(x).shape).toEqual([2, 12, 5]);
    expect(new Flatten(-2).forward(x).shape).toEqual([2, 3, 20]);
    expect(new Flatten(2, 2).forward(x).shape).toEqual([2, 3, 4, 5]);
    const y = new Flatten().forward(x);
    expect(Array.from(y.toFloat32Array())).toEqual(Array.from(x.toFloat32Array()));
    x.set([-1], 7); // same memory: no copy
    expect(y.toFloat32Array()[7]).toBe(-1);
  });

  it('backward returns the gradient in the input shape (a view) and allocates nothing', () => {
    const f = new Flatten();
    const x = Tensor.zeros([4, 2, 3, 3]);
    f.forward(x);
    const g = Tensor.from(Float32Array.from({ length: 72 }, (_, i) => i * 0.5), [4, 18]);
    const before = memoryStats().blocksInUse;
    const dx = f.backward(g);
    f.forward(x);
    expect(memoryStats().blocksInUse).toBe(before);
    expect(dx.shape).toEqual([4, 2, 3, 3]);
    expect(Array.from(dx.toFloat32Array())).toEqual(Array.from(g.toFloat32Array()));
  });

  it('feeds a Linear layer and trains through a Sequential', () => {
    const m = new Sequential(new Flatten(), new Linear(12, 2));
    const x = Tensor.from(Float32Array.from({ length: 24 }, (_, i) => Math.sin(i)), [2, 3, 2, 2]);
    const y = m.forward(x);
    expect(y.shape).toEqual([2, 2]);
    expect(m.backward(Tensor.full([2, 2], 1)).shape).toEqual([2, 3, 2, 2]);
  });

  it('validates its arguments and the input rank, naming layer, expected and actual', () => {
    expect(() => new Flatten(1.5)).toThrow(ValueError);
    expect(() => new Flatten(NaN)).toThrow(/startDim must be a finite number/);
    expect(() => new Flatten(3, 1)).toThrow(/cannot come after/);
    const f = new Flatten(1, 3);
    expect(() => f.forward(Tensor.zeros([2, 3]))).toThrow(ShapeError);
    expect(() => f.forward(Tensor.zeros([2, 3]))).toThrow(/Flatten\(start_dim=1, end_dim=3\).*\[2, 3\]/);
    expect(() => new Flatten().forward(Tensor.zeros([5]))).toThrow(/rank 1/);
    expect(() => f.backward(Tensor.zeros([2, 3]))).toThrow(StateError);
    const g = new Flatten();
    g.forward(Tensor.zeros([2, 3, 4]));
    expect(() => g.backward(Tensor.zeros([2, 11]))).toThrow(/must have the shape of the last output \[2, 12\]/);
    expect(() => g.forward(null as never)).toThrow(/must be a Tensor/);
  });

  it('describes itself like PyTorch and rebuilds from its config', () => {
    const f = new Flatten(1, -2);
    expect(f.toString()).toBe('Flatten(start_dim=1, end_dim=-2)');
    expect(f.typeName).toBe('Flatten');
    expect(new Flatten(...(f.toConfig().args as [number, number])).toString()).toBe(f.toString());
  });

  it('a view of a disposed input is unusable', () => {
    const x = Tensor.zeros([2, 2, 2]);
    const y = new Flatten().forward(x);
    x.dispose();
    expect(() => y.toFloat32Array()).toThrow(StateError);
  });
});
