// Model files that carry their architecture: loadModel(bytes) rebuilds every built-in layer,
// custom layers load once registered, and hostile metadata is refused with a WasmnnError before
// anything is allocated.
import { describe, expect, it } from 'vitest';
import {
  ELU, GELU, Generator, LeakyReLU, Linear, Module, ReLU, Sequential, Sigmoid, Softmax, Softplus, Tanh, Tensor, ValueError, WasmnnError,
  decodeSafetensors, encodeSafetensors, loadModel, memoryStats, readModelFile, registerLayer, registeredLayers, saveModel,
  type LayerConfig,
} from '../../src/index.js';

const g = new Generator(3);
const x = Tensor.from([[0.3, -1.2, 0.5], [2, 0.1, -0.7]]);

function everyLayer(): Sequential {
  return new Sequential(new Linear(3, 6, { generator: g }), new ReLU(), new Linear(6, 5, { bias: false, generator: g }), new LeakyReLU(0.2),
    new Linear(5, 5, { generator: g }), new Tanh(), new ELU(0.7), new GELU(), new Softplus({ beta: 2, threshold: 10 }), new Sigmoid(),
    new Sequential(new Linear(5, 4, { generator: g })), new Softmax());
}

/** Rewrites a file's architecture metadata (the tensors unchanged). */
function withArchitecture(bytes: Uint8Array, architecture: string): Uint8Array {
  const { tensors, metadata } = decodeSafetensors(bytes);
  return encodeSafetensors(tensors, { ...metadata, architecture });
}

class Times extends Module {
  static override readonly typeName: string = 'Times';
  constructor(readonly factor: number) {
    super();
  }
  forward(input: Tensor): Tensor {
    return Tensor.from(Array.from(input.toFloat32Array(), (v) => v * this.factor), input.shape);
  }
  backward(gradOutput: Tensor): Tensor {
    return gradOutput;
  }
  override toConfig(): LayerConfig {
    return { args: [this.factor] };
  }
}

