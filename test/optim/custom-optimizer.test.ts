// A user-written optimizer (report 004's Adam variant, the worked example of docs/EXPERIMENTS.md)
// run as a user runs it: against the built package, the class imported from the file the doc quotes.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as w from '../../dist/index.js';
// @ts-expect-error: a plain .mjs file without types, as a user would write it
import { Report004Adam } from '../../docs/experiments/report004-adam.mjs';

const exampleFile = fileURLToPath(new URL('../../docs/experiments/report004-adam.mjs', import.meta.url));
const doc = readFileSync(fileURLToPath(new URL('../../docs/EXPERIMENTS.md', import.meta.url)), 'utf8');

function xorModel(seed: number): w.Sequential {
  const g = new w.Generator(seed);
  return new w.Sequential(
    new w.Linear(2, 8, { generator: g }), new w.Sigmoid(), new w.Linear(8, 8, { generator: g }), new w.Sigmoid(), new w.Linear(8, 1, { generator: g }), new w.Sigmoid(),
  );
}
const data = w.xorEasy();
const y = w.Tensor.from(data.y.toFloat32Array(), [21, 1]);
const train = (model: w.Sequential, optimizer: w.Optimizer, epochs: number): w.History =>
  w.fit(model, { loss: new w.MSELoss(), optimizer, x: data.x, y, epochs, batchSize: 21, shuffle: false });

describe('a user-written optimizer (report 004 Adam)', () => {
  it('is quoted verbatim in docs/EXPERIMENTS.md', () => {
    expect(doc).toContain(readFileSync(exampleFile, 'utf8').trim());
  });

  it('follows its update rule: no bias correction, eps inside the square root', () => {
    const p = new w.Linear(3, 1, { bias: false }).weight;
    p.set([1, -2, 3]);
    const opt = new Report004Adam([p], { lr: 0.1, betas: [0.9, 0.99], eps: 1e-4 });
    const grads = [[0.5, -1, 2], [0.25, 4, -3]];
    const expected = [1, -2, 3], m = [0, 0, 0], v = [0, 0, 0];
    for (const g of grads) {
      p.grad.set(g);
      opt.step();
      for (let i = 0; i < 3; i++) {
        m[i] = Math.fround(0.9 * m[i]! + 0.1 * g[i]!);
        v[i] = Math.fround(0.99 * v[i]! + 0.01 * g[i]! * g[i]!);
        expected[i] = Math.fround(expected[i]! - (0.1 * (m[i]! / 0.1)) / Math.sqrt(v[i]! / 0.01 + 1e-4));
      }
    }
    expect(Array.from(p.toFloat32Array())).toEqual(expected);
    expect(opt.steps).toBe(2);
  });

  it('trains XOR-easy to the report-004 loss target', () => {
    const model = xorModel(42);
    const history = w.fit(model, {
      loss: new w.MSELoss(), optimizer: new Report004Adam(model.parameters(), { lr: 0.01 }), x: data.x, y, epochs: 5000, batchSize: 21, shuffle: false, task: 'classification',
      earlyStopping: { monitor: 'loss', target: 0.005, patience: 5000 },
    });
    expect(history.stopReason).toBe('target-reached');
    expect(history.last!.accuracy).toBe(1);
  });

  it('checkpoints and resumes bit-identically', () => {
    const straight = xorModel(7);
    const straightOpt = new Report004Adam(straight.parameters(), { lr: 0.01 });
    train(straight, straightOpt, 300);

    const first = xorModel(7);
    const firstOpt = new Report004Adam(first.parameters(), { lr: 0.01 });
    train(first, firstOpt, 150);
    const bytes = w.saveCheckpoint(first, firstOpt);
    const resumed = xorModel(99); // different starting weights: all of them come from the checkpoint
    const resumedOpt = new Report004Adam(resumed.parameters(), { lr: 0.01 });
    w.loadCheckpoint(bytes, resumed, resumedOpt);
    expect(resumedOpt.steps).toBe(150);
    train(resumed, resumedOpt, 150);

    const a = straight.stateDict(), b = resumed.stateDict();
    for (const key of Object.keys(a)) expect(Array.from(b[key]!.data), key).toEqual(Array.from(a[key]!.data));
    expect(resumedOpt.stateDict()).toEqual(straightOpt.stateDict());
  });

  it('refuses a checkpoint of another optimizer or other hyper-parameters, changing nothing', () => {
    const model = xorModel(3);
    const adam = new w.Adam(model.parameters(), { lr: 0.01 });
    train(model, adam, 5);
    const bytes = w.saveCheckpoint(model, adam);
    const other = xorModel(4);
    const before = other.stateDict()['0.weight']!.data.slice();
    const mine = new Report004Adam(other.parameters(), { lr: 0.01 });
    expect(() => w.loadCheckpoint(bytes, other, mine)).toThrow(/holds Adam state, the optimizer is Report004Adam/);
    const own = w.saveCheckpoint(other, mine);
    const fifth = xorModel(5); // the optimizer over the model it loads into (round 7: a pair of two models is refused first)
    const differentEps = new Report004Adam(fifth.parameters(), { lr: 0.01, eps: 1e-6 });
    expect(() => w.loadCheckpoint(own, fifth, differentEps)).toThrow(/eps/);
    expect(Array.from(other.stateDict()['0.weight']!.data)).toEqual(Array.from(before));
  });
});
