// Property-based hardening (fast-check): random shapes, sizes (0, 1, huge), NaN/Infinity, wrong
// types, disposed tensors, mismatched targets and out-of-range hyper-parameters thrown at the
// public API. Every call either succeeds or throws a WasmnnError with a message — never a WASM
// trap, a TypeError/RangeError from inside, or silent garbage — and a rejected call leaves the
// model's parameters unchanged.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Adam, AdamW, Adagrad, BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HuberLoss, L1Loss, Linear, MSELoss, RMSprop,
  ReLU, SGD, Sequential, Sigmoid, StateError, Tensor, WasmnnError, OutOfMemoryError, memoryStats, type Loss,
} from '../src/index.js';

const RUNS = 150;

/** Runs fn; passes if it returns, or throws a WasmnnError whose message is not a WASM trap. */
function succeedsOrFailsCleanly(fn: () => unknown): 'ok' | 'rejected' {
  try {
    fn();
    return 'ok';
  } catch (e) {
    if (!(e instanceof WasmnnError)) throw new Error(`expected a WasmnnError, got ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
    expect(e.message).not.toMatch(/unreachable|out of bounds|RuntimeError/);
    expect(e.message.length).toBeGreaterThan(10);
    return 'rejected';
  }
}

const weird = fc.oneof(
  fc.double(), fc.constant(NaN), fc.constant(Infinity), fc.constant(-Infinity), fc.integer(), fc.string(),
  fc.constant(null), fc.constant(undefined), fc.boolean(), fc.constant({}), fc.constant([]),
);
const dims = fc.array(fc.oneof(fc.integer({ min: -2, max: 6 }), fc.constantFrom(0, 1, 2 ** 31, Number.MAX_SAFE_INTEGER, 1.5, NaN)), { maxLength: 4 });

function snapshot(m: Sequential): number[] {
  return m.parameters().flatMap((p) => Array.from(p.toFloat32Array()));
}

function gradients(m: Sequential): number[] {
  return m.parameters().flatMap((p) => Array.from(p.grad.toFloat32Array()));
}

describe('property-based hardening', () => {
  it('Tensor.from / zeros / full with arbitrary data and shapes', () => {
    fc.assert(fc.property(fc.oneof(fc.array(weird, { maxLength: 12 }), fc.array(fc.array(fc.double(), { maxLength: 4 }), { maxLength: 4 }), weird), fc.option(dims), (data, shape) => {
      succeedsOrFailsCleanly(() => Tensor.from(data as never, shape ?? undefined));
      if (shape) {
        succeedsOrFailsCleanly(() => Tensor.zeros(shape));
        succeedsOrFailsCleanly(() => Tensor.full(shape, data as never));
      }
    }), { numRuns: RUNS });
  });

  it('a tensor larger than WASM memory can hold is an OutOfMemoryError, and the library keeps working', () => {
    const before = memoryStats().bytesInUse;
    expect(() => Tensor.zeros([2 ** 31])).toThrow(OutOfMemoryError);
    expect(() => Tensor.zeros([65536, 65536])).toThrow(/cannot allocate/);
    expect(memoryStats().bytesInUse).toBe(before);
    expect(Tensor.from([[1, 2]]).toArray()).toEqual([[1, 2]]);
  });

  it('Linear and Sequential with arbitrary sizes, inputs and gradients; rejected calls change nothing', () => {
    fc.assert(fc.property(weird, weird, dims, fc.array(fc.double(), { maxLength: 30 }), (inF, outF, shape, values) => {
      succeedsOrFailsCleanly(() => new Linear(inF as never, outF as never));
      const model = new Sequential(new Linear(3, 4), new ReLU(), new Linear(4, 2), new Sigmoid());
      const before = snapshot(model);
      let input: Tensor | null = null;
      if (succeedsOrFailsCleanly(() => { input = Tensor.from(values.length ? values : [0], shape.length ? shape : undefined); }) === 'ok') {
        const r = succeedsOrFailsCleanly(() => model.forward(input!));
        if (r === 'rejected') {
          expect(snapshot(model)).toEqual(before);
          expect(() => model.backward(input!)).toThrow(StateError); // no successful forward to go back through
        }
        const grads = gradients(model);
        if (succeedsOrFailsCleanly(() => model.backward(input!)) === 'rejected') expect(gradients(model)).toEqual(grads);
        expect(snapshot(model)).toEqual(before); // backward accumulates gradients, never touches parameters
      }
      model.dispose();
    }), { numRuns: RUNS });
  });

  it('losses with arbitrary predictions and targets (shapes, NaN, ±Infinity, wrong types)', () => {
    const losses: Loss[] = [new MSELoss(), new L1Loss(), new HuberLoss(), new BCELoss(), new BCEWithLogitsLoss(), new CrossEntropyLoss(), new MSELoss({ reduction: 'sum' })];
    const values = fc.array(fc.oneof(fc.double({ min: -5, max: 5 }), fc.constantFrom(NaN, Infinity, -Infinity, 0, 1)), { minLength: 1, maxLength: 12 });
    fc.assert(fc.property(fc.integer({ min: 0, max: losses.length - 1 }), values, fc.integer({ min: 1, max: 4 }), fc.oneof(values, weird), fc.integer({ min: 1, max: 4 }), (li, pv, pcols, tv, tcols) => {
      const loss = losses[li]!;
      const rows = Math.max(1, Math.floor(pv.length / pcols));
      const pred = Tensor.from(pv.slice(0, rows * pcols).concat(Array(Math.max(0, rows * pcols - pv.length)).fill(0)), [rows, pcols]);
      let target: unknown = tv;
      if (Array.isArray(tv) && tv.length >= tcols) {
        const trows = Math.floor(tv.length / tcols);
        target = Tensor.from(tv.slice(0, trows * tcols), [trows, tcols]);
      }
      const r = succeedsOrFailsCleanly(() => {
        const value = loss.forward(pred, target);
        expect(Number.isFinite(value)).toBe(true); // a returned loss is always finite
        expect(loss.backward().shape).toEqual(pred.shape);
      });
      // A rejected forward forgets the previous call's gradient: backward must refuse, not return it.
      if (r === 'rejected') expect(() => loss.backward()).toThrow(StateError);
    }), { numRuns: RUNS * 2 });
  });

  it('optimizers with arbitrary hyper-parameters, and parameters unchanged when construction fails', () => {
    const makers = [
      (p: never, o: never) => new SGD(p, o), (p: never, o: never) => new Adam(p, o), (p: never, o: never) => new AdamW(p, o),
      (p: never, o: never) => new Adagrad(p, o), (p: never, o: never) => new RMSprop(p, o),
    ];
    const options = fc.record({
      lr: weird, momentum: weird, betas: fc.oneof(fc.tuple(weird, weird), weird), eps: weird, weightDecay: weird,
      amsgrad: weird, nesterov: weird, alpha: weird, centered: weird, dampening: weird,
    }, { requiredKeys: [] });
    fc.assert(fc.property(fc.integer({ min: 0, max: makers.length - 1 }), options, (mi, opts) => {
      const model = new Sequential(new Linear(2, 3), new ReLU(), new Linear(3, 1));
      const before = snapshot(model);
      const r = succeedsOrFailsCleanly(() => {
        const opt = makers[mi]!(model.parameters() as never, opts as never);
        opt.step();
      });
      if (r === 'rejected') expect(snapshot(model)).toEqual(before);
      model.dispose();
    }), { numRuns: RUNS });
  });

  it('disposed and stale tensors are refused everywhere', () => {
    const model = new Sequential(new Linear(2, 2));
    const x = Tensor.from([[1, 2]]);
    const out = model.forward(x);
    model.forward(Tensor.from([[3, 4]]));
    for (const fn of [() => out.toFloat32Array(), () => new MSELoss().forward(out, Tensor.zeros([1, 2])), () => out.clone()]) {
      expect(succeedsOrFailsCleanly(fn)).toBe('rejected');
    }
    x.dispose();
    for (const fn of [() => model.forward(x), () => x.toArray(), () => new MSELoss().forward(Tensor.zeros([1, 2]), x)]) {
      expect(succeedsOrFailsCleanly(fn)).toBe('rejected');
    }
  });
});
