// wasmnn against real PyTorch (Debian's python3-torch): a model saved by wasmnn loads into the
// equivalent torch.nn.Sequential with a strict load_state_dict, gives the same outputs, loss and
// gradients, trains the same under each torch.optim optimizer, and torch's state dict written as
// safetensors loads back into wasmnn. Skipped with one line when PyTorch is missing, except
// under CI (.ci/run installs it).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  Adagrad, Adam, AdamW, CrossEntropyLoss, Generator, Linear, RMSprop, ReLU, SGD, Sequential, Tanh, Tensor,
  loadModel, saveModel, type Optimizer,
} from '../../src/index.js';
import { expectClose } from '../helpers/heap.js';

const PYTHON = '/usr/bin/python3';
const script = fileURLToPath(new URL('./pytorch_reference.py', import.meta.url));
const hasTorch = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;
if (!hasTorch) {
  if (process.env.CI) throw new Error(`PyTorch tests: ${PYTHON} cannot import torch, and CI is set (.ci/run installs python3-torch)`);
  console.warn('PyTorch tests skipped: python3-torch not installed (apt-get install python3-torch to run them)');
}

const dir = mkdtempSync(join(tmpdir(), 'wasmnn-torch-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const X = [[0.1, -0.4, 0.8], [0.5, 0.2, -0.3], [-0.7, 0.9, 0.05], [0.3, 0.3, 0.3], [-0.2, -0.6, 0.4], [0.9, -0.1, -0.8]];
const Y = [0, 1, 1, 0, 1, 0];
const STEPS = 5;

const OPTIMIZERS: Record<string, (m: Sequential) => Optimizer> = {
  sgd: (m) => new SGD(m.parameters(), { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01 }),
  adam: (m) => new Adam(m.parameters(), { lr: 0.01, amsgrad: true, weightDecay: 0.01 }),
  adamw: (m) => new AdamW(m.parameters(), { lr: 0.01, amsgrad: true }),
  adagrad: (m) => new Adagrad(m.parameters(), { lr: 0.05, lrDecay: 0.01, initialAccumulatorValue: 0.1 }),
  rmsprop: (m) => new RMSprop(m.parameters(), { lr: 0.01, centered: true, momentum: 0.5 }),
};

function model(): Sequential {
  const g = new Generator(17);
  return new Sequential(new Linear(3, 5, { generator: g }), new Tanh(), new Linear(5, 4, { generator: g }), new ReLU(), new Linear(4, 2, { generator: g }));
}

describe.skipIf(!hasTorch)('against PyTorch', () => {
  it.each(Object.keys(OPTIMIZERS))('outputs, loss, gradients, %s steps and the way back', (optimizer) => {
    const m = model();
    const weights = join(dir, `${optimizer}-in.safetensors`), out = join(dir, `${optimizer}-out.safetensors`);
    writeFileSync(weights, saveModel(m));
    const r = spawnSync(PYTHON, [script], { input: JSON.stringify({ weights, out, x: X, y: Y, optimizer, steps: STEPS }), encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const torch = JSON.parse(r.stdout) as { output: number[]; loss: number; grads: Record<string, number[]>; weights: Record<string, number[]> };

    const x = Tensor.from(X), loss = new CrossEntropyLoss();
    const value = loss.forward(m.forward(x).clone(), Y);
    expectClose(m.forward(x).toFloat32Array(), torch.output, { rtol: 1e-5, atol: 1e-6 }, 'output');
    expect(Math.abs(value - torch.loss)).toBeLessThan(1e-6);
    m.zeroGrad();
    loss.forward(m.forward(x), Y);
    m.backward(loss.backward());
    for (const [name, p] of m.namedParameters()) expectClose(p.grad.toFloat32Array(), torch.grads[name]!, { rtol: 1e-5, atol: 1e-7 }, `grad ${name}`);

    const opt = OPTIMIZERS[optimizer]!(m);
    for (let i = 0; i < STEPS; i++) {
      opt.zeroGrad();
      loss.forward(m.forward(x), Y);
      m.backward(loss.backward());
      opt.step();
    }
    // float32 in both, different summation orders: agree to 1e-5 relative after 5 steps.
    for (const [name, p] of m.namedParameters()) expectClose(p.toFloat32Array(), torch.weights[name]!, { rtol: 1e-5, atol: 2e-6 }, `${optimizer} ${name}`);

    const back = model();
    loadModel(back, new Uint8Array(readFileSync(out)));
    for (const [name, p] of back.namedParameters()) expect(Array.from(p.toFloat32Array())).toEqual(torch.weights[name]!.map(Math.fround));
  });
});