describe('architecture in the file', () => {
  it('loadModel(bytes) rebuilds every built-in layer with its settings and weights: same outputs, same description', () => {
    const model = everyLayer();
    const copy = loadModel(saveModel(model));
    expect(copy.toString()).toBe(model.toString());
    expect(Array.from(copy.forward(x).toFloat32Array())).toEqual(Array.from(model.forward(x).toFloat32Array()));
    expect(copy).toBeInstanceOf(Sequential);
  });

  it('writes the structure as JSON in __metadata__ (explicit type names, constructor arguments)', () => {
    const { metadata } = decodeSafetensors(saveModel(new Sequential(new Linear(2, 3), new LeakyReLU(0.1), new Linear(3, 1, { bias: false }))));
    expect(JSON.parse(metadata.architecture!)).toEqual({ type: 'Sequential', args: [
      { type: 'Linear', args: [2, 3, { bias: true }] }, { type: 'LeakyReLU', args: [0.1] }, { type: 'Linear', args: [3, 1, { bias: false }] },
    ] });
    expect(metadata.format).toBe('pt');
  });

  it('loading into an existing model still works and still checks first', () => {
    const bytes = saveModel(everyLayer());
    const target = everyLayer();
    loadModel(target, bytes);
    expect(Array.from(target.forward(x).toFloat32Array())).toEqual(Array.from(loadModel(bytes).forward(x).toFloat32Array()));
    const other = new Sequential(new Linear(3, 2));
    const before = Array.from(other.parameters()[0]!.toFloat32Array());
    expect(() => loadModel(other, bytes)).toThrow(ValueError);
    expect(Array.from(other.parameters()[0]!.toFloat32Array())).toEqual(before);
  });

  it('a custom layer saves and loads once registered; unregistered or without toConfig it is refused at save time', () => {
    class Unregistered extends Times {
      static override readonly typeName: string = 'Unregistered';
    }
    expect(() => saveModel(new Sequential(new Linear(2, 2), new Unregistered(2)))).toThrow(/registerLayer\(Unregistered\)/);
    class NoConfig extends Module {
      static override readonly typeName: string = 'NoConfig';
      forward(t: Tensor): Tensor { return t; }
      backward(t: Tensor): Tensor { return t; }
    }
    registerLayer(NoConfig);
    expect(() => saveModel(new Sequential(new NoConfig()))).toThrow(/implement toConfig\(\)/);
    expect(() => saveModel(new Sequential(new NoConfig()), { architecture: false })).not.toThrow();

    const model = new Sequential(new Linear(2, 2, { generator: g }), new Times(3));
    expect(() => saveModel(model)).toThrow(/registerLayer\(Times\)/);
    const unknown = withArchitecture(saveModel(model, { architecture: false }), JSON.stringify(
      { type: 'Sequential', args: [{ type: 'Linear', args: [2, 2, { bias: true }] }, { type: 'Times', args: [3] }] }));
    expect(() => loadModel(unknown)).toThrow(/unknown layer type 'Times'.*registerLayer/);
    registerLayer(Times);
    const bytes = saveModel(model);
    expect(registeredLayers()).toContain('Times');
    const copy = loadModel(bytes);
    const input = Tensor.from([[1, 2]]);
    expect(Array.from(copy.forward(input).toFloat32Array())).toEqual(Array.from(model.forward(input).toFloat32Array()));
  });

  it('registerLayer refuses what is not a layer, an inherited name and a taken name', () => {
    expect(() => registerLayer(Object as never)).toThrow(ValueError);
    class Inherits extends Linear {}
    expect(() => registerLayer(Inherits)).toThrow(/its own static typeName/);
    class Impostor extends Linear {
      static override readonly typeName: string = 'Linear';
    }
    expect(() => registerLayer(Impostor)).toThrow(/already registered/);
    class BadName extends Linear {
      static override readonly typeName: string = 'a b';
    }
    expect(() => registerLayer(BadName)).toThrow(/typeName must match/);
  });

  it('a file without architecture names the way out; the caller metadata travels; reserved keys are refused', () => {
    const model = new Sequential(new Linear(2, 2));
    expect(() => loadModel(saveModel(model, { architecture: false }))).toThrow(/no architecture metadata.*loadModel\(model, bytes\)/);
    expect(readModelFile(saveModel(model, { metadata: { note: 'hi' } })).metadata.note).toBe('hi');
    expect(() => saveModel(model, { metadata: { architecture: 'x' } })).toThrow(/reserved/);
    expect(() => saveModel(model, { metadata: { n: 1 as never } })).toThrow(/must be a string/);
    expect(() => saveModel(model, { archtecture: false } as never)).toThrow(/unknown option 'archtecture'/);
  });
});

