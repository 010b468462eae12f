// Round-3 probes of the new convolution and pooling surface: MaxPool2d / AvgPool2d ceilMode,
// dilation, countIncludePad, divisorOverride; Conv2d padding 'same' | 'valid'. Hostile options,
// windows larger than the padded image, sizes that overflow 32-bit arithmetic in the kernels, and
// allocation failures in the middle of a pass: always a WasmnnError, never garbage, nothing changed.
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  AvgPool2d, Conv2d, Generator, MaxPool2d, Module, OutOfMemoryError, ShapeError, StateError, Tensor, ValueError, WasmnnError,
  memoryStats,
} from '../../src/index.js';
import { Allocator } from '../../src/backend/memory.js';
import { seededData as data, failAllocationAt } from '../helpers/trust.js';

afterEach(() => {
  vi.restoreAllMocks();
});

const hostile = fc.constantFrom<unknown>(null, NaN, Infinity, -Infinity, 1e39, -1, 0, 0.5, 2 ** 31, 2 ** 53, '2', true, [1, 2, 3], [2, NaN], {}, 'same', 'valid', 'SAME', [1, 'a'], -0);

/** fn either succeeds or throws a WasmnnError whose message names `option`; a refusal allocates nothing. */
function refusedOrBuilt(fn: () => Module, option: string): void {
  const bytes = memoryStats().bytesInUse;
  let m: Module | null = null;
  try {
    m = fn();
  } catch (e) {
    expect(e).toBeInstanceOf(WasmnnError);
    expect((e as Error).message).toContain(option);
    expect(memoryStats().bytesInUse).toBe(bytes);
    return;
  }
  m.dispose();
}

