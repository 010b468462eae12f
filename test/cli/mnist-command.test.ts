// `wasmnn train --dataset mnist`, run as a user runs it (the built dist/cli.js), with a small
// model so that it stays fast; the LeNet runs themselves are in bench/RESULTS.md.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const out = mkdtempSync(join(tmpdir(), 'wasmnn-mnist-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));
const run = (args: string[]): { code: number; stdout: string; stderr: string } => {
  const r = spawnSync(process.execPath, [cli, 'train', ...args], { encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
};

describe('wasmnn train --dataset mnist', () => {
  it('trains a layer spec on the 8,000 / 2,000 split and reports both errors', () => {
    const r = run(['--dataset', 'mnist', '--layers', 'avgpool4,flatten,32,relu,10', '--epochs', '2', '--batch-size', '64',
      '--lr', '0.005', '--scheduler', 'cosine', '--loss', 'nll', '--no-plots', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('mnist, layers avgpool4,flatten,32,relu,10, nll loss, adam lr 0.005 (cosine), 2 epochs × batch 64');
    const m = /train error: (\d+)\/8000 .*test error: (\d+)\/2000/.exec(r.stdout);
    expect(m, r.stdout).not.toBeNull();
    expect(Number(m![2])).toBeLessThan(400); // a 7×7 pooled MLP: well under 20 % error after 2 epochs
    const history = JSON.parse(readFileSync(join(out, 'history.json'), 'utf8')) as { rounds: Array<{ history: { epochs: Array<{ lr: number }> } }> };
    expect(history.rounds[0]!.history.epochs.map((e) => e.lr)).toEqual([0.005, 0.0025]);
  });

  it('refuses a spec that does not fit, an unknown preset and a regression loss, with exit code 2', () => {
    const bad = [
      [['--layers', 'conv6x5,relu,10'], /token 3 '10' \(sample shape \[6, 24, 24\]\)/],
      [['--layers', 'flatten,11'], /ends with samples of shape \[11\]; mnist needs \[10\]/],
      [['--model', 'resnet'], /--model: 'resnet' is not allowed; (did you mean '[a-z-]+'\? )?choose one of lenet, lenet-bn, mlp/],
      [['--model', 'lenet', '--loss', 'mse'], /trains on class labels: use --loss ce or nll/],
      [['--hidden', '5'], /--hidden does not apply to --dataset mnist/],
      [['--n-train', '100'], /--n-train does not apply to --dataset mnist/],
      [['--activation-scale', '10'], /--activation-scale does not apply to --dataset mnist/],
    ] as const;
    for (const [args, message] of bad) {
      const r = run(['--dataset', 'mnist', '--epochs', '1', '--no-plots', '--out', out, ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });
});
