// Adversarial probes of the command (issue 10, class 10): outputs and sizes are checked before
// any training; every failure is one `wasmnn: …` line on stderr with a non-zero exit code, never
// a stack trace; Ctrl-C stops cleanly, writes what exists and exits with 130.
// Unwritable folders: the tests run as root, for whom chmod does not block writing, so they use
// kernel file systems instead: /sys/kernel (an existing folder where creating a file is EACCES)
// and /proc/… (where mkdir fails with ENOENT, and Node's recursive mkdir loops forever).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'wasmnn-trust-cli-'));
  dirs.push(d);
  return d;
}
function run(args: string[], timeout = 60_000): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** One `wasmnn: …` line on stderr matching `message`, the exit code, and no training started. */
function failsEarly(args: string[], message: RegExp, code = 2): void {
  const r = run(['train', '--epochs', '5', ...args], 20_000);
  expect(r.code, r.stderr).toBe(code);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^wasmnn: /);
  expect(lines[0]).toMatch(message);
  expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  expect(r.stdout).not.toMatch(/epoch \d/); // nothing trained
}

describe('wasmnn train fails early, in one line', () => {
  it('--out under a file', () => {
    const d = tmp();
    writeFileSync(join(d, 'some-file'), 'x');
    failsEarly(['--out', join(d, 'some-file', 'sub')], /--out .*some-file\/sub: .*(ENOTDIR)/);
  });

  it('--out an existing file', () => {
    const d = tmp();
    writeFileSync(join(d, 'taken'), 'x');
    failsEarly(['--out', join(d, 'taken')], /exists and is not a folder/);
  });

  it('--out a folder where no file can be created (/sys/kernel, EACCES even for root)', () => {
    failsEarly(['--out', '/sys/kernel'], /--out \/sys\/kernel: cannot write in this folder: permission denied/);
  });

  it('--out a folder that cannot be created (/proc/…) ends, in one line', () => {
    failsEarly(['--out', '/proc/wasmnn-trust-out/sub'], /--out \/proc\/wasmnn-trust-out\/sub: cannot create the folder/);
  });

  it('--out where history.json is a folder', () => {
    const d = tmp();
    mkdirSync(join(d, 'history.json'));
    failsEarly(['--out', d], /history\.json there is a folder/);
  });

  it('--n-train 2e9 is a range error, not an out-of-memory death', () => {
    failsEarly(['--n-train', '2e9', '--out', tmp()], /--n-train: must be ≤ 10000000, got 2e9/);
  });

  it('an unknown flag is one line too', () => {
    failsEarly(['--optimiser', 'adam'], /unknown flag '--optimiser'.*allowed flags: /);
  });
});

describe('wasmnn train, interrupted', () => {
  it('Ctrl-C stops after the epoch, writes history.json of the finished epochs and exits with 130', async () => {
    const out = tmp();
    const child = spawn(process.execPath, [cli, 'train', '--epochs', '1000000', '--no-plots', '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.on('data', (b) => { stdout += String(b); });
    child.stderr.on('data', (b) => { stderr += String(b); });
    // Wait for the first progress line, then interrupt.
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => { if (/epoch 1\//.test(stdout)) { clearInterval(poll); resolve(); } }, 50);
    });
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code, stderr).toBe(130);
    expect(stderr).toMatch(/wasmnn: interrupted after \d+ epochs; wrote .*history\.json/);
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(out, 'history.json'))).toBe(true);
    const history = JSON.parse(readFileSync(join(out, 'history.json'), 'utf8'));
    expect(history.rounds[0].stopReason).toBe('aborted');
    expect(history.rounds[0].history.epochs.length).toBeGreaterThan(0);
  }, 60_000);
});

describe('wasmnn train --data, interrupted', () => {
  it('Ctrl-C stops the CSV run after the epoch, writes the model and history of the finished epochs and exits with 130', async () => {
    const out = tmp();
    const csv = join(out, 'points.csv');
    const rows = Array.from({ length: 200 }, (_, i) => `${(i * 37) % 100 / 100},${(i * 61) % 100 / 100},${i % 3 === 0 ? 'a' : 'b'}`);
    writeFileSync(csv, ['x1,x2,label', ...rows].join('\n') + '\n');
    const child = spawn(process.execPath, [cli, 'train', '--data', csv, '--target', 'label', '--epochs', '1000000', '--no-plots', '--out', join(out, 'run')],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.on('data', (b) => { stdout += String(b); });
    child.stderr.on('data', (b) => { stderr += String(b); });
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => { if (/epoch \d+\//.test(stdout)) { clearInterval(poll); resolve(); } }, 50);
    });
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code, stderr).toBe(130);
    expect(stderr).toMatch(/wasmnn: interrupted after \d+ epochs; wrote .*model\.safetensors/);
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(out, 'run', 'model.safetensors'))).toBe(true);
    const history = JSON.parse(readFileSync(join(out, 'run', 'history.json'), 'utf8'));
    expect(history.history.stopReason).toBe('aborted');
  }, 60_000);
});

describe('wasmnn train on large data', () => {
  it('--n-train 100000 --loss mse --outputs 1 trains (it crashed on a detached view)', () => {
    const r = run(['train', '--n-train', '100000', '--loss', 'mse', '--outputs', '1', '--epochs', '1', '--no-plots', '--quiet', '--out', tmp()], 120_000);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/train error: \d+\/100000/);
  }, 130_000);
});
