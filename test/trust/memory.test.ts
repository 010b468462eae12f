// Adversarial probes for memory: memory safety, staleness, OutOfMemoryError, dispose. Each `it`
// is one probe that failed on main before this suite (b945d41): it attacks one public entry point,
// asserts a WasmnnError subclass whose message names the argument, and checks that nothing
// changed after a rejected call.
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Allocator } from '../../src/backend/memory.js';
import {
  Adam, CrossEntropyLoss, fit, Linear, Module, OutOfMemoryError, Parameter, ReLU, SGD, Sequential, ShapeError, StateError,
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

describe('memory a user can reason about', () => {
  it('memoryStats() says which kind of owner holds the memory', () => {
    const start = memoryStats().byKind;
    const model = new Sequential(new Linear(10, 20), new ReLU(), new Linear(20, 2));
    const opt = new Adam(model.parameters());
    const loss = new CrossEntropyLoss();
    const x = Tensor.zeros([8, 10]);
    opt.zeroGrad();
    loss.forward(model.forward(x), [0, 1, 0, 1, 0, 1, 0, 1]);
    model.backward(loss.backward());
    opt.step();
    const now = memoryStats().byKind;
    for (const kind of ['parameter', 'module', 'optimizer', 'loss', 'tensor'] as const) {
      expect(now[kind].bytes, kind).toBeGreaterThan(start[kind].bytes);
    }
    expect(now.optimizer.bytes - start.optimizer.bytes).toBeGreaterThanOrEqual(2 * 4 * (10 * 20 + 20 + 20 * 2 + 2)); // Adam: two moments
    x.dispose();
    expect(memoryStats().byKind.tensor).toEqual(start.tensor);
  });

  it('an OutOfMemoryError says what holds the memory and what to do', () => {
    const a = new Allocator(new WebAssembly.Memory({ initial: 1, maximum: 4 }), 16);
    a.alloc(60_000, 'optimizer');
    a.alloc(100_000, 'parameter');
    let error: unknown;
    try {
      a.alloc(200_000, 'tensor');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(OutOfMemoryError);
    const message = (error as Error).message;
    expect(message).toMatch(/cannot allocate 200000 bytes .* for tensors/);
    expect(message).toMatch(/model parameters and gradients 100\.0 kB in 1 block/);
    expect(message).toMatch(/optimizer state 60\.0 kB in 1 block/);
    expect(message).toMatch(/dispose\(\) on models, optimizers, losses, data loaders and tensors/);
    expect(message).toMatch(/using/);
    expect(a.stats().blocksInUse).toBe(2); // the failed request changed nothing
  });

  it('a Parameter whose gradient cannot be allocated frees its value before the error propagates', () => {
    const before = bytes();
    const alloc = Allocator.prototype.alloc;
    let calls = 0;
    vi.spyOn(Allocator.prototype, 'alloc').mockImplementation(function (this: Allocator, n: number, kind) {
      if (++calls === 2) throw new OutOfMemoryError('cannot allocate (simulated)');
      return alloc.call(this, n, kind);
    });
    expect(() => new Parameter([1000], 'x')).toThrow(OutOfMemoryError);
    vi.restoreAllMocks();
    expect(bytes()).toBe(before);
  });

  it('an optimizer whose flat block cannot be allocated frees what it allocated; the model keeps working', () => {
    const model = new Sequential(new Linear(4, 3), new ReLU(), new Linear(3, 2));
    const weights = model.parameters().map((p) => Array.from(p.toFloat32Array()));
    const before = bytes();
    const alloc = Allocator.prototype.alloc;
    let calls = 0;
    vi.spyOn(Allocator.prototype, 'alloc').mockImplementation(function (this: Allocator, n: number, kind) {
      if (++calls === 2) throw new OutOfMemoryError('cannot allocate (simulated)');
      return alloc.call(this, n, kind);
    });
    expect(() => new SGD(model.parameters(), { lr: 0.1 })).toThrow(OutOfMemoryError);
    vi.restoreAllMocks();
    expect(bytes()).toBe(before);
    expect(model.parameters().map((p) => Array.from(p.toFloat32Array()))).toEqual(weights);
    const opt = new SGD(model.parameters(), { lr: 0.1 }); // and an optimizer can still be made
    opt.step();
  });

  it('a tensor declared with `using` is freed at the end of its block', () => {
    const before = bytes();
    {
      using t = Tensor.zeros([10_000]);
      expect(bytes()).toBeGreaterThan(before);
      t.fill(1);
    }
    expect(bytes()).toBe(before);
    expect(typeof Symbol.dispose).toBe('symbol');
    expect(typeof Tensor.prototype[Symbol.dispose]).toBe('function');
  });

  it('a shape no memory can hold is an OutOfMemoryError before anything is allocated or grown', () => {
    const { bytesInUse, growCount } = memoryStats();
    expect(() => Tensor.zeros([2 ** 16, 2 ** 15])).toThrow(OutOfMemoryError);
    expect(() => Tensor.zeros([2 ** 16, 2 ** 15])).toThrow(/Tensor.zeros: cannot allocate shape \[65536, 32768\]/);
    expect(() => new Parameter([2 ** 31], 'x')).toThrow(/Parameter: cannot allocate shape/);
    expect(memoryStats().bytesInUse).toBe(bytesInUse);
    expect(memoryStats().growCount).toBe(growCount);
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

describe('figures: memory before and after dispose', () => {
  it('a synchronous sweep that disposes model, optimizer and loss returns to the same bytes every iteration', () => {
    const x = Tensor.zeros([64, 30]), y = Tensor.from(Array.from({ length: 64 }, (_, i) => i % 3));
    const iteration = (): { model: Sequential; optimizer: Adam; loss: CrossEntropyLoss } => {
      const model = new Sequential(new Linear(30, 40), new ReLU(), new Linear(40, 3));
      const optimizer = new Adam(model.parameters());
      const loss = new CrossEntropyLoss();
      fit(model, { loss, optimizer, x, y, epochs: 1, batchSize: 16 });
      return { model, optimizer, loss };
    };
    const warm = iteration(); // internal scratch allocated once, kept for the process
    warm.model.dispose();
    warm.optimizer.dispose();
    warm.loss.dispose();
    const baseline = bytes();
    const k0 = memoryStats().byKind;
    const held: number[] = [];
    for (let i = 0; i < 20; i++) {
      const { model, optimizer, loss } = iteration();
      held.push(bytes() - baseline);
      model.dispose();
      // What the model's dispose leaves: exactly the optimizer's state and the loss's workspace.
      const k = memoryStats().byKind;
      expect(k.optimizer.bytes - k0.optimizer.bytes).toBe(2 * 4 * (30 * 40 + 40 + 40 * 3 + 4)); // Adam's two moments (bias padded to 4)
      expect(bytes() - baseline).toBe(k.optimizer.bytes - k0.optimizer.bytes + k.loss.bytes - k0.loss.bytes);
      optimizer.dispose();
      loss.dispose();
      expect(bytes(), `iteration ${i}`).toBe(baseline);
    }
    expect(held.every((h) => h === held[0] && h > 0)).toBe(true);
  });
});

// Last on purpose: WASM memory never shrinks, so after this test the memory of this worker
// stays 3.6 GB (virtual; nothing is written), which the growth tests above must not see.
describe('a constructor that runs out of memory', () => {
  it('new Linear(30000, 30000) throws OutOfMemoryError naming what holds memory, and keeps nothing', () => {
    const before = memoryStats();
    let error: unknown;
    try {
      new Linear(30000, 30000);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(OutOfMemoryError);
    expect((error as Error).message).toMatch(/for model parameters and gradients/);
    expect((error as Error).message).toMatch(/dispose\(\)/);
    expect(memoryStats().bytesInUse).toBe(before.bytesInUse);
    expect(memoryStats().blocksInUse).toBe(before.blocksInUse);
    expect(Tensor.from([1, 2]).toArray()).toEqual([1, 2]); // and the library keeps working
  });
});