describe('round 3: pooling and convolution options', () => {
  it('every option of MaxPool2d / AvgPool2d / Conv2d given a hostile value is built or refused naming the option (fast-check)', () => {
    const maxOptions = ['stride', 'padding', 'dilation', 'ceilMode'] as const;
    const avgOptions = ['stride', 'padding', 'ceilMode', 'countIncludePad', 'divisorOverride'] as const;
    const convOptions = ['stride', 'padding', 'dilation', 'bias'] as const;
    fc.assert(fc.property(hostile, fc.nat(20), (v, i) => {
      const mo = maxOptions[i % maxOptions.length]!, ao = avgOptions[i % avgOptions.length]!, co = convOptions[i % convOptions.length]!;
      refusedOrBuilt(() => new MaxPool2d(3, { [mo]: v } as never), mo);
      refusedOrBuilt(() => new AvgPool2d(3, { [ao]: v } as never), ao);
      refusedOrBuilt(() => new Conv2d(1, 1, 3, { [co]: v } as never), co);
      refusedOrBuilt(() => new MaxPool2d(v as never), 'kernelSize');
      refusedOrBuilt(() => new Conv2d(1, 1, v as never), 'kernelSize');
    }), { numRuns: 300 });
  });

  it("a built pool or conv computes finite outputs for any accepted option on a 7×7 image, or refuses the image with a ShapeError", () => {
    const small = fc.constantFrom(1, 2, 3, [1, 2], [3, 1]);
    fc.assert(fc.property(fc.constantFrom(1, 2, 3, 4, [2, 3]), small, fc.constantFrom(0, 1, [0, 1]), small, fc.boolean(), fc.boolean(), fc.option(fc.integer({ min: 1, max: 9 }), { nil: undefined }),
      (k, stride, padding, dilation, ceilMode, countIncludePad, divisorOverride) => {
        const layers: Module[] = [];
        try { layers.push(new MaxPool2d(k as never, { stride, padding, dilation, ceilMode } as never)); } catch (e) { expect(e).toBeInstanceOf(ValueError); }
        try { layers.push(new AvgPool2d(k as never, { stride, padding, ceilMode, countIncludePad, divisorOverride } as never)); } catch (e) { expect(e).toBeInstanceOf(ValueError); }
        try { layers.push(new Conv2d(2, 2, k as never, { stride: 1, padding: 'same', dilation } as never)); } catch (e) { expect(e).toBeInstanceOf(ValueError); }
        // Conv2d with padding 'same' and stride 1 accepts every kernel and dilation drawn here, so
        // the property is never checked on nothing.
        expect(layers.length).toBeGreaterThan(0);
        for (const layer of layers) {
          for (const hw of [1, 2, 7]) {
            const x = data([2, 2, hw, hw], hw);
            let y: Tensor;
            try {
              y = layer.forward(x);
            } catch (e) {
              expect(e, `${layer.toString()} on ${hw}×${hw}`).toBeInstanceOf(ShapeError);
              continue;
            }
            expect(y.toFloat32Array().every(Number.isFinite), `${layer.toString()} on ${hw}×${hw}`).toBe(true);
            const dx = layer.backward(Tensor.full(y.shape, 1));
            expect(dx.shape).toEqual(x.shape);
            expect(dx.toFloat32Array().every(Number.isFinite)).toBe(true);
          }
          layer.dispose();
        }
      }), { numRuns: 120 });
  });

  it('a window larger than the padded image is a ShapeError giving the sizes (pools, conv, ceilMode, dilation, valid)', () => {
    const x = data([1, 1, 3, 3], 1);
    const cases: Array<[Module, RegExp]> = [
      [new MaxPool2d(5), /MaxPool2d\.forward: input \[1, 1, 3, 3\] is too small/],
      [new AvgPool2d(5), /AvgPool2d\.forward: input \[1, 1, 3, 3\] is too small/],
      [new MaxPool2d(2, { dilation: 3 }), /MaxPool2d\.forward: input \[1, 1, 3, 3\] is too small/],
      [new Conv2d(1, 1, 5, { padding: 'valid' }), /Conv2d\.forward: input \[1, 1, 3, 3\] is too small/],
      [new Conv2d(1, 1, 2, { dilation: 4 }), /Conv2d\.forward: input \[1, 1, 3, 3\] is too small/],
    ];
    for (const [layer, message] of cases) {
      expect(() => layer.forward(x)).toThrow(ShapeError);
      expect(() => layer.forward(x)).toThrow(message);
      expect(() => layer.backward(Tensor.zeros([1, 1, 1, 1]))).toThrow(StateError);
    }
    expect(() => new MaxPool2d(2).forward(data([1, 3, 3], 2))).toThrow(/input must have shape \[batch, channels, height, width\]/);
  });

  it("an average over a window of 2^32 padded pixels divides by 2^32 (torch), not by a 32-bit overflow", () => {
    const pool = new AvgPool2d(65536, { stride: 1, padding: 32768 });
    const x = Tensor.full([1, 1, 1, 1], 1);
    const y = pool.forward(x);
    expect(y.shape).toEqual([1, 1, 2, 2]);
    expect(Array.from(y.toFloat32Array())).toEqual([2 ** -32, 2 ** -32, 2 ** -32, 2 ** -32]);
    expect(Array.from(pool.backward(Tensor.full([1, 1, 2, 2], 1)).toFloat32Array())).toEqual([4 * 2 ** -32]);
    const max = new MaxPool2d(65536, { stride: 1, padding: 32768 });
    expect(Array.from(max.forward(x).toFloat32Array())).toEqual([1, 1, 1, 1]);
  });

  it("Conv2d padding 'same' with a dilation that makes the padding larger than 2^24 is refused or exact, never wrapped", () => {
    let conv: Conv2d;
    try {
      conv = new Conv2d(1, 1, [4097, 1], { padding: 'same', dilation: [2 ** 24, 1] });
    } catch (e) {
      expect(e).toBeInstanceOf(ValueError);
      expect((e as Error).message).toMatch(/Conv2d: .*padding 'same'.*dilation/);
      return;
    }
    const x = data([1, 1, 3, 3], 1);
    const w = conv.weight.toFloat32Array()[2048]!, b = conv.bias!.toFloat32Array()[0]!;
    const y = conv.forward(x);
    expect(Array.from(y.toFloat32Array())).toEqual(Array.from(x.toFloat32Array(), (v) => Math.fround(Math.fround(w * v) + b)));
  });

  it("Conv2d padding strings: 'same' with stride 2, unknown strings and mixed pairs are ValueErrors naming padding", () => {
    expect(() => new Conv2d(1, 1, 3, { padding: 'same', stride: 2 })).toThrow(/padding 'same' needs stride 1/);
    for (const p of ['SAME', 'full', '', 'same ', ['same', 'same'], [1, 'valid']]) {
      expect(() => new Conv2d(1, 1, 3, { padding: p as never })).toThrow(ValueError);
      expect(() => new Conv2d(1, 1, 3, { padding: p as never })).toThrow(/padding/);
    }
  });

  it('a pool whose forward failed for lack of memory refuses backward (no stale argmax or geometry), and works afterwards', () => {
    for (const make of [(): Module => new MaxPool2d(2), (): Module => new AvgPool2d(2, { ceilMode: true })]) {
      const pool = make();
      pool.forward(data([1, 1, 4, 4], 1));
      const big = data([2, 3, 9, 9], 2); // made before the allocator is told to fail
      for (let failAt = 1; failAt <= 2; failAt++) {
        failAllocationAt(failAt);
        let error: unknown = null;
        try {
          pool.forward(big);
        } catch (e) {
          error = e;
        }
        vi.restoreAllMocks();
        if (error === null) continue; // this allocation was not needed
        expect(error).toBeInstanceOf(OutOfMemoryError);
        expect((error as Error).message).toMatch(/^(MaxPool2d|AvgPool2d)/);
        expect(() => pool.backward(Tensor.zeros([2, 3, 4, 4]))).toThrow(StateError);
        expect(() => pool.backward(Tensor.zeros([2, 3, 5, 5]))).toThrow(StateError);
      }
      expect(pool.backward(Tensor.zeros(pool.forward(data([2, 3, 9, 9], 2)).shape)).shape).toEqual([2, 3, 9, 9]);
    }
  });

  it("Conv2d 'same' (even kernel) whose backward fails for lack of memory leaves the gradients unchanged", () => {
    const x = data([2, 2, 6, 6], 1), dy = data([2, 3, 6, 6], 2);
    // Count the allocations of a first backward on a twin layer, then fail each of them in turn.
    const twin = new Conv2d(2, 3, 2, { padding: 'same', generator: new Generator(1) });
    twin.forward(x);
    let allocations = 0;
    const real = Allocator.prototype.alloc;
    vi.spyOn(Allocator.prototype, 'alloc').mockImplementation(function (this: Allocator, ...args: Parameters<Allocator['alloc']>) {
      allocations++;
      return real.apply(this, args);
    });
    twin.backward(dy);
    vi.restoreAllMocks();
    expect(allocations).toBeGreaterThan(0);
    for (let failAt = 1; failAt <= allocations; failAt++) {
      const conv = new Conv2d(2, 3, 2, { padding: 'same', generator: new Generator(1) });
      conv.forward(x);
      failAllocationAt(failAt);
      expect(() => conv.backward(dy)).toThrow(OutOfMemoryError);
      vi.restoreAllMocks();
      expect(conv.weight.grad.toFloat32Array().every((v) => v === 0), `allocation ${failAt} of ${allocations}`).toBe(true);
      expect(conv.bias!.grad.toFloat32Array().every((v) => v === 0), `allocation ${failAt} of ${allocations}`).toBe(true);
      expect(conv.backward(dy).shape).toEqual([2, 2, 6, 6]); // and the layer still works
      conv.dispose();
    }
  });
});
