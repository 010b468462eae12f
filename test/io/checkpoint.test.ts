import { describe, expect, it } from 'vitest';
import {
  Adam, AdamW, CrossEntropyLoss, Generator, Linear, ReLU, SGD, Sequential, Tanh, disk,
  decodeSafetensors, encodeSafetensors, loadCheckpoint, loadModel, modelFromJSON, modelToJSON, saveCheckpoint, saveModel,
  type Optimizer, ShapeError, ValueError,
} from '../../src/index.js';

const model = (seed = 1, hidden = 8): Sequential => {
  const g = new Generator(seed);
  return new Sequential(new Linear(2, hidden, { generator: g }), new ReLU(), new Linear(hidden, 2, { generator: g }));
};
const weights = (m: Sequential): number[] => m.parameters().flatMap((p) => Array.from(p.toFloat32Array()));

/** A safetensors file written by hand from the format's description, independent of our encoder. */
function handWritten(): Uint8Array {
  const header = JSON.stringify({ 'w': { dtype: 'F32', shape: [2, 2], data_offsets: [0, 16] }, __metadata__: { format: 'pt' } });
  const h = new TextEncoder().encode(header);
  const out = new Uint8Array(8 + h.length + 16);
  new DataView(out.buffer).setUint32(0, h.length, true);
  out.set(h, 8);
  const dv = new DataView(out.buffer, 8 + h.length);
  [1.5, -2, 3.25, 0].forEach((v, i) => dv.setFloat32(4 * i, v, true));
  return out;
}

describe('safetensors', () => {
  it('reads a file written from the specification', () => {
    const { tensors, metadata } = decodeSafetensors(handWritten());
    expect(tensors.w!.shape).toEqual([2, 2]);
    expect(Array.from(tensors.w!.data)).toEqual([1.5, -2, 3.25, 0]);
    expect(metadata.format).toBe('pt');
  });

  it('writes and reads I64 entries (torch int64 counters) and refuses unsafe or fractional ones', () => {
    const bytes = encodeSafetensors({ n: { shape: [], data: new Float32Array([7]), dtype: 'I64' }, w: { shape: [1], data: new Float32Array([0.5]) } });
    const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
    expect(header.n).toEqual({ dtype: 'I64', shape: [], data_offsets: [0, 8] });
    expect(new DataView(bytes.buffer, 8 + headerLength).getBigInt64(0, true)).toBe(7n);
    const back = decodeSafetensors(bytes).tensors;
    expect([back.n!.shape, Array.from(back.n!.data), back.n!.dtype]).toEqual([[], [7], 'I64']);
    expect(Array.from(back.w!.data)).toEqual([0.5]);
    expect(() => encodeSafetensors({ n: { shape: [1], data: new Float32Array([1.5]), dtype: 'I64' } })).toThrow(ValueError);
    const big = bytes.slice();
    new DataView(big.buffer, 8 + headerLength).setBigInt64(0, 2n ** 60n, true);
    expect(() => decodeSafetensors(big)).toThrow(ValueError);
  });

  it('writes PyTorch names, [out, in] shapes, F32, contiguous offsets and an 8-byte-aligned header', () => {
    const m = model();
    const bytes = saveModel(m);
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + n) % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
    expect(header['0.weight']).toEqual({ dtype: 'F32', shape: [8, 2], data_offsets: [0, 64] });
    expect(header['0.bias']).toEqual({ dtype: 'F32', shape: [8], data_offsets: [64, 96] });
    expect(header['2.weight'].shape).toEqual([2, 8]);
    expect(header.__metadata__.format).toBe('pt');
  });

  it('round-trips a model through bytes and through JSON', () => {
    const a = model(1), b = model(2), c = model(3);
    loadModel(b, saveModel(a));
    expect(weights(b)).toEqual(weights(a));
    modelFromJSON(c, modelToJSON(a));
    expect(weights(c)).toEqual(weights(a));
  });

  it('rejects wrong names, shapes, dtypes, truncated and corrupted files, leaving the model unchanged', () => {
    const target = model(5);
    const before = weights(target);
    const good = saveModel(model(6));
    const other = saveModel(model(6, 4));
    const cases: Array<[Uint8Array, RegExp]> = [
      [other, /'0.weight' has shape \[4, 2\], the module expects \[8, 2\]/],
      [encodeSafetensors({ 'layer.weight': { shape: [1], data: new Float32Array(1) } }), /missing keys '0.weight'.*unexpected keys 'layer.weight'/],
      [good.subarray(0, good.length - 5), /truncated/],
      [good.subarray(0, 6), /too short/],
      [(() => { const b = good.slice(); b[9] = 0x2c; return b; })(), /safetensors: header: /],
      [(() => { const b = good.slice(); new DataView(b.buffer).setBigUint64(0, 10n ** 12n, true); return b; })(), /header length/],
      [new TextEncoder().encode('not a safetensors file at all'), /header length|safetensors: header/],
    ];
    const f16 = (() => {
      const h = new TextEncoder().encode(JSON.stringify({ '0.weight': { dtype: 'F16', shape: [8, 2], data_offsets: [0, 32] } }));
      const out = new Uint8Array(8 + h.length + 32);
      new DataView(out.buffer).setUint32(0, h.length, true);
      out.set(h, 8);
      return out;
    })();
    cases.push([f16, /'0.weight' has dtype "F16"; wasmnn reads F32 and I64/]);
    for (const [bytes, message] of cases) {
      expect(() => loadModel(target, bytes)).toThrow(message);
      expect(weights(target)).toEqual(before);
    }
    const nan = model(7).stateDict();
    nan['2.bias']!.data[1] = NaN;
    expect(() => target.loadStateDict(nan)).toThrow(/'2.bias' has NaN at index 1/);
    expect(() => target.loadStateDict({ ...model(7).stateDict(), '0.bias': { shape: [8], data: new Float32Array(7) } })).toThrow(ShapeError);
    expect(weights(target)).toEqual(before);
  });
});

