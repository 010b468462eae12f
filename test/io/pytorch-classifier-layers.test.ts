// Flatten, Dropout, LogSoftmax and NLLLoss against real PyTorch (python3-torch): the same weights
// loaded strictly into the equivalent torch.nn.Sequential, wasmnn's dropout mask applied in
// torch through a hook, then train-mode outputs, loss, input and parameter gradients, one Adam
// step and eval-mode outputs compared. Skipped with one line when PyTorch is missing (not in CI).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Adam, Dropout, Flatten, Generator, Linear, LogSoftmax, NLLLoss, ReLU, Sequential, Tensor, saveModel } from '../../src/index.js';
import { expectClose } from '../helpers/heap.js';

const PYTHON = '/usr/bin/python3';
const script = fileURLToPath(new URL('./pytorch_classifier_layers.py', import.meta.url));
const hasTorch = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;
if (!hasTorch) {
  if (process.env.CI) throw new Error(`PyTorch tests: ${PYTHON} cannot import torch, and CI is set`);
  console.warn('PyTorch tests skipped: python3-torch not installed (apt-get install python3-torch to run them)');
}
const dir = mkdtempSync(join(tmpdir(), 'wasmnn-torch-cls-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SHAPE = [4, 3, 2, 2];
const X = Array.from({ length: 48 }, (_, i) => Math.sin(i * 1.37) * 1.5);
const Y = [2, 0, 1, 2];

describe.skipIf(!hasTorch)('classifier layers against PyTorch', () => {
  it.each(['mean', 'sum'] as const)('Flatten → Linear → ReLU → Dropout(0.3) → Linear → LogSoftmax, NLLLoss (%s)', (reduction) => {
    const g = new Generator(5);
    const dropout = new Dropout(0.3, { generator: g });
    const m = new Sequential(new Flatten(), new Linear(12, 6, { generator: g }), new ReLU(), dropout, new Linear(6, 3, { generator: g }), new LogSoftmax(1));
    const weights = join(dir, `w-${reduction}.safetensors`);
    writeFileSync(weights, saveModel(m));

    const x = Tensor.from(X, SHAPE), loss = new NLLLoss({ reduction });
    const out = m.forward(x);
    const value = loss.forward(out, Y);
    const outputs = Float32Array.from(out.toFloat32Array());
    expect(value).toBeGreaterThan(0);
    m.zeroGrad();
    const dx = Float32Array.from(m.backward(loss.backward()).toFloat32Array());
    const grads = Object.fromEntries(m.namedParameters().map(([n, p]) => [n, Float32Array.from(p.grad.toFloat32Array())]));
    const mask = (dropout as unknown as { lastMask: Tensor }).lastMask;
    const maskValues = Array.from(mask.toFloat32Array());
    new Adam(m.parameters(), { lr: 0.01 }).step();
    m.eval();
    const evalOut = Float32Array.from(m.forward(x).toFloat32Array());

    const r = spawnSync(PYTHON, [script], {
      input: JSON.stringify({ weights, x: X, shape: SHAPE, y: Y, p: 0.3, mask: maskValues, reduction }), encoding: 'utf8', cwd: dir,
      env: { ...process.env, PYTHONPATH: fileURLToPath(new URL('.', import.meta.url)) },
    });
    expect(r.status, r.stderr).toBe(0);
    const torch = JSON.parse(r.stdout) as {
      torchScale: number[]; output: number[]; loss: number; gradInput: number[]; grads: Record<string, number[]>;
      weights: Record<string, number[]>; evalOutput: number[]; repr: string[];
    };
    // torch's own Dropout keeps elements scaled by the same float32 1/(1 - p) as ours.
    expect(torch.torchScale).toEqual([Math.fround(1 / 0.7)]);
    expect(new Set(maskValues.filter((v) => v !== 0))).toEqual(new Set([Math.fround(1 / 0.7)]));
    expect(maskValues.some((v) => v === 0)).toBe(true);
    expectClose(outputs, torch.output, { rtol: 1e-5, atol: 1e-6 }, 'train-mode output');
    expect(Math.abs(value - torch.loss)).toBeLessThan(1e-5 * Math.max(1, torch.loss));
    expectClose(dx, torch.gradInput, { rtol: 1e-5, atol: 1e-6 }, 'input gradient');
    for (const [name, grad] of Object.entries(grads)) expectClose(grad, torch.grads[name]!, { rtol: 1e-5, atol: 1e-6 }, `grad ${name}`);
    for (const [name, p] of m.namedParameters()) expectClose(p.toFloat32Array(), torch.weights[name]!, { rtol: 1e-5, atol: 2e-6 }, `Adam step ${name}`);
    expectClose(evalOut, torch.evalOutput, { rtol: 1e-5, atol: 1e-6 }, 'eval-mode output');
    expect(torch.repr[0]).toBe('Flatten(start_dim=1, end_dim=-1)');
    expect(m.at(0).toString()).toBe(torch.repr[0]);
    expect(m.at(5).toString()).toBe(torch.repr[5]);
    expect(m.at(3).toString()).toBe(torch.repr[3]);
  });
});
