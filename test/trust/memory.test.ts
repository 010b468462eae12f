// Adversarial probes for memory safety, staleness and checked writes (accounting, OutOfMemoryError
// and dispose: memory-accounting.test.ts). Each `it`
// is one probe that failed on main before this suite (b945d41): it attacks one public entry point,
// asserts a WasmnnError subclass whose message names the argument, and checks that nothing
// changed after a rejected call.
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  Linear, Module, Parameter, ReLU, SGD, Sequential, ShapeError, StateError,
  Tensor, ValueError, WasmnnError, getBackend, memoryStats, setBackend,
} from '../../src/index.js';

const bytes = (): number => memoryStats().bytesInUse;

/** A module with one parameter of a shape chosen by the caller (as a user's custom layer would). */
class Custom extends Module {
  static override readonly typeName: string = 'Custom';
  readonly p: Parameter;
  constructor(shape: readonly number[]) {
    super();
    this.p = this.registerParameter('p', new Parameter(shape, 'Custom'));
  }
  forward(x: Tensor): Tensor {
    return x;
  }
  backward(g: Tensor): Tensor {
    return g;
  }
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('memory safety: no public path reaches a kernel with an unchecked length', () => {
  it('new Parameter rejects negative, NaN, fractional and string dimensions, naming the shape, and allocates nothing', () => {
    const badDim = fc.oneof(fc.integer({ max: -1 }), fc.constantFrom(NaN, 1.5, Infinity, -0.5), fc.constant('2' as unknown as number));
    fc.assert(fc.property(fc.array(fc.nat({ max: 4 }), { maxLength: 2 }), badDim, fc.nat({ max: 2 }), (good, bad, at) => {
      const shape = [...good];
      shape.splice(Math.min(at, shape.length), 0, bad);
      const before = bytes();
      expect(() => new Parameter(shape, 'x')).toThrow(ShapeError);
      expect(() => new Parameter(shape, 'x')).toThrow(/Parameter: shape .* invalid dimension/);
      expect(bytes()).toBe(before);
    }), { numRuns: 200 });
  });

  it('a custom module with a [-4] parameter fails in its constructor; zeroGrad and optimizers never see it', () => {
    const before = bytes();
    expect(() => new Custom([-4])).toThrow(ShapeError);
    expect(() => new Custom([-4])).toThrow(/invalid dimension -4/);
    expect(bytes()).toBe(before);
    const ok = new Custom([3]); // a valid one still builds a block exactly its size
    const opt = new SGD(ok.parameters(), { lr: 0.1 });
    ok.p.grad.set([1, 2, 3]);
    opt.step();
    expect(Array.from(ok.p.toFloat32Array())).toEqual([-0.1, -0.2, Math.fround(-0.3)].map(Math.fround));
  });

  it("a parameter's gradient cannot be replaced by a tensor of another size (StateError, nothing changes)", () => {
    const lin = new Linear(3, 20);
    const grad = lin.weight.grad;
    expect(() => { (lin.weight as { grad: Tensor }).grad = Tensor.zeros([1]); }).toThrow(StateError);
    expect(() => { (lin.weight as { grad: Tensor }).grad = Tensor.zeros([1]); }).toThrow(/Parameter.grad cannot be replaced/);
    expect(lin.weight.grad).toBe(grad);
    const x = Tensor.from([[1, 2, 3]]);
    lin.forward(x);
    lin.backward(Tensor.full([1, 20], 1));
    expect(lin.weight.grad.size).toBe(60);
    expect(Array.from(lin.weight.grad.toFloat32Array().subarray(0, 3))).toEqual([1, 2, 3]);
  });

  it("a tensor's size and shape cannot be forged from JavaScript (StateError; the kernels keep the real length)", () => {
    const t = Tensor.zeros([2]);
    const other = Tensor.full([4], 7);
    expect(() => { (t as { size: number }).size = 1_000_000; }).toThrow(StateError);
    expect(() => { (t as unknown as { shape: number[] }).shape = [1_000_000]; }).toThrow(/shape cannot be assigned/);
    expect(t.size).toBe(2);
    expect(t.shape).toEqual([2]);
    t.fill(1);
    expect(Array.from(other.toFloat32Array())).toEqual([7, 7, 7, 7]);
  });

  it('the Tensor constructor refuses a forged offset, shape or storage (no pointer past the block)', () => {
    const t = Tensor.zeros([4]);
    const neighbour = Tensor.full([4], 5);
    const storage = t._storage;
    expect(() => new Tensor(storage, 2, [4], null)).toThrow(/4 elements from offset 2 do not fit a storage of 4 elements/);
    expect(() => new Tensor(storage, -8, [4], null)).toThrow(ShapeError);
    expect(() => new Tensor(storage, 0, [-2, -2], null)).toThrow(/invalid dimension -2/);
    expect(() => new Tensor({} as never, 0, [1], null)).toThrow(ValueError);
    expect(Array.from(neighbour.toFloat32Array())).toEqual([5, 5, 5, 5]);
    expect(new Tensor(storage, 1, [3], 'a view').size).toBe(3);
  });

  it('any value as a shape (bigint, symbol, null-prototype object, nested arrays …) is a ShapeError, never a raw error', () => {
    const hostile = [2n, Symbol('d'), Object.create(null), { toString: () => { throw new Error('boom'); } }, [2], () => 2];
    const dim = fc.oneof(fc.anything(), fc.constantFrom(...hostile), fc.nat({ max: 3 }));
    fc.assert(fc.property(fc.oneof(fc.array(dim, { maxLength: 3 }), fc.anything()), (shape) => {
      for (const call of [() => Tensor.zeros(shape as never), () => new Parameter(shape as never, 'x'), () => Tensor.from([1], shape as never), () => Tensor.zeros([1]).reshape(shape as never)]) {
        try {
          call();
        } catch (e) {
          expect(e).toBeInstanceOf(WasmnnError);
          expect((e as Error).message).toMatch(/shape|data/);
        }
      }
    }), { numRuns: 300 });
  });

  it('new Parameter refuses an owner that is not a string (ValueError naming owner)', () => {
    expect(() => new Parameter([2], 42 as never)).toThrow(ValueError);
    expect(() => new Parameter([2], 42 as never)).toThrow(/owner must be a string/);
  });
});

describe('staleness: nothing a user holds changes or empties silently', () => {
  it('a copy read before memory grows keeps its length and values', () => {
    const t = Tensor.from([1, 2, 3, 4]);
    const d = t.toFloat32Array();
    const growth = Tensor.zeros([memoryStats().memoryBytes / 4]); // larger than all free memory: grows
    expect(d.length).toBe(4);
    expect(Array.from(d)).toEqual([1, 2, 3, 4]);
    expect(d.reduce((s, v) => s + v, 0)).toBe(10);
    growth.dispose();
  });

  it("a model's first output read with toFloat32Array() is not overwritten by the second forward", () => {
    const model = new Sequential(new Linear(2, 3), new ReLU(), new Linear(3, 2));
    const x1 = Tensor.from([[1, 2]]), x2 = Tensor.from([[-3, 5]]);
    const a = model.forward(x1).toFloat32Array();
    const expected = Array.from(a);
    const b = model.forward(x2).toFloat32Array();
    expect(Array.from(a)).toEqual(expected);
    expect(Array.from(b)).not.toEqual(expected);
    expect(Array.from(model.forward(x1).toFloat32Array())).toEqual(expected);
  });

  it('.data is no silent view any more: it throws a StateError naming the replacements', () => {
    const t = Tensor.from([1, 2]);
    expect(() => (t as unknown as { data: Float32Array }).data).toThrow(StateError);
    expect(() => (t as unknown as { data: Float32Array }).data).toThrow(/toFloat32Array\(\)/);
  });

  it('a reshape/view of a disposed tensor throws, and so does a view kept after its source is disposed', () => {
    const t = Tensor.from([1, 2, 3, 4]);
    const v = t.view([2, 2]);
    t.dispose();
    expect(() => v.toArray()).toThrow(StateError);
    expect(() => v.toArray()).toThrow(/disposed/);
    expect(() => t.reshape([4])).toThrow(/Tensor.reshape: .*disposed/);
    expect(() => t._rows(0, 1)).toThrow(StateError);
  });

  it('a reshape of a module output goes stale with it', () => {
    const lin = new Linear(2, 4);
    const v = lin.forward(Tensor.from([[1, 2]])).reshape([2, 2]);
    lin.forward(Tensor.from([[3, 4]]));
    expect(() => v.toFloat32Array()).toThrow(/stale/);
  });

  it('Tensor.from(copy of a large tensor) works when the allocation grows memory, and leaks nothing', () => {
    const n = memoryStats().memoryBytes / 4;
    const big = Tensor.full([n], 2);
    const before = bytes();
    const copy = Tensor.from(big.toFloat32Array(), [n]);
    expect(copy.toFloat32Array()[n - 1]).toBe(2);
    copy.dispose();
    expect(bytes()).toBe(before);
    big.dispose();
  });
});

describe('writes are checked before anything changes', () => {
  it('Tensor.from and Tensor.full refuse values float32 cannot hold (1e39 would become Infinity)', () => {
    const before = bytes();
    expect(() => Tensor.from([1, 1e39])).toThrow(ValueError);
    expect(() => Tensor.from([1, 1e39])).toThrow(/data\[1\] = 1e\+39 is beyond the float32 range/);
    expect(() => Tensor.from([[1], [-1e39]])).toThrow(/beyond the float32 range/);
    expect(() => Tensor.full([2], 1e39)).toThrow(/value = 1e\+39/);
    expect(bytes()).toBe(before);
    expect(Tensor.from([NaN, Infinity]).toArray()).toEqual([NaN, Infinity]); // non-finite values are kept as they are
  });

  it('Tensor.from refuses array-likes with holes or a hostile length instead of filling NaN', () => {
    expect(() => Tensor.from({ length: 3 } as never)).toThrow(/data\[0\] is not a number/);
    expect(() => Tensor.from({ length: 2 ** 40 } as never)).toThrow(/data.length must be an integer/);
    expect(() => Tensor.from({ length: 1.5 } as never)).toThrow(ValueError);
  });

  it('set and fill check values, offset and room; a rejected call writes nothing', () => {
    fc.assert(fc.property(
      fc.array(fc.oneof(fc.double(), fc.constant(1e39), fc.constant('x' as unknown as number)), { maxLength: 8 }),
      fc.oneof(fc.integer({ min: -3, max: 8 }), fc.constantFrom(NaN, 0.5, Infinity)),
      (values, offset) => {
        const t = Tensor.from([1, 2, 3, 4, 5]);
        try {
          t.set(values, offset);
          expect(Array.from(t.toFloat32Array().subarray(offset, offset + values.length))).toEqual(values.map(Math.fround));
        } catch (e) {
          expect(e).toBeInstanceOf(WasmnnError);
          expect((e as Error).message).toMatch(/Tensor.set: (values|offset)/);
          expect(Array.from(t.toFloat32Array())).toEqual([1, 2, 3, 4, 5]);
        }
      }), { numRuns: 300 });
  });

  it('reshape / view with any shape either works (same elements) or throws a ShapeError naming the shapes', () => {
    const dim = fc.oneof(fc.integer({ min: -2, max: 7 }), fc.constantFrom(NaN, 1.5, 2 ** 31, '3' as unknown as number));
    fc.assert(fc.property(fc.array(dim, { maxLength: 4 }), (shape) => {
      const t = Tensor.from([1, 2, 3, 4, 5, 6]);
      try {
        const v = t.reshape(shape);
        expect(v.size).toBe(6);
        expect(Array.from(v.toFloat32Array())).toEqual([1, 2, 3, 4, 5, 6]);
      } catch (e) {
        expect(e).toBeInstanceOf(WasmnnError);
        expect((e as Error).message).toMatch(/Tensor.reshape: /);
      }
      expect(t.shape).toEqual([6]);
    }), { numRuns: 300 });
  });
});

describe('runtime', () => {
  it("setBackend with an unknown name is a ValueError naming the argument, and the backend stays", () => {
    const before = getBackend();
    for (const bad of ['gpu', null, 42, undefined]) {
      expect(() => setBackend(bad as never)).toThrow(ValueError);
      expect(() => setBackend(bad as never)).toThrow(/setBackend: name must be 'wasm' or 'reference'/);
    }
    expect(getBackend()).toBe(before);
  });
});
