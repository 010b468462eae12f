// Adversarial probes for memory a user can reason about: accounting per owner, OutOfMemoryError,
// failed constructors, `using`, and the sweep figure. Each `it` but the sweep figure is one probe
// that failed on main before this suite (b945d41): it asserts a WasmnnError subclass whose
// message says what holds the memory, and that nothing is kept after a failed call.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Allocator } from '../../src/backend/memory.js';
import {
  Adam, Conv2d, CrossEntropyLoss, DataLoader, fit, Linear, MaxPool2d, OutOfMemoryError, Parameter, ReLU, SGD, Sequential, Tensor, memoryStats,
} from '../../src/index.js';
import { failAllocationAt } from '../helpers/trust.js';

const bytes = (): number => memoryStats().bytesInUse;

afterEach(() => {
  vi.restoreAllMocks();
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
    failAllocationAt(2);
    expect(() => new Parameter([1000], 'x')).toThrow(OutOfMemoryError);
    vi.restoreAllMocks();
    expect(bytes()).toBe(before);
  });

  it('an optimizer whose flat block cannot be allocated frees what it allocated; the model keeps working', () => {
    const model = new Sequential(new Linear(4, 3), new ReLU(), new Linear(3, 2));
    const weights = model.parameters().map((p) => Array.from(p.toFloat32Array()));
    const before = bytes();
    failAllocationAt(2);
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

  it('an OutOfMemoryError names the layer (or loss) that needed the memory, and the layer keeps working', () => {
    const x = Tensor.from(Array.from({ length: 2 * 1 * 6 * 6 }, (_, i) => Math.sin(i)), [2, 1, 6, 6]);
    const model = new Sequential(new Conv2d(1, 3, 3, { padding: 1 }), new ReLU(), new MaxPool2d(2));
    const loss = new CrossEntropyLoss();
    const fail = (): void => {
      vi.spyOn(Allocator.prototype, 'alloc').mockImplementation(() => {
        throw new OutOfMemoryError('cannot allocate 123 bytes (simulated)');
      });
    };
    const messageOf = (f: () => unknown): string => {
      fail();
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(OutOfMemoryError);
        return (e as Error).message;
      } finally {
        vi.restoreAllMocks();
      }
      throw new Error('no OutOfMemoryError');
    };
    expect(messageOf(() => model.forward(x))).toMatch(/^Conv2d\(1, 3\)\.forward: cannot allocate 123 bytes \(simulated\)$/);
    expect(messageOf(() => new Linear(4096, 512))).toMatch(/^Linear\(4096, 512\): cannot allocate 123 bytes/);
    const logits = Tensor.zeros([2, 3]), target = Tensor.from([0, 1]), dy = Tensor.zeros([2, 3, 3, 3]);
    expect(messageOf(() => loss.forward(logits, target))).toMatch(/^CrossEntropyLoss\.backward: cannot allocate/);
    expect(messageOf(() => loss.forward(logits, [0, 1]))).toMatch(/^CrossEntropyLoss targets: cannot allocate/);
    const y = model.forward(x); // nothing was left half-made
    expect(y.shape).toEqual([2, 3, 3, 3]);
    expect(messageOf(() => model.backward(dy))).toMatch(/^MaxPool2d\.backward: cannot allocate/);
    expect(model.backward(dy).shape).toEqual([2, 1, 6, 6]);
  });

  it('a DataLoader that runs out of memory while copying keeps no half copy, names itself, and works afterwards', () => {
    const x = Tensor.from(Array.from({ length: 40 }, (_, i) => i), [10, 4]), y = Tensor.from(Array.from({ length: 10 }, (_, i) => i % 3));
    for (const failAt of [1, 2, 3]) { // the copy of x, of y, the row order
      const before = memoryStats().byKind.data ?? { bytes: 0, blocks: 0 };
      failAllocationAt(failAt);
      expect(() => new DataLoader(x, y, { batchSize: 4 })).toThrow(/^DataLoader \((copy of x|copy of y|row order)\): cannot allocate \(simulated\)$/);
      vi.restoreAllMocks();
      expect(memoryStats().byKind.data ?? { bytes: 0, blocks: 0 }).toEqual(before);
    }
    const loader = new DataLoader(x, y, { batchSize: 4 });
    expect([...loader].map((b) => b.size)).toEqual([4, 4, 2]);
    loader.dispose();
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
