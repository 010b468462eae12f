// The Python lines of docs/MODEL-FILES.md, run as written against Debian's python3-torch: they
// rebuild the torch.nn.Sequential a wasmnn file describes, load it strictly, and give wasmnn's
// outputs. The safetensors package is not installable here (no PyPI), so a stand-in
// safetensors.torch.load_file written from the format's specification is put on PYTHONPATH.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  AdaptiveAvgPool2d, AvgPool2d, BatchNorm1d, BatchNorm2d, Conv2d, Dropout, ELU, Flatten, GELU, Generator, LayerNorm, LeakyReLU, Linear,
  LogSoftmax, MaxPool2d, ReLU, Scale, Sequential, Sigmoid, Softmax, Softplus, Tanh, Tensor, saveModel,
} from '../../src/index.js';
import { expectClose } from '../helpers/heap.js';

const PYTHON = '/usr/bin/python3';
const hasTorch = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;
if (!hasTorch && process.env.CI) throw new Error(`${PYTHON} cannot import torch, and CI is set`);

const docs = readFileSync(fileURLToPath(new URL('../../docs/MODEL-FILES.md', import.meta.url)), 'utf8');
const snippet = /```python\n([\s\S]*?)```/.exec(docs)?.[1];

const dir = mkdtempSync(join(tmpdir(), 'wasmnn-torch-arch-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
mkdirSync(join(dir, 'safetensors'));
writeFileSync(join(dir, 'safetensors', '__init__.py'), '');
writeFileSync(join(dir, 'safetensors', 'torch.py'), `
import json, struct, torch
def load_file(path):
    data = open(path, "rb").read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        begin, end = e["data_offsets"]
        dtype = {"F32": torch.float32, "I64": torch.int64}[e["dtype"]]
        out[name] = torch.frombuffer(bytearray(data[8 + n + begin:8 + n + end]), dtype=dtype).reshape(e["shape"]).clone()
    return out
`);

describe.skipIf(!hasTorch)('docs/MODEL-FILES.md Python snippet', () => {
  it('exists', () => {
    expect(snippet).toContain('def load_wasmnn(path)');
  });

  it('rebuilds every built-in layer in torch from the file alone, same outputs', () => {
    const g = new Generator(11);
    const model = new Sequential(new Linear(3, 6, { generator: g }), new ReLU(), new Linear(6, 5, { bias: false, generator: g }), new LeakyReLU(0.2),
      new Linear(5, 5, { generator: g }), new Scale(10), new Tanh(), new ELU(0.7), new GELU(), new Softplus({ beta: 2, threshold: 10 }), new Sigmoid(),
      new Sequential(new Linear(5, 4, { generator: g })), new Softmax());
    const X = [[0.3, -1.2, 0.5], [2, 0.1, -0.7], [-0.4, 0.9, 1.3]];
    const file = join(dir, 'model.safetensors');
    writeFileSync(file, saveModel(model));
    const program = `${snippet}\nimport sys\nm = load_wasmnn(sys.argv[1])\nprint(m)\nprint(json.dumps(m(torch.tensor(${JSON.stringify(X)})).tolist()))\n`;
    const r = spawnSync(PYTHON, ['-c', program, file], { encoding: 'utf8', env: { ...process.env, PYTHONPATH: dir } });
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(r.stdout).toContain('(11): Sequential(');
    const torchOut = JSON.parse(lines[lines.length - 1]!) as number[][];
    expectClose(model.forward(Tensor.from(X)).toFloat32Array(), torchOut.flat(), { rtol: 1e-5, atol: 1e-6 }, 'outputs');
  });

  it('rebuilds a CNN with every other built-in layer (grouped conv, pools, BatchNorm with its running statistics, LayerNorm, Dropout), same outputs in eval mode', () => {
    const g = new Generator(12);
    const model = new Sequential(
      new Conv2d(2, 4, 3, { padding: 1, groups: 2, generator: g }), new BatchNorm2d(4, { momentum: 0.3 }), new ReLU(),
      new MaxPool2d(2, { stride: 1, ceilMode: true }),
      new Conv2d(4, 6, [3, 2], { stride: [1, 2], dilation: [2, 1], bias: false, generator: g }),
      new AvgPool2d(2, { padding: 1, countIncludePad: false }), new AdaptiveAvgPool2d([2, null]),
      new Flatten(), new Dropout(0.25, { generator: g }), new Linear(24, 7, { generator: g }),
      new BatchNorm1d(7, { momentum: null }), new LayerNorm([7], { eps: 1e-3 }), new Linear(7, 3, { generator: g }), new LogSoftmax(1),
    );
    const X = Tensor.from(Float32Array.from({ length: 4 * 2 * 9 * 8 }, (_, i) => Math.sin(1.3 * i)), [4, 2, 9, 8]);
    // Two training steps' forwards move the running statistics and num_batches_tracked off their defaults.
    model.forward(X);
    model.forward(X);
    model.eval();
    const file = join(dir, 'cnn.safetensors');
    writeFileSync(file, saveModel(model));
    const program = `${snippet}\nimport sys\nm = load_wasmnn(sys.argv[1]).eval()\nprint(m)\n` +
      `print(int(m[1].num_batches_tracked), int(m[10].num_batches_tracked))\n` +
      `x = torch.tensor(${JSON.stringify(Array.from(X.toFloat32Array()))}).reshape(4, 2, 9, 8)\nprint(json.dumps(m(x).tolist()))\n`;
    const r = spawnSync(PYTHON, ['-c', program, file], { encoding: 'utf8', env: { ...process.env, PYTHONPATH: dir } });
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(r.stdout).toContain('groups=2');
    expect(lines[lines.length - 2]).toBe('2 2');
    const torchOut = JSON.parse(lines[lines.length - 1]!) as number[][];
    expectClose(model.forward(X).toFloat32Array(), torchOut.flat(), { rtol: 1e-5, atol: 1e-6 }, 'outputs');
  });
});
