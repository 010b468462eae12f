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
  ELU, GELU, Generator, LeakyReLU, Linear, ReLU, Sequential, Sigmoid, Softmax, Softplus, Tanh, Tensor, saveModel,
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
        out[name] = torch.frombuffer(bytearray(data[8 + n + begin:8 + n + end]), dtype=torch.float32).reshape(e["shape"]).clone()
    return out
`);

describe.skipIf(!hasTorch)('docs/MODEL-FILES.md Python snippet', () => {
  it('exists', () => {
    expect(snippet).toContain('def load_wasmnn(path)');
  });

  it('rebuilds every built-in layer in torch from the file alone, same outputs', () => {
    const g = new Generator(11);
    const model = new Sequential(new Linear(3, 6, { generator: g }), new ReLU(), new Linear(6, 5, { bias: false, generator: g }), new LeakyReLU(0.2),
      new Linear(5, 5, { generator: g }), new Tanh(), new ELU(0.7), new GELU(), new Softplus({ beta: 2, threshold: 10 }), new Sigmoid(),
      new Sequential(new Linear(5, 4, { generator: g })), new Softmax());
    const X = [[0.3, -1.2, 0.5], [2, 0.1, -0.7], [-0.4, 0.9, 1.3]];
    const file = join(dir, 'model.safetensors');
    writeFileSync(file, saveModel(model));
    const program = `${snippet}\nimport sys\nm = load_wasmnn(sys.argv[1])\nprint(m)\nprint(json.dumps(m(torch.tensor(${JSON.stringify(X)})).tolist()))\n`;
    const r = spawnSync(PYTHON, ['-c', program, file], { encoding: 'utf8', env: { ...process.env, PYTHONPATH: dir } });
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(r.stdout).toContain('(10): Sequential(');
    const torchOut = JSON.parse(lines[lines.length - 1]!) as number[][];
    expectClose(model.forward(Tensor.from(X)).toFloat32Array(), torchOut.flat(), { rtol: 1e-5, atol: 1e-6 }, 'outputs');
  });
});
