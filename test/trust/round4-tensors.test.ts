// Round 4 probes of tensors handed across copies of the library and into state dicts. A Tensor of
// another copy (the CommonJS build beside the ES module one) passed every check and its offsets
// were read in this copy's WASM memory: silently wrong numbers. Now a ValueError that says so.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  BatchNorm1d, Conv2d, CrossEntropyLoss, DataLoader, Generator, Linear, MSELoss, NLLLoss, Tensor, ValueError, accuracy, gradcheck, oneHot, predict, trainTestSplit,
} from '../../src/index.js';
import { rejects } from '../helpers/trust.js';

// The built CommonJS copy: its own WASM memory, its own Tensor class (npm run build makes it).
const other = createRequire(import.meta.url)(fileURLToPath(new URL('../../dist/index.cjs', import.meta.url))) as typeof import('../../src/index.js');
const foreign = /is a Tensor of another copy of wasmnn \(another WASM memory/;

describe('round 4: a Tensor of another copy of the library', () => {
  it('is refused by every entry point that takes a tensor, naming the argument (Linear.forward returned wrong numbers)', () => {
    const lin = new Linear(3, 2, { generator: new Generator(1) });
    const x = other.Tensor.from([[1, 2, 3]]);
    rejects(() => lin.forward(x as never), ValueError, new RegExp(`^Linear\\.forward: input ${foreign.source}`));
    rejects(() => new Conv2d(1, 1, 1).forward(other.Tensor.zeros([1, 1, 2, 2]) as never), ValueError, foreign);
    rejects(() => new BatchNorm1d(2).forward(other.Tensor.zeros([3, 2]) as never), ValueError, foreign);
    rejects(() => new MSELoss().forward(other.Tensor.zeros([2, 2]) as never, Tensor.zeros([2, 2])), ValueError, /prediction is a Tensor of another copy/);
    // class-index targets (they were read in the wrong memory: a NaN loss, not a refusal)
    rejects(() => new CrossEntropyLoss().forward(Tensor.from([[5, 0], [0, 5]]), other.Tensor.from([0, 1]) as never), ValueError,
      /CrossEntropyLoss\.forward: target is a Tensor of another copy/);
    rejects(() => new NLLLoss().forward(Tensor.from([[-1, -2], [-2, -1]]), other.Tensor.from([0, 1]) as never), ValueError,
      /NLLLoss\.forward: target is a Tensor of another copy/);
    rejects(() => new DataLoader(other.Tensor.zeros([4, 2]) as never, Tensor.zeros([4])), ValueError, /DataLoader: x is a Tensor of another copy/);
    rejects(() => oneHot(other.Tensor.from([0, 1]) as never, 2), ValueError, /oneHot: labels is a Tensor of another copy/);
    rejects(() => accuracy(Tensor.zeros([2, 2]), other.Tensor.from([0, 1]) as never), ValueError, /accuracy: target is a Tensor of another copy/);
    rejects(() => predict(lin, other.Tensor.zeros([2, 3]) as never), ValueError, /predict: x is a Tensor of another copy/);
    rejects(() => trainTestSplit(other.Tensor.zeros([4, 2]) as never, Tensor.zeros([4])), ValueError, /trainTestSplit: x is a Tensor of another copy/);
    rejects(() => gradcheck(lin, other.Tensor.zeros([1, 3]) as never), ValueError, /gradcheck: input is a Tensor of another copy/);
    const y = lin.forward(Tensor.from([[1, 2, 3]]));
    rejects(() => lin.backward(other.Tensor.zeros([1, 2]) as never), ValueError, /Linear\.backward: gradOutput is a Tensor of another copy/);
    expect(lin.backward(Tensor.zeros(y.shape)).shape).toEqual([1, 3]);
  });

  it('its values are accepted once copied', () => {
    const lin = new Linear(3, 2, { generator: new Generator(1) });
    const x = other.Tensor.from([[1, 2, 3]]);
    const copy = Tensor.from(x.toFloat32Array(), x.shape);
    expect(lin.forward(copy).toFloat32Array()).toEqual(lin.forward(Tensor.from([[1, 2, 3]])).toFloat32Array());
  });
});

describe('round 4: loadStateDict given Tensors', () => {
  it("says to pass { shape, data } (it threw 'Tensor.data was removed', about views)", () => {
    const lin = new Linear(2, 1, { generator: new Generator(1) });
    const before = lin.weight.toFloat32Array();
    rejects(() => lin.loadStateDict({ weight: Tensor.from([[1, 2]]), bias: Tensor.from([3]) } as never), ValueError,
      /^Linear\.loadStateDict: 'weight' is a Tensor; pass \{ shape: t\.shape, data: t\.toFloat32Array\(\) \}/);
    expect(lin.weight.toFloat32Array()).toEqual(before);
  });
});