describe('checkpoints resume bit-identically', () => {
  const cases: Array<[string, (m: Sequential) => Optimizer]> = [
    ['SGD with momentum', (m) => new SGD(m.parameters(), { lr: 0.05, momentum: 0.9, nesterov: true })],
    ['Adam', (m) => new Adam(m.parameters(), { lr: 1e-2 })],
    ['AdamW with amsgrad', (m) => new AdamW(m.parameters(), { lr: 1e-2, amsgrad: true, weightDecay: 0.05 })],
  ];
  it.each(cases)('%s', (_name, makeOpt) => {
    const { x, y } = disk(64, new Generator(9));
    const loss = new CrossEntropyLoss();
    const train = (m: Sequential, opt: Optimizer, steps: number): void => {
      for (let i = 0; i < steps; i++) {
        opt.zeroGrad();
        loss.forward(m.forward(x), y);
        m.backward(loss.backward());
        opt.step();
      }
    };
    const g = new Generator(4);
    const mk = (): Sequential => new Sequential(new Linear(2, 16, { generator: g }), new Tanh(), new Linear(16, 2, { generator: g }));
    const straight = mk();
    const resumed = mk();
    resumed.loadStateDict(straight.stateDict());
    const optA = makeOpt(straight);
    train(straight, optA, 40);

    const first = mk();
    first.loadStateDict(resumed.stateDict());
    const optB = makeOpt(first);
    train(first, optB, 15);
    const bytes = saveCheckpoint(first, optB);
    const optR = makeOpt(resumed);
    loadCheckpoint(bytes, resumed, optR);
    train(resumed, optR, 25);
    expect(weights(resumed)).toEqual(weights(straight));
  });

  it('refuses a checkpoint of another optimizer or other hyper-parameters, changing nothing', () => {
    const m = model(1);
    const bytes = saveCheckpoint(m, new Adam(m.parameters(), { lr: 1e-2 }));
    const other = model(2);
    const before = weights(other);
    expect(() => loadCheckpoint(bytes, other, new SGD(other.parameters()))).toThrow(/holds Adam state, the optimizer is SGD/);
    expect(() => loadCheckpoint(bytes, other, new Adam(other.parameters(), { betas: [0.8, 0.999] }))).toThrow(/hyper-parameter betas is \[0.9,0.999\] in the state but \[0.8,0.999\]/);
    expect(() => loadCheckpoint(saveModel(m), other, new Adam(other.parameters()))).toThrow(ValueError);
    expect(weights(other)).toEqual(before);
  });
});
