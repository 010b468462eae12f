// Round 4 probes of the model files (src/io): every entry point refuses a non-model / non-optimizer
// with a ValueError (it was a raw TypeError), saveModel checks its metadata and architecture
// options instead of writing garbage, and an architecture read from a file is parsed strictly
// (a duplicate "type" key loaded another layer) and with no argument silently dropped.
import { describe, expect, it } from 'vitest';
import {
  ELU, Flatten, Linear, ReLU, SGD, Sequential, ValueError, decodeSafetensors, encodeSafetensors, loadCheckpoint, loadModel,
  memoryStats, modelFromJSON, modelToJSON, saveCheckpoint, saveModel, Generator,
} from '../../src/index.js';
import { rejects } from '../helpers/trust.js';

const model = (): Sequential => new Sequential(new Linear(2, 3, { generator: new Generator(1) }), new ReLU(), new Linear(3, 1, { generator: new Generator(2) }));
const notModels: Array<[string, unknown]> = [
  ['null', null], ['undefined', undefined], ['a number', 3], ['a string', 'model'], ['an object', {}], ['an optimizer', new SGD(model().parameters())],
];

function withArchitecture(bytes: Uint8Array, architecture: string): Uint8Array {
  const { tensors, metadata } = decodeSafetensors(bytes);
  return encodeSafetensors(tensors, { ...metadata, architecture });
}

describe('round 4: io entry points given something that is not a model or an optimizer', () => {
  it.each(notModels)('modelToJSON / saveModel / saveCheckpoint / modelFromJSON / loadCheckpoint (%s as model) are ValueErrors naming model', (_what, value) => {
    const m = model(), opt = new SGD(m.parameters());
    const file = saveCheckpoint(m, opt);
    rejects(() => modelToJSON(value as never), ValueError, /^modelToJSON: model must be a Module, got /);
    rejects(() => saveModel(value as never), ValueError, /^saveModel: model must be a Module, got /);
    rejects(() => saveCheckpoint(value as never, opt), ValueError, /^saveCheckpoint: model must be a Module, got /);
    rejects(() => modelFromJSON(value as never, modelToJSON(m)), ValueError, /^modelFromJSON: model must be a Module, got /);
    rejects(() => loadCheckpoint(file, value as never, opt), ValueError, /^loadCheckpoint: model must be a Module, got /);
  });

  it.each([...notModels.slice(0, 5), ['a model', model()]])('saveCheckpoint / loadCheckpoint (%s as optimizer) are ValueErrors naming optimizer', (_what, value) => {
    const m = model();
    const file = saveCheckpoint(m, new SGD(m.parameters()));
    rejects(() => saveCheckpoint(m, value as never), ValueError, /^saveCheckpoint: optimizer must be an Optimizer, got /);
    rejects(() => loadCheckpoint(file, m, value as never), ValueError, /^loadCheckpoint: optimizer must be an Optimizer, got /);
  });
});

describe('round 4: saveModel options', () => {
  it('metadata that is not an object of strings is refused (a string was written as {"0": "a", …})', () => {
    const m = model();
    for (const metadata of ['abc', ['x'], 5, true, () => 1]) {
      rejects(() => saveModel(m, { metadata } as never), ValueError, /^saveModel: metadata must be an object of strings, got /);
    }
    rejects(() => saveModel(m, { metadata: { note: 5 } } as never), ValueError, /^saveModel: metadata\.note must be a string, got 5/);
  });

  it("a metadata key '__proto__' is refused (it was dropped silently)", () => {
    const metadata = JSON.parse('{"__proto__": "x", "note": "kept"}') as Record<string, string>;
    rejects(() => saveModel(model(), { metadata }), ValueError, /metadata key '__proto__' is reserved/);
  });

  it("architecture must be a boolean ('no' and 0 wrote the architecture anyway)", () => {
    for (const architecture of ['no', 0, 'false', 1]) {
      rejects(() => saveModel(model(), { architecture } as never), ValueError, /^saveModel: architecture must be true or false, got /);
    }
    expect(decodeSafetensors(saveModel(model(), { architecture: false })).metadata.architecture).toBeUndefined();
  });
});

describe('round 4: hostile architectures', () => {
  const bytes = saveModel(new Sequential(new ELU(), new Flatten()));

  it('a duplicate "type" key is refused (JSON.parse kept the last one: the file loaded as another layer)', () => {
    const arch = '{"type":"Sequential","args":[{"type":"ELU","args":[1],"type":"ReLU"},{"type":"Flatten","args":[1,-1]}]}';
    rejects(() => loadModel(withArchitecture(bytes, arch)), ValueError, /duplicate key "type"/);
  });

  it('an argument the layer does not take is refused, naming it (it was ignored: the model was not the one described)', () => {
    const source = model(), withWeights = saveModel(source);
    source.dispose();
    const before = memoryStats().bytesInUse;
    for (const [arch, message] of [
      ['{"type":"Sequential","args":[{"type":"ELU","args":[2,"x"]},{"type":"Flatten","args":[1,-1]}]}', /architecture\.args\[0\] \(ELU\) has 2 arguments, but a ELU takes at most 1; extra argument "x"/],
      ['{"type":"Sequential","args":[{"type":"ELU","args":[1]},{"type":"Flatten","args":[1,-1,{"a":1}]}]}', /\(Flatten\) has 3 arguments, but a Flatten takes at most 2/],
      ['{"type":"Sequential","args":[{"type":"ELU","args":[1]},{"type":"Flatten","args":[1,-1]},{"type":"ReLU","args":[null]}]}', /\(ReLU\) has 1 arguments, but a ReLU takes at most 0/],
    ] as const) {
      rejects(() => loadModel(withArchitecture(bytes, arch)), ValueError, message);
    }
    const arch = '{"type":"Sequential","args":[{"type":"Linear","args":[2,3,{"bias":true},7]},{"type":"ReLU","args":[]},{"type":"Linear","args":[3,1]}]}';
    rejects(() => loadModel(withArchitecture(withWeights, arch)), ValueError, /\(Linear\) has 4 arguments, but a Linear takes at most 3/);
    expect(memoryStats().bytesInUse, 'the layers built before the refusal are freed').toBe(before);
  });

  it('the configs saveModel writes still load (every argument is one the layer takes)', () => {
    const m = model();
    const back = loadModel(saveModel(m));
    expect(back.toConfig()).toEqual(m.toConfig());
    expect(loadModel(bytes).toConfig()).toEqual(new Sequential(new ELU(), new Flatten()).toConfig());
  });
});
