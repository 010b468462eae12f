// A production-minified bundle of the library (esbuild with `minify: true`, the minifier Vite
// uses for production builds): class names are mangled there, so everything that names a class
// (toString, typeName, error names, the optimizer kind stored in checkpoints) must come from the
// explicit `static typeName` / `errorName`, never from `constructor.name`. Checkpoints written by
// the plain dist/ load in the minified bundle and back.
import { mkdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { thrown } from '../helpers/thrown.js';

type Lib = typeof import('../../src/index.js');

const root = fileURLToPath(new URL('../..', import.meta.url));
const outfile = `${root}test-artifacts/minified/wasmnn.min.js`;
let min: Lib;
let plain: Lib;

beforeAll(async () => {
  mkdirSync(`${root}test-artifacts/minified`, { recursive: true });
  await build({
    entryPoints: [`${root}src/index.ts`], bundle: true, minify: true, format: 'esm', platform: 'browser',
    target: 'es2020', outfile, logLevel: 'silent',
  });
  min = (await import(pathToFileURL(outfile).href)) as Lib;
  plain = (await import(pathToFileURL(`${root}dist/index.js`).href)) as Lib; // built by `npm run build`
}, 120_000);

/** A small model and an Adam optimizer after three steps on fixed data, built from `lib`. */
function trained(lib: Lib): { model: InstanceType<Lib['Sequential']>; opt: InstanceType<Lib['Adam']> } {
  lib.manualSeed(5);
  const model = new lib.Sequential(new lib.Linear(2, 3), new lib.Tanh(), new lib.Linear(3, 2));
  const opt = new lib.Adam(model.parameters(), { lr: 0.05, amsgrad: true });
  const loss = new lib.CrossEntropyLoss();
  const x = lib.Tensor.from([[0, 1], [1, 0], [1, 1]]);
  for (let i = 0; i < 3; i++) {
    opt.zeroGrad();
    loss.forward(model.forward(x), [0, 1, 1]);
    model.backward(loss.backward());
    opt.step();
  }
  return { model, opt };
}

const weights = (lib: Lib, model: InstanceType<Lib['Sequential']>): number[][] =>
  model.parameters().map((p) => (p.toArray() as number[] | number[][]).flat());

describe('a production-minified bundle', () => {
  it('really mangles class names (so the checks below mean something)', () => {
    const opt = new min.SGD(new min.Linear(2, 2).parameters());
    expect(opt.constructor.name).not.toBe('SGD');
    expect(new min.Sequential().constructor.name).not.toBe('Sequential');
  });

  it('keeps typeName and toString of modules, losses, optimizers and schedulers', () => {
    const model = new min.Sequential(new min.Linear(2, 4), new min.ReLU(), new min.Linear(4, 1), new min.Sigmoid());
    expect(model.toString()).toBe(
      'Sequential(\n  (0): Linear(in_features=2, out_features=4, bias=True)\n  (1): ReLU()\n' +
        '  (2): Linear(in_features=4, out_features=1, bias=True)\n  (3): Sigmoid()\n)',
    );
    const opt = new min.Adam(model.parameters());
    expect(opt.typeName).toBe('Adam');
    expect(new min.AdamW(new min.Linear(1, 1).parameters()).typeName).toBe('AdamW');
    expect(new min.BCELoss().toString()).toBe('BCELoss()');
    expect(new min.StepLR(opt, { stepSize: 2 }).typeName).toBe('StepLR');
  });

  it('keeps the error class names', () => {
    expect(thrown(() => new min.Linear(0, 1)).name).toBe('ValueError');
    expect(thrown(() => new min.Linear(2, 1).forward(min.Tensor.from([[1, 2, 3]]))).name).toBe('ShapeError');
    const loss = new min.MSELoss();
    loss.dispose();
    expect(thrown(() => loss.backward()).name).toBe('StateError');
    expect(thrown(() => min.Tensor.zeros([2 ** 31])).name).toBe('OutOfMemoryError');
    const nonFinite = thrown(() => new min.MSELoss().forward(min.Tensor.from([NaN]), min.Tensor.from([0])));
    expect(nonFinite.name).toBe('NonFiniteLossError');
    expect(nonFinite).toBeInstanceOf(min.ValueError);
  });

  it('loads a checkpoint saved by the plain dist/, and the plain dist/ loads one saved by it', () => {
    const a = trained(plain);
    const b = trained(min);
    expect(weights(min, b.model)).toEqual(weights(plain, a.model)); // same seed, same kernels
    const fromPlain = plain.saveCheckpoint(a.model, a.opt);
    const fromMin = min.saveCheckpoint(b.model, b.opt);

    const intoMin = trained(min);
    intoMin.opt.step(); // move away from the checkpoint: weights, moments and step count
    expect(weights(min, intoMin.model)).not.toEqual(weights(plain, a.model));
    min.loadCheckpoint(fromPlain, intoMin.model, intoMin.opt);
    expect(weights(min, intoMin.model)).toEqual(weights(plain, a.model));
    expect(intoMin.opt.steps).toBe(3);

    const intoPlain = trained(plain);
    intoPlain.opt.step();
    plain.loadCheckpoint(fromMin, intoPlain.model, intoPlain.opt);
    expect(weights(plain, intoPlain.model)).toEqual(weights(min, b.model));
    expect(intoPlain.opt.stateDict()).toEqual(b.opt.stateDict());
  });
});
