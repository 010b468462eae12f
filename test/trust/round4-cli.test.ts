// Round 4 probes of the command on hostile files and flags: a CSV header naming a column twice
// (one column silently replaced the other) or '__proto__' (the column vanished from every row),
// a device as --data or as the model file (read forever), and feature lists that repeat a column
// or name the target as categorical (accepted silently). Each is one `wasmnn: …` line, no trace.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { TabularPreprocessor, ValueError } from '../../src/index.js';
import { rejects } from '../helpers/trust.js';

const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'wasmnn-trust4-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}
const good = file('good.csv', 'a,b,y\n1,2,x\n3,4,z\n5,6,x\n7,8,z\n1,1,x\n2,2,z\n');

/** Runs the command: it must end with one `wasmnn: …` line matching `message`, the code, no stack trace. */
function failsWith(args: string[], message: RegExp, code: number): void {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 20_000 });
  expect(r.signal, 'ended by itself (not killed by the timeout)').toBeNull();
  expect(r.status, r.stderr).toBe(code);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^wasmnn: /);
  expect(lines[0]).toMatch(message);
  expect(r.stdout).not.toMatch(/accuracy|epoch/);
}
const train = (csv: string, ...flags: string[]): string[] =>
  ['train', '--data', csv, '--target', 'y', '--epochs', '2', '--quiet', '--no-plots', '--out', join(dir, 'out'), ...flags];

describe('round 4: hostile CSV files and flags', () => {
  it('a header naming a column twice is refused, naming it (train, predict)', () => {
    const dup = file('dup.csv', 'a,a,y\n1,2,x\n3,4,z\n5,6,x\n7,8,z\n');
    failsWith(train(dup), /dup\.csv: the header names column 'a' twice/, 2);
  });

  it("a column named '__proto__' is refused (it vanished from every row)", () => {
    const proto = file('proto.csv', '__proto__,b,y\n1,2,x\n3,4,z\n5,6,x\n7,8,z\n');
    failsWith(train(proto), /proto\.csv: a column cannot be named '__proto__'/, 2);
  });

  it('a device as --data, or as the model file of predict and evaluate, is refused at once (it was read forever)', () => {
    failsWith(train('/dev/zero'), /\/dev\/zero: not a regular file/, 2);
    failsWith(['predict', '/dev/zero', good], /\/dev\/zero: not a regular file/, 2);
    failsWith(['evaluate', '/dev/zero', good], /\/dev\/zero: not a regular file/, 2);
  });

  it('--features naming a column twice, and --categorical naming the target, are refused', () => {
    failsWith(train(good, '--features', 'a,a'), /features names 'a' twice/, 1);
    failsWith(train(good, '--categorical', 'y'), /categorical names the target 'y'/, 1);
  });
});

describe('round 4: TabularPreprocessor options', () => {
  it('features twice, categorical not an array (a string was searched as text), categorical naming the target', () => {
    rejects(() => new TabularPreprocessor({ target: 'y', features: ['a', 'b', 'a'] }), ValueError, /features names 'a' twice/);
    rejects(() => new TabularPreprocessor({ target: 'y', categorical: 'ab' as never }), ValueError, /categorical must be an array of column names, got 'ab' \(a string\)/);
    rejects(() => new TabularPreprocessor({ target: 'y', categorical: [1] as never }), ValueError, /categorical must be an array of column names/);
    rejects(() => new TabularPreprocessor({ target: 'y', categorical: ['y'] }), ValueError, /categorical names the target 'y'/);
  });
});
