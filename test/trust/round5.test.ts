// Round 5 probes of the round-4 layers, losses and training entry points. Each case failed before
// its fix: a raw TypeError / RangeError, an 'internal:' error, a state changed by a rejected call,
// a value silently rounded, or a message that said the wrong thing.
import { describe, expect, it } from 'vitest';
import {
  BatchNorm1d, BatchNorm2d, Conv2d, CrossEntropyLoss, Flatten, Generator, LabelEncoder, Linear, MSELoss, Module, NLLLoss, OutOfMemoryError,
  Parameter, ReLU, SGD, Sequential, ShapeError, StateError, Tensor, ValueError, encodeSafetensors, evaluate, fit, loadModel, memoryStats, saveModel,
} from '../../src/index.js';
import { grads, rejects, seededData as data, values } from '../helpers/trust.js';

const state = (m: Module): Record<string, number[]> =>
  Object.fromEntries(Object.entries(m.stateDict()).map(([k, e]) => [k, Array.from(e.data)]));

describe('round 5: Conv2d whose output no memory can hold', () => {
  it("padding 2^24 is an OutOfMemoryError naming the layer (it was ValueError 'internal: cannot allocate …': the byte count passed 2^53)", () => {
    const conv = new Conv2d(3, 4, 3, { padding: 2 ** 24, generator: new Generator(1) });
    const x = Tensor.zeros([1, 3, 8, 8]);
    const before = memoryStats().bytesInUse;
    rejects(() => conv.forward(x), OutOfMemoryError, /^Conv2d\(3, 4\)\.forward: cannot allocate \d+ bytes/);
    expect(memoryStats().bytesInUse).toBe(before);
    rejects(() => conv.backward(Tensor.zeros([1, 4, 6, 6])), StateError, /called before a successful forward/);
  });
});

describe('round 5: class-index targets given as bigints', () => {
  const logits = (): Tensor => Tensor.from([[1, 2, 3], [3, 1, 0]]);

  it("a BigInt64Array (torch's int64 class indices) is read as numbers (it threw a raw TypeError: Cannot mix BigInt and other types)", () => {
    const expected = new CrossEntropyLoss().forward(logits(), [0, 2]);
    expect(new CrossEntropyLoss().forward(logits(), new BigInt64Array([0n, 2n]))).toBe(expected);
    const logp = Tensor.from([[-1, -2, -0.5], [-0.1, -3, -2]]);
    expect(new NLLLoss().forward(logp, new BigInt64Array([0n, 2n]))).toBe(new NLLLoss().forward(logp, [0, 2]));
    rejects(() => new NLLLoss().forward(logp, new BigInt64Array([0n, 3n])), ValueError, /^NLLLoss\.forward: target\[1\] = 3 is not a class index in \[0, 2\]/);
    rejects(() => new NLLLoss().forward(logp, new BigInt64Array([0n, 2n ** 40n])), ValueError, /target\[1\] = 1099511627776 is not a class index/);
  });

  it('an array holding a bigint is a ValueError naming the element (it was a raw TypeError: Cannot convert a BigInt value to a number)', () => {
    rejects(() => new CrossEntropyLoss().forward(logits(), [0, 1n] as never), ValueError,
      /^CrossEntropyLoss\.forward: target\[1\] = 1n \(a bigint\) is not a class index/);
    rejects(() => new NLLLoss().forward(logits(), [0n, 1] as never), ValueError, /^NLLLoss\.forward: target\[0\] = 0n \(a bigint\)/);
  });

  it('LabelEncoder.decode names a bigint as one (it said "index 0 is 0, expected an integer")', () => {
    rejects(() => new LabelEncoder().fit(['a', 'b']).decode(new BigInt64Array([0n]) as never), ValueError, /index 0 is 0n \(a bigint\)/);
  });
});

describe('round 5: Tensor.from on arrays nested without end', () => {
  it('a cyclic array is a ShapeError (it grew the shape array until V8 ran out of heap and killed the process), a 10 000-deep one too (a raw RangeError: call stack)', () => {
    const cyclic: unknown[] = [1];
    cyclic[0] = cyclic;
    rejects(() => Tensor.from(cyclic as never), ShapeError, /^Tensor\.from: data is nested more than 64 arrays deep/);
    let deep: unknown = [1];
    for (let i = 0; i < 10_000; i++) deep = [deep];
    rejects(() => Tensor.from(deep as never), ShapeError, /nested more than 64 arrays deep/);
    let ok: unknown = [2];
    for (let i = 0; i < 63; i++) ok = [ok];
    expect(Tensor.from(ok as never).shape).toEqual([...new Array<number>(63).fill(1), 1]);
  });
});

describe('round 5: the probes above leave working objects', () => {
  it('a Linear still trains after the refusals', () => {
    const lin = new Linear(2, 1, { generator: new Generator(3) });
    const before = values(lin);
    fit(lin, { x: data([4, 2], 1), y: data([4, 1], 2), loss: new MSELoss(), optimizer: new SGD(lin.parameters(), { lr: 0.1 }), epochs: 1 });
    expect(values(lin)).not.toEqual(before);
  });
});
