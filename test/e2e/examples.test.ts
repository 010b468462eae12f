// The Node example programs run as a user runs them (`node examples/…`, against dist/), and do
// what their header says.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { BatchNorm2d, Conv2d, Flatten, Linear, MaxPool2d, ReLU, Sequential, loadModel } from '../../src/index.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const cwd = mkdtempSync(join(tmpdir(), 'wasmnn-examples-'));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

describe('examples/mnist/train.mjs', () => {
  it('trains LeNet-5 + BatchNorm for one epoch, reports > 90 % test accuracy, saves a model that loads strictly, and reads test digits', () => {
    const out = execFileSync(process.execPath, [join(root, 'examples/mnist/train.mjs'), '1', '1'], { cwd, encoding: 'utf8', timeout: 120_000 });
    const accuracy = Number(/test accuracy ([\d.]+) % \(\d+ errors of 2000\) after 1 epochs/.exec(out)?.[1]);
    expect(accuracy, out).toBeGreaterThan(90);
    const digits = /test digits ([\d ]+) → predicted ([\d ]+)/.exec(out);
    expect(digits?.[1]).toBe('0 1 2 3 4 5 6 7 8 9');
    const right = digits![2]!.split(' ').filter((d, i) => Number(d) === i).length;
    expect(right, out).toBeGreaterThanOrEqual(7);
    const model = new Sequential(
      new Conv2d(1, 6, 5, { padding: 2 }), new BatchNorm2d(6), new ReLU(), new MaxPool2d(2),
      new Conv2d(6, 16, 5), new BatchNorm2d(16), new ReLU(), new MaxPool2d(2), new Flatten(),
      new Linear(400, 120), new ReLU(), new Linear(120, 84), new ReLU(), new Linear(84, 10),
    );
    loadModel(model, new Uint8Array(readFileSync(join(cwd, 'mnist-lenet.safetensors'))));
    expect(model.namedBuffers().map(([n]) => n)).toContain('1.num_batches_tracked');
    model.dispose();
  }, 150_000);
});
