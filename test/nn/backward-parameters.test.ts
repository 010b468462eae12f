// Module.backwardParameters: the parameter gradients of backward() without the input gradient
// (what a training step on data needs; PyTorch skips it for inputs that do not require grad).
import { describe, expect, it } from 'vitest';
import {
  Conv2d, Flatten, Generator, Linear, MaxPool2d, ReLU, Sequential, ShapeError, StateError, Tensor, memoryStats,
} from '../../src/index.js';
import { randomArray } from '../helpers/heap.js';

const rand = (shape: number[], seed: number): Tensor => Tensor.from(randomArray(shape.reduce((a, b) => a * b, 1), seed), shape);
const lenetish = (): Sequential => {
  const g = new Generator(7);
  return new Sequential(new Conv2d(1, 6, 5, { padding: 2, generator: g }), new ReLU(), new MaxPool2d(2),
    new Conv2d(6, 4, 3, { generator: g }), new Flatten(), new Linear(4 * 12 * 12, 3, { generator: g }));
};
const grads = (m: Sequential): number[][] => m.parameters().map((p) => Array.from(p.grad.toFloat32Array()));

describe('backwardParameters', () => {
  it('accumulates the same parameter gradients as backward, bit for bit (first layer Conv2d or Linear)', () => {
    const x = rand([3, 1, 28, 28], 1);
    const a = lenetish(), b = lenetish();
    const dy = rand([3, 3], 2);
    a.forward(x);
    a.backward(dy);
    b.forward(x);
    b.backwardParameters(dy);
    expect(grads(b)).toEqual(grads(a));
    // and again: both accumulate
    a.forward(x);
    a.backward(dy);
    b.forward(x);
    b.backwardParameters(dy);
    expect(grads(b)).toEqual(grads(a));
    const g = new Generator(1);
    const c = new Sequential(new Linear(5, 4, { generator: g }), new ReLU(), new Linear(4, 2, { generator: g }));
    const d = new Sequential(new Linear(5, 4, { generator: new Generator(1) }), new ReLU(), new Linear(4, 2, { generator: g }));
    d.parameters().forEach((p, i) => p.set(c.parameters()[i]!.toFloat32Array()));
    const xs = rand([6, 5], 3), ds = rand([6, 2], 4);
    c.forward(xs);
    c.backward(ds);
    d.forward(xs);
    d.backwardParameters(ds);
    expect(grads(d)).toEqual(grads(c));
  });

  it('Conv2d skips the input gradient: its last input-gradient view stays as it was', () => {
    const conv = new Conv2d(2, 3, 3, { padding: 1, generator: new Generator(2) });
    const x = rand([2, 2, 5, 5], 1), dy = rand([2, 3, 5, 5], 2);
    conv.forward(x);
    const dx = conv.backward(dy);
    const before = dx.toFloat32Array();
    conv.forward(x);
    conv.backwardParameters(rand([2, 3, 5, 5], 3));
    expect(dx.toFloat32Array()).toEqual(before); // not recomputed, not stale
  });

  it('Linear (small and large path) and a leading fused Linear + ReLU skip the input gradient too', () => {
    const cases: Array<[string, () => Linear | Sequential, number, number]> = [
      ['small Linear', () => new Linear(5, 4, { generator: new Generator(4) }), 5, 4],
      ['large Linear', () => new Linear(40, 36, { generator: new Generator(5) }), 40, 36],
      ['Sequential(Linear, ReLU, Linear)', () => new Sequential(new Linear(5, 4, { generator: new Generator(6) }), new ReLU(), new Linear(4, 2, { generator: new Generator(7) })), 5, 2],
    ];
    for (const [name, make, inF, outF] of cases) {
      const m = make();
      const x = rand([70, inF], 1);
      m.forward(x);
      const dx = m.backward(rand([70, outF], 2));
      const before = dx.toFloat32Array();
      m.forward(x);
      m.backwardParameters(rand([70, outF], 3));
      // A recomputed input gradient would rewrite this view (new values) or make it stale (throws).
      expect(dx.toFloat32Array(), name).toEqual(before);
      m.dispose();
    }
  });

  it('refuses a missing forward, a wrong gradient shape and a disposed module, changing nothing', () => {
    const conv = new Conv2d(1, 2, 3, { generator: new Generator(3) });
    expect(() => conv.backwardParameters(rand([1, 2, 2, 2], 1))).toThrow(/Conv2d.backwardParameters: called before a successful forward\(\)/);
    conv.forward(rand([1, 1, 4, 4], 1));
    const g0 = conv.weight.grad.toFloat32Array();
    expect(() => conv.backwardParameters(rand([1, 2, 3, 2], 1))).toThrow(ShapeError);
    expect(() => conv.backwardParameters(null as never)).toThrow(/Conv2d.backwardParameters/);
    expect(conv.weight.grad.toFloat32Array()).toEqual(g0);
    const seq = lenetish();
    expect(() => seq.backwardParameters(rand([1, 3], 1))).toThrow(/Sequential.backwardParameters: called before a successful forward\(\)/);
    seq.forward(rand([1, 1, 28, 28], 2));
    expect(() => seq.backwardParameters(rand([1, 4], 1))).toThrow(ShapeError);
    expect(grads(seq).every((g) => g.every((v) => v === 0))).toBe(true);
    seq.dispose();
    expect(() => seq.backwardParameters(rand([1, 3], 1))).toThrow(StateError);
    conv.dispose();
    expect(() => conv.backwardParameters(rand([1, 2, 2, 2], 1))).toThrow(/disposed/);
  });

  it('allocates nothing per step once the shapes are known', () => {
    const model = lenetish();
    const x = rand([4, 1, 28, 28], 1), dy = rand([4, 3], 2);
    model.forward(x);
    model.backwardParameters(dy);
    const before = memoryStats();
    for (let i = 0; i < 20; i++) {
      model.forward(x);
      model.backwardParameters(dy);
    }
    const after = memoryStats();
    expect(after.bytesInUse).toBe(before.bytesInUse);
    expect(after.blocksInUse).toBe(before.blocksInUse);
    model.dispose();
  });
});