describe('hostile architecture metadata', () => {
  const bytes = saveModel(new Sequential(new Linear(2, 3, { generator: g }), new ReLU(), new Linear(3, 1, { generator: g })));
  const load = (architecture: string): (() => unknown) => () => loadModel(withArchitecture(bytes, architecture));
  const cases: Array<[string, string, RegExp]> = [
    ['not JSON', '{', /^architecture: expected a key at offset 1/],
    ['not an object', '[1]', /must be \{ type, args \}/],
    ['unknown type', '{"type":"Conv9d","args":[]}', /unknown layer type 'Conv9d'/],
    ['type not a string', '{"type":7,"args":[]}', /type must be a string/],
    ['args not an array', '{"type":"ReLU","args":{}}', /args must be an array/],
    ['extra key', '{"type":"ReLU","args":[],"eval":"x"}', /unexpected key 'eval'/],
    ['wrong argument type', '{"type":"Sequential","args":[{"type":"Linear","args":["2",3]},{"type":"ReLU","args":[]},{"type":"Linear","args":[3,1]}]}', /inFeatures must be a finite number/],
    ['wrong option type', '{"type":"Sequential","args":[{"type":"Linear","args":[2,3,{"bias":"yes"}]},{"type":"ReLU","args":[]},{"type":"Linear","args":[3,1]}]}', /bias must be true or false/],
    ['unknown option', '{"type":"Sequential","args":[{"type":"Linear","args":[2,3,{"__proto__":1}]},{"type":"ReLU","args":[]},{"type":"Linear","args":[3,1]}]}', /the key "__proto__" is not allowed/],
    ['child not a spec', '{"type":"Sequential","args":[5]}', /args\[0\] must be \{ type, args \}/],
    ['deep nesting', `{"type":"ReLU","args":[${'['.repeat(100)}${']'.repeat(100)}]}`, /(nested|nesting) deeper than 32/],
    ['deeply nested containers', `${'{"type":"Sequential","args":['.repeat(40)}${']}'.repeat(40)}`, /(nested|nesting) deeper than 32/],
    ['too many values', `{"type":"ReLU","args":[${Array(100_001).fill(0).join(',')}]}`, /more than 100000 values/],
    ['too many layers', `{"type":"Sequential","args":[${Array(10_001).fill('{"type":"ReLU","args":[]}').join(',')}]}`, /more than 10000 layers/],
    ['parameter count not the file', '{"type":"Sequential","args":[{"type":"Linear","args":[2,4]},{"type":"ReLU","args":[]},{"type":"Linear","args":[4,1]}]}', /needs 17 parameter values but the file holds 13/],
    ['too long', `{"type":"ReLU","args":["${'x'.repeat(1 << 20)}"]}`, /characters, more than/],
  ];
  it.each(cases)('%s → WasmnnError', (_name, architecture, message) => {
    expect(load(architecture)).toThrow(WasmnnError);
    expect(load(architecture)).toThrow(message);
  });

  it('a huge layer is refused from the count, before WASM memory grows', () => {
    const before = memoryStats();
    const huge = '{"type":"Sequential","args":[{"type":"Linear","args":[2,3]},{"type":"ReLU","args":[]},{"type":"Linear","args":[100000,100000]}]}';
    expect(load(huge)).toThrow(/needs 10000100009 parameter values but the file holds 13/);
    const beyondSafe = '{"type":"Sequential","args":[{"type":"Linear","args":[9007199254740992,1]},{"type":"ReLU","args":[]},{"type":"Linear","args":[3,1]}]}';
    expect(load(beyondSafe)).toThrow(/parameter values but the file holds 13/);
    const after = memoryStats();
    expect(after.memoryBytes).toBe(before.memoryBytes);
    expect(after.bytesInUse).toBe(before.bytesInUse);
  });

  it('a failed build frees what it had built', () => {
    const before = memoryStats().bytesInUse;
    // Counts match (2·3+3 + 0 + 3·1+1 = 13) but the last child is refused by its constructor.
    expect(load('{"type":"Sequential","args":[{"type":"Linear","args":[2,3]},{"type":"ReLU","args":[]},{"type":"Linear","args":[3,1]},{"type":"LeakyReLU","args":["x"]}]}'))
      .toThrow(/negativeSlope must be a finite number/);
    expect(memoryStats().bytesInUse).toBe(before);
  });

  it('shapes that disagree with the tensors are refused by the state-dict check and the model is freed', () => {
    const before = memoryStats().bytesInUse;
    // 13 values either way: Linear(2,3)+Linear(3,1) vs Linear(3,2)+Linear(2,... ) → same count, other shapes.
    expect(load('{"type":"Sequential","args":[{"type":"Linear","args":[1,5]},{"type":"ReLU","args":[]},{"type":"Linear","args":[2,1,{"bias":false}]}]}'))
      .toThrow(WasmnnError);
    expect(memoryStats().bytesInUse).toBe(before);
  });
});
