// `wasmnn predict MODEL.safetensors ROWS.csv [--out FILE]` and `wasmnn evaluate MODEL DATA.csv`:
// a model file saved by `wasmnn train --data` (or TabularModel.save) applied to raw CSV rows.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { TabularModel, isMissing } from '../index.js';
import { readCsv, readRegularFile, toCsv, withFileLines } from './csv.js';
import { UsageError } from './options.js';

export const PREDICT_USAGE = `usage: wasmnn predict MODEL.safetensors ROWS.csv [--out FILE.csv]

Writes the rows with one more column, predicted_<target>: the class label (classification) or the
value in the target's units (regression). CSV to stdout, or to --out.`;

export const EVALUATE_USAGE = `usage: wasmnn evaluate MODEL.safetensors DATA.csv [--json]

Prints accuracy (classification) or MAE, RMSE and R² (regression); rows without a target value are skipped.`;

function parse(args: string[], usage: string, options: Record<string, { type: 'string' | 'boolean' }>): { files: string[]; values: Record<string, string | boolean | undefined> } {
  let parsed;
  try {
    parsed = parseArgs({ args, strict: true, allowPositionals: true, options });
  } catch (e) {
    throw new UsageError(`${(e as Error).message.replace(/^Unknown option '(.*?)'.*$/s, "unknown flag '$1'")}\n${usage}`);
  }
  if (parsed.positionals.length !== 2) throw new UsageError(`expected a model file and a CSV file, got ${parsed.positionals.length} file name(s)\n${usage}`);
  return { files: parsed.positionals, values: parsed.values };
}

function loadTabular(path: string): TabularModel {
  // At most 2 GiB: the parameters must fit the 4 GiB WASM memory beside their copy.
  return TabularModel.load(new Uint8Array(readRegularFile(path, 2 ** 31 - 1)));
}

/** Runs `wasmnn predict`. */
export function predictCommand(args: string[]): void {
  if (args.includes('--help') || args.includes('-h')) {
    console.log(PREDICT_USAGE);
    return;
  }
  const { files: [modelPath, csvPath], values } = parse(args, PREDICT_USAGE, { out: { type: 'string' } });
  const model = loadTabular(modelPath!);
  const csv = readCsv(csvPath!);
  const predictions = withFileLines(csvPath!, (row) => csv.lines[row]!, () => model.predict(csv.rows));
  const column = `predicted_${model.preprocessor.target}`;
  const text = toCsv([...csv.columns, column], csv.rows.map((r, i) => [...csv.columns.map((c) => r[c]), predictions[i]]));
  if (typeof values.out === 'string') {
    writeFileSync(values.out, text);
    console.error(`wasmnn: ${predictions.length} predictions written to ${values.out}`);
  } else {
    process.stdout.write(text);
  }
}

/** Runs `wasmnn evaluate`. */
export function evaluateCommand(args: string[]): void {
  if (args.includes('--help') || args.includes('-h')) {
    console.log(EVALUATE_USAGE);
    return;
  }
  const { files: [modelPath, csvPath], values } = parse(args, EVALUATE_USAGE, { json: { type: 'boolean' } });
  const model = loadTabular(modelPath!);
  const csv = readCsv(csvPath!);
  if (!csv.columns.includes(model.preprocessor.target)) throw new UsageError(`${csvPath} has no column '${model.preprocessor.target}' (the model's target)`);
  const target = model.preprocessor.target;
  const keep = csv.rows.map((_, i) => i).filter((i) => !isMissing(csv.rows[i]![target]));
  if (keep.length === 0) throw new UsageError(`${csvPath}: no row has a value in '${target}'`);
  if (keep.length < csv.rows.length) console.error(`wasmnn: ${csv.rows.length - keep.length} rows without a '${target}' value skipped`);
  const result = withFileLines(csvPath!, (row) => csv.lines[keep[row]!]!, () => model.evaluate(keep.map((i) => csv.rows[i]!)));
  if (values.json) {
    console.log(JSON.stringify(result, null, 2));
  } else if (result.task === 'classification') {
    console.log(`${result.count} rows: accuracy ${(100 * result.accuracy).toFixed(2)} % (${result.errors} wrong)`);
  } else {
    console.log(`${result.count} rows: MAE ${result.mae.toPrecision(4)}, RMSE ${result.rmse.toPrecision(4)}, R² ${result.r2.toFixed(4)}`);
  }
}
