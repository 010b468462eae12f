// The `wasmnn` command, run as a user runs it: the built dist/cli.js in a child process.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Tensor, loadModel, predict } from '../../src/index.js';

const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function run(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
function outDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'wasmnn-cli-'));
  dirs.push(d);
  return d;
}

describe('wasmnn train', () => {
  it('trains the default disk experiment, prints train/test error and writes non-empty plots', () => {
    const out = outDir();
    const r = run(['train', '--epochs', '30', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('disk, 2-25-25-25-2 relu, ce loss, adam lr 0.01');
    expect(r.stdout).toMatch(/train error: \d+\/1000 \(\d+\.\d\d %\)\s+test error: \d+\/1000/);
    expect(r.stdout).toMatch(/epoch 30\/30/); // not a terminal: plain progress lines
    for (const f of ['learning-curve.svg', 'decision-boundary.svg']) {
      const text = readFileSync(join(out, f), 'utf8');
      expect(text.startsWith('<svg')).toBe(true);
      expect(text.length).toBeGreaterThan(5000);
    }
    for (const f of ['learning-curve.png', 'decision-boundary.png']) {
      const png = readFileSync(join(out, f));
      expect(png.subarray(1, 4).toString()).toBe('PNG');
      expect(statSync(join(out, f)).size).toBeGreaterThan(20_000);
    }
    const history = JSON.parse(readFileSync(join(out, 'history.json'), 'utf8'));
    expect(history.rounds[0].history.epochs).toHaveLength(30);
    expect(history.rounds[0].test.accuracy).toBeGreaterThan(0.9);
    // The trained model is saved with its architecture: it loads without code.
    const model = loadModel(new Uint8Array(readFileSync(join(out, 'model.safetensors'))));
    expect(model.toString()).toMatch(/^Sequential\(\n {2}\(0\): Linear\(in_features=2, out_features=25/);
    expect(predict(model, Tensor.from([[0.5, 0.5]])).shape).toEqual([1, 2]);
  });

  it('--json with --rounds reports mean ± std over seeds and nothing else on stdout', () => {
    const out = outDir();
    const r = run(['train', '--epochs', '20', '--rounds', '3', '--json', '--no-plots', '--out', out,
      '--loss', 'mse', '--optim', 'sgd', '--lr', '0.1', '--momentum', '0.9', '--hidden', '16,16']);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.rounds.map((x: { seed: number }) => x.seed)).toEqual([1, 2, 3]);
    expect(result.summary.testAccuracy.mean).toBeGreaterThan(0.6);
    expect(result.summary.testAccuracy.std).toBeGreaterThan(0);
    expect(result.files).toEqual([join(out, 'history.json'), join(out, 'model.safetensors')]);
  });

  it('stops at a target accuracy (xor, BCE with sigmoid output)', () => {
    const r = run(['train', '--dataset', 'xor', '--hidden', '8,8', '--activation', 'leaky_relu', '--loss', 'bce',
      '--batch-size', '21', '--epochs', '3000', '--early-stop-accuracy', '1', '--json', '--no-plots', '--out', outDir()]);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.rounds[0].stopReason).toBe('target-reached');
    expect(result.rounds[0].train.accuracy).toBeGreaterThanOrEqual(0.95);
  });

  it('rejects unknown flags and bad values with a message that says what is allowed', () => {
    const unknown = run(['train', '--optimiser', 'adam']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown flag '--optimiser'/);
    expect(unknown.stderr).toMatch(/allowed flags: .*--optim /);
    const badChoice = run(['train', '--optim', 'adamax']);
    expect(badChoice.code).toBe(2);
    expect(badChoice.stderr).toMatch(/--optim: 'adamax' is not allowed; did you mean 'adam'\? choose one of sgd, adam, adamw, adagrad, rmsprop/);
    const badNumber = run(['train', '--lr', 'fast']);
    expect(badNumber.stderr).toMatch(/--lr: expected a number, got 'fast'/);
    expect(run(['train', '--epochs', '2.5']).stderr).toMatch(/--epochs: expected an integer/);
    expect(run(['train', '--hidden', '25,x']).stderr).toMatch(/--hidden: expected an integer, got 'x'/);
    expect(run(['train', '--loss', 'ce', '--outputs', '1']).stderr).toMatch(/--loss ce needs --outputs 2/);
    expect(run(['fly']).stderr).toMatch(/unknown command 'fly'/);
    const help = run(['train', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--early-stop-accuracy/);
  });
});

describe('wasmnn --version and the report setups', () => {
  it('prints the version', () => {
    const r = run(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^wasmnn(-cli)? \d+\.\d+\.\d+/);
  });

  it("runs report 004's setup: stops on the loss target, checked every N epochs, and draws the comparison", () => {
    const out = outDir();
    const r = run(['train', '--dataset', 'xor', '--hidden', '8,8', '--activation', 'sigmoid', '--output-activation', 'sigmoid', '--loss', 'mse',
      '--outputs', '1', '--init', 'default', '--optim', 'sgd', '--lr', '1', '--batch-size', '100', '--early-stop-loss', '0.2', '--check-every', '50',
      '--epochs', '5000', '--running-metrics', '--json', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.rounds[0].stopReason).toBe('target-reached');
    expect(result.rounds[0].epochs % 50).toBe(0);
    expect(result.config).toMatchObject({ earlyStopLoss: 0.2, checkEvery: 50, runningMetrics: true });
    expect(readFileSync(join(out, 'comparison.png')).subarray(1, 4).toString()).toBe('PNG');
    expect(readFileSync(join(out, 'learning-curve.svg'), 'utf8')).toContain('the test set is the training set');
  });

  it('refuses flags that do not apply and negative values with its own messages', () => {
    expect(run(['train', '--optim', 'adam', '--momentum', '0.9']).stderr.trim()).toBe('wasmnn: --momentum does not apply to --optim adam (only to sgd, rmsprop)');
    const negative = run(['train', '--lr', '-1']);
    expect(negative.code).toBe(2);
    expect(negative.stderr.trim()).toBe('wasmnn: --lr: must be > 0, got -1');
  });
});
