// Adversarial probes of files (issue 10, class 3): a file is untrusted input. Sizes and counts in
// it are bounded by its own length before anything is allocated, values are checked as float32,
// headers are strict JSON, and a refused load leaves the model and the optimizer as they were.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Adam, Generator, Linear, MSELoss, ReLU, Sequential, Tensor, ValueError, fit, WasmnnError, decodeSafetensors, encodeSafetensors,
  loadCheckpoint, loadModel, modelFromJSON, modelToJSON, saveCheckpoint, saveModel,
} from '../../src/index.js';

function model(seed = 1): Sequential {
  const g = new Generator(seed);
  return new Sequential(new Linear(2, 3, { generator: g }), new ReLU(), new Linear(3, 1, { generator: g }));
}
const weights = (m: Sequential): number[][] => m.parameters().map((p) => Array.from(p.toFloat32Array()));

/** A safetensors file from a header object (written as given, keys in order) and data bytes. */
function file(headerText: string, data = new Uint8Array(0)): Uint8Array {
  const h = new TextEncoder().encode(headerText);
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

/** A trained-looking model + Adam pair and its checkpoint, re-encoded with `edit` applied. */
function checkpointWith(edit: (tensors: Record<string, { shape: number[]; data: Float32Array }>, meta: Record<string, string>) => void): Uint8Array {
  const m = model(2);
  const opt = new Adam(m.parameters());
  // One step, so that Adam has state buffers to save.
  fit(m, { loss: new MSELoss(), optimizer: opt, x: Tensor.from([[1, 2], [3, 4]]), y: Tensor.from([[1], [2]]), epochs: 1, seed: 1 });
  const decoded = decodeSafetensors(saveCheckpoint(m, opt));
  const tensors = Object.fromEntries(Object.entries(decoded.tensors).map(([k, v]) => [k, { shape: v.shape, data: v.data as Float32Array }]));
  const meta = { ...decoded.metadata };
  edit(tensors, meta);
  return encodeSafetensors(tensors, meta);
}

/** Loads `bytes` as a checkpoint into a fresh pair; expects a ValueError matching `message` and no change. */
function checkpointRejected(bytes: Uint8Array, message: RegExp): void {
  const m = model(1);
  const opt = new Adam(m.parameters());
  const before = { w: weights(m), state: JSON.stringify(opt.stateDict()), steps: opt.steps };
  expect(() => loadCheckpoint(bytes, m, opt)).toThrow(message);
  expect(() => loadCheckpoint(bytes, m, opt)).toThrow(ValueError);
  expect({ w: weights(m), state: JSON.stringify(opt.stateDict()), steps: opt.steps }).toEqual(before);
}

describe('checkpoints', () => {
  it('a small checkpoint claiming parameters "1000000000" is refused without building a billion-element array', () => {
    const bytes = checkpointWith((_, meta) => { meta.parameters = '1000000000'; });
    expect(bytes.length).toBeLessThan(2000);
    checkpointRejected(bytes, /metadata 'parameters' is 1000000000, but the optimizer has 4 parameters/);
  });

  it('NaN in the optimizer state is refused, naming the key', () => {
    checkpointRejected(checkpointWith((t) => { t['optimizer.0.expAvg']!.data[1] = NaN; }), /'optimizer\.0\.expAvg' has NaN at index 1/);
  });

  it('Infinity in the optimizer state is refused', () => {
    checkpointRejected(checkpointWith((t) => { t['optimizer.2.expAvg']!.data[0] = Infinity; }), /'optimizer\.2\.expAvg' has Infinity at index 0/);
  });

  it('a negative second moment is refused', () => {
    checkpointRejected(checkpointWith((t) => { t['optimizer.1.expAvgSq']!.data[2] = -1; }), /'optimizer\.1\.expAvgSq' has -1 at index 2 \(a sum of squares cannot be negative\)/);
  });

  it('an optimizer key with extra parts is refused instead of read as another buffer', () => {
    checkpointRejected(checkpointWith((t) => {
      t['optimizer.0.expAvg.extra'] = t['optimizer.0.expAvg']!;
      delete t['optimizer.0.expAvg'];
    }), /unexpected optimizer key 'optimizer\.0\.expAvg\.extra'/);
  });

  it('a step that is not a plain integer is refused, naming the key', () => {
    checkpointRejected(checkpointWith((_, meta) => { meta.step = '1e3'; }), /metadata 'step' must be an integer/);
  });
});

describe('model files', () => {
  it('modelFromJSON refuses 1e39 (Infinity in float32), naming the key', () => {
    const m = model(1);
    const before = weights(m);
    const json = JSON.parse(modelToJSON(model(2)));
    json['2.bias'].data[0] = 1e39;
    expect(() => modelFromJSON(m, JSON.stringify(json))).toThrow(/'2\.bias' has 1e\+39 at index 0, which is not a finite float32/);
    expect(weights(m)).toEqual(before);
  });

  it('modelFromJSON refuses duplicate keys (JSON.parse keeps the last one silently)', () => {
    const m = model(1);
    const text = modelToJSON(model(2));
    const dup = text.replace('{"0.weight"', '{"0.weight":{"shape":[3,2],"data":[0,0,0,0,0,0]},"0.weight"');
    expect(() => modelFromJSON(m, dup)).toThrow(/duplicate key "0\.weight"/);
  });

  it('a duplicate tensor name in a safetensors header is refused', () => {
    const header = '{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}';
    expect(() => decodeSafetensors(file(header, new Uint8Array(8)))).toThrow(/duplicate key "a"/);
  });

  it('a "__proto__" key in a header is refused', () => {
    const header = '{"__proto__":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}';
    expect(() => decodeSafetensors(file(header, new Uint8Array(4)))).toThrow(/"__proto__" is not allowed/);
  });

  it('__metadata__ that is an array is refused', () => {
    expect(() => decodeSafetensors(file('{"__metadata__":["x"]}'))).toThrow(/__metadata__ must be an object of strings/);
  });

  it('a shape with a dimension beyond 2^53 is refused', () => {
    expect(() => decodeSafetensors(file('{"a":{"dtype":"F32","shape":[1e20,0],"data_offsets":[0,0]}}'))).toThrow(/'a' has an invalid shape/);
  });

  it('I64 tensors round-trip exactly, and values beyond 2^53 are refused', () => {
    const bytes = encodeSafetensors({ num_batches_tracked: { shape: [], data: [2 ** 53 - 1], dtype: 'I64' }, w: { shape: [2], data: new Float32Array([1.5, -2]) } });
    const { tensors } = decodeSafetensors(bytes);
    expect(tensors.num_batches_tracked!.dtype).toBe('I64');
    expect(Array.from(tensors.num_batches_tracked!.data)).toEqual([2 ** 53 - 1]);
    expect(Array.from(tensors.w!.data)).toEqual([1.5, -2]);
    const big = bytes.slice();
    const at = big.length - 8 - 8; // I64 first, then 8 bytes of F32
    new DataView(big.buffer).setBigInt64(at, 2n ** 60n, true);
    expect(() => decodeSafetensors(big)).toThrow(/'num_batches_tracked' holds 1152921504606846976 at index 0, beyond/);
  });

  it('encodeSafetensors refuses a tensor named __metadata__ (it would overwrite the metadata)', () => {
    expect(() => encodeSafetensors({ __metadata__: { shape: [1], data: new Float32Array(1) } }, { format: 'pt' })).toThrow(/"__metadata__" cannot name a tensor/);
  });

  it('encodeSafetensors refuses 1e39 in number data, naming the key', () => {
    expect(() => encodeSafetensors({ w: { shape: [2], data: [0, 1e39] } })).toThrow(/'w' has 1e\+39 at index 1, which is not a float32/);
  });
});

describe('the decoder under fuzzing', () => {
  /** Decodes or throws a WasmnnError; a success never decodes more bytes than the file holds. */
  function decodesCleanly(bytes: Uint8Array): void {
    try {
      const { tensors } = decodeSafetensors(bytes);
      const decoded = Object.values(tensors).reduce((a, t) => a + t.data.length * (t.dtype === 'I64' ? 8 : 4), 0);
      expect(decoded).toBeLessThanOrEqual(bytes.length);
    } catch (e) {
      if (!(e instanceof WasmnnError)) throw new Error(`not a WasmnnError: ${String(e)}`);
    }
  }

  it('random bytes: never a raw error', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => decodesCleanly(bytes)), { numRuns: 500 });
  });

  it('random headers: never a raw error, never more than the file', () => {
    const header = fc.dictionary(fc.oneof(fc.string(), fc.constantFrom('__metadata__', '__proto__', 'a')), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 4 });
    fc.assert(fc.property(header, fc.uint8Array({ maxLength: 64 }), (h, data) => decodesCleanly(file(JSON.stringify(h), data))), { numRuns: 500 });
  });

  it('mutated valid files: never a raw error', () => {
    const good = saveModel(model(3));
    fc.assert(fc.property(fc.array(fc.tuple(fc.nat(good.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }), (edits) => {
      const b = good.slice();
      for (const [at, v] of edits) b[at] = v;
      decodesCleanly(b);
      try {
        loadModel(model(1), b);
      } catch (e) {
        if (!(e instanceof WasmnnError)) throw e;
      }
    }), { numRuns: 500 });
  });

  it('deep nesting in a header is refused, not a stack overflow', () => {
    expect(() => decodeSafetensors(file(`{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}`))).toThrow(/nesting deeper than 32/);
  });
});
