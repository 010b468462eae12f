// A CNN with every new layer against real PyTorch (Debian's python3-torch): torch's state dict
// (with batch-norm buffers, num_batches_tracked as I64) loads strictly into the equivalent wasmnn
// model; train-mode outputs, loss, input gradient, parameter gradients, running statistics, one
// Adam step and eval-mode outputs agree; the file wasmnn saves loads strictly into torch.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  Adam, AvgPool2d, BatchNorm1d, BatchNorm2d, Conv2d, Flatten, CrossEntropyLoss, LayerNorm, Linear, MaxPool2d, ReLU,
  Sequential, Tanh, Tensor, decodeSafetensors, loadModel, saveModel,
} from '../../src/index.js';
import { expectClose, randomArray } from '../helpers/heap.js';

const PYTHON = '/usr/bin/python3';
const script = fileURLToPath(new URL('./pytorch_cnn.py', import.meta.url));
const hasTorch = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;
if (!hasTorch && process.env.CI) throw new Error(`PyTorch tests: ${PYTHON} cannot import torch, and CI is set`);

const dir = mkdtempSync(join(tmpdir(), 'wasmnn-torch-cnn-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cnn(): Sequential {
  return new Sequential(
    new Conv2d(2, 4, 3, { padding: [1, 2], dilation: [1, 2], bias: false }), new BatchNorm2d(4), new ReLU(), new MaxPool2d(2),
    new Conv2d(4, 5, [3, 2], { stride: [1, 2], padding: [1, 0] }), new AvgPool2d(2, { stride: 1, padding: 1 }),
    new LayerNorm([5, 4, 3]), new Flatten(), new Linear(60, 6), new Tanh(), new BatchNorm1d(6), new Linear(6, 3),
  );
}

/** BatchNorm1d on [N, C, L] (torch's arch "bn1d-ncl"). */
function bn1dNcl(): Sequential {
  return new Sequential(
    new Conv2d(2, 3, 3, { padding: 1, bias: false }), new Flatten(2), new BatchNorm1d(3), new ReLU(), new Flatten(), new Linear(144, 3),
  );
}

const SHAPE = [5, 2, 6, 8];
const X = Array.from(randomArray(5 * 2 * 6 * 8, 42, -1, 1));
const Y = [0, 2, 1, 1, 0];

function torch(input: object): Record<string, unknown> {
  const r = spawnSync(PYTHON, [script], { input: JSON.stringify({ seed: 3, x: X, y: Y, shape: SHAPE, ...input }), encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

// float32 on both sides, different summation orders (im2col GEMM vs torch's kernels); batch norm
// divides by batch standard deviations and Adam's first step moves every weight by ≈ lr, so
// values agree to ~1e-5 relative; absolute floors sit at 1e-6 of the O(1) scales.
const TOL = { rtol: 1e-4, atol: 1e-5 };

/** torch's file loads strictly into `model()`; train-mode outputs, loss, gradients, buffers, an Adam step and eval outputs agree; torch loads ours. */
function roundTrip(arch: string, model: () => Sequential, bufferNames: string[]): void {
  const weights = join(dir, `torch-${arch}.safetensors`);
  const t = torch({ mode: 'make', weights, arch }) as {
    output: number[]; loss: number; input_grad: number[]; grads: Record<string, number[]>;
    buffers: Record<string, number[]>; eval: number[]; state: Record<string, number[]>;
  };
  const bytes = new Uint8Array(readFileSync(weights));
  expect(decodeSafetensors(bytes).tensors[bufferNames[2]!]!.dtype).toBe('I64');
  const m = model();
  loadModel(m, bytes);
  expect(m.namedBuffers().map(([n]) => n)).toEqual(bufferNames);

  const x = Tensor.from(X, SHAPE), loss = new CrossEntropyLoss();
  const out = m.forward(x);
  expectClose(out.toFloat32Array(), t.output, TOL, 'train-mode output');
  const value = loss.forward(out, Y);
  expect(Math.abs(value - t.loss)).toBeLessThan(1e-5);
  const dx = m.backward(loss.backward());
  expectClose(dx.toFloat32Array(), t.input_grad, { rtol: 1e-4, atol: 1e-6 }, 'input gradient');
  for (const [name, p] of m.namedParameters()) expectClose(p.grad.toFloat32Array(), t.grads[name]!, { rtol: 1e-4, atol: 1e-6 }, `grad ${name}`);
  for (const [name, b] of m.namedBuffers()) expectClose(b.toFloat32Array(), t.buffers[name]!, TOL, `buffer ${name}`);

  new Adam(m.parameters(), { lr: 0.01 }).step();
  m.eval();
  for (const [name, v] of Object.entries(m.stateDict())) expectClose(v.data, t.state[name]!, TOL, `state ${name}`);
  expectClose(m.forward(x).toFloat32Array(), t.eval, TOL, 'eval output after one Adam step');

  const ours = join(dir, `wasmnn-${arch}.safetensors`);
  writeFileSync(ours, saveModel(m)); // with the architecture in __metadata__, which torch ignores
  const back = torch({ mode: 'check', weights: ours, arch }) as { eval: number[]; state: Record<string, number[]> };
  expectClose(back.eval, m.forward(x).toFloat32Array(), { rtol: 1e-5, atol: 1e-6 }, 'torch eval of the wasmnn file');
  for (const [name, v] of Object.entries(m.stateDict())) expect(back.state[name], name).toEqual(Array.from(v.data));
}

describe.skipIf(!hasTorch)('CNN layers against PyTorch', () => {
  it('loads torch’s file strictly, then agrees on outputs, gradients, running statistics, an Adam step and eval outputs; torch loads ours', () => {
    roundTrip('cnn', cnn, [
      '1.running_mean', '1.running_var', '1.num_batches_tracked', '10.running_mean', '10.running_var', '10.num_batches_tracked']);
  });

  it('the same for BatchNorm1d on [N, C, L] inputs', () => {
    roundTrip('bn1d-ncl', bn1dNcl, ['2.running_mean', '2.running_var', '2.num_batches_tracked']);
  });
});
