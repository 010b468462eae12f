// `wasmnn predict MODEL.safetensors ROWS.csv [--out FILE]` and `wasmnn evaluate MODEL DATA.csv`:
// a model file saved by `wasmnn train --data` (or TabularModel.save) applied to raw CSV rows.
import { TabularModel, WasmnnError, isMissing } from '../index.js';
import { columnList, readCsv, readRegularFile, toCsv, withFileLines, type CsvTable } from './csv.js';
import { FLAGS, UsageError, parseFlags } from './options.js';
import { checkOutputFile, writeFileAtomically } from './output.js';
import { r2Text } from './tabular-train.js';

export const PREDICT_USAGE = `usage: wasmnn predict MODEL.safetensors ROWS.csv [--out FILE.csv] [--batch-size N]

Writes the rows with one more column, predicted_<target>: the class label (classification) or the
value in the target's units (regression). CSV to stdout, or to --out.

  --out FILE.csv     written once every prediction is made; an existing file is replaced (never the model or the rows)
  --batch-size N     rows per forward pass (default 1024, as train's --eval-batch-size; the predictions do not depend on it)`;

export const EVALUATE_USAGE = `usage: wasmnn evaluate MODEL.safetensors DATA.csv [--json] [--batch-size N]

Prints accuracy (classification) or MAE, RMSE and R² (regression); rows without a target value are skipped.

  --json             print the figures as JSON
  --batch-size N     rows per forward pass (default 1024, as train's --eval-batch-size; the figures do not depend on it)`;

type Options = Record<string, { type: 'string' | 'boolean' }>;

function parse(args: string[], usage: string, options: Options): { files: string[]; values: Record<string, string | boolean | undefined>; batchSize: number } {
  const { values, positionals } = parseFlags(args, options, usage, true);
  if (positionals.length !== 2) throw new UsageError(`expected a model file and a CSV file, got ${positionals.length} file name(s)\n${usage}`);
  const text = values['batch-size'];
  const batchSize = FLAGS['eval-batch-size']!.parse!(typeof text === 'string' ? text : '1024', 'batch-size') as number;
  return { files: positionals, values, batchSize };
}

/** The `__metadata__` of a safetensors file, or undefined when its header cannot be read (load then says why). */
function peekMetadata(bytes: Uint8Array): Record<string, unknown> | undefined {
  try {
    if (bytes.length < 8) return undefined;
    const n = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
    if (n > BigInt(Math.min(bytes.length - 8, 100 << 20))) return undefined;
    const header = JSON.parse(Buffer.from(bytes.subarray(8, 8 + Number(n))).toString('utf8')) as { __metadata__?: unknown };
    const m = header?.__metadata__;
    return m && typeof m === 'object' ? m as Record<string, unknown> : {};
  } catch {
    return undefined;
  }
}

/**
 * The model of a `wasmnn train --data` file. Every refusal names the file: a checkpoint, a model
 * without preprocessing (saveModel, `wasmnn train --dataset`), a truncated or foreign file.
 */
function loadTabular(path: string): TabularModel {
  // At most 2 GiB: the parameters must fit the 4 GiB WASM memory beside their copy.
  const bytes = new Uint8Array(readRegularFile(path, 2 ** 31 - 1));
  const metadata = peekMetadata(bytes);
  const takes = 'predict and evaluate take the model.safetensors written by `wasmnn train --data` (or TabularModel.save)';
  if (metadata?.format === 'wasmnn-checkpoint') throw new UsageError(`${path}: a training checkpoint (saveCheckpoint: model and optimizer state), not a model file; ${takes}`);
  if (metadata && metadata.preprocessing === undefined && metadata.architecture !== undefined) {
    throw new UsageError(`${path}: a model without preprocessing (saveModel, or \`wasmnn train --dataset\`); ${takes}`);
  }
  try {
    return TabularModel.load(bytes);
  } catch (e) {
    if (e instanceof WasmnnError) throw new UsageError(`${path}: not a model file of \`wasmnn train --data\`: ${e.message}`);
    throw e;
  }
}

/** Refuses a CSV file without a column the model reads, naming them all. */
function checkColumns(path: string, csv: CsvTable, model: TabularModel): void {
  const missing = model.preprocessor.features.filter((c) => !csv.columns.includes(c));
  if (missing.length === 0) return;
  const s = missing.length === 1 ? '' : 's';
  throw new UsageError(`${path} has no column${s} ${columnList(missing.map((c) => `'${c}'`))}, which the model reads (its features: ${columnList(model.preprocessor.features)}); the file has ${columnList(csv.columns)}`);
}

/** Runs `wasmnn predict`. */
export function predictCommand(args: string[]): void {
  if (args.includes('--help') || args.includes('-h')) {
    console.log(PREDICT_USAGE);
    return;
  }
  const { files: [modelPath, csvPath], values, batchSize } = parse(args, PREDICT_USAGE, { out: { type: 'string' }, 'batch-size': { type: 'string' } });
  const out = typeof values.out === 'string' ? checkOutputFile('--out', values.out, [[modelPath!, 'the model file'], [csvPath!, 'the file of rows']]) : undefined;
  const model = loadTabular(modelPath!);
  const csv = readCsv(csvPath!);
  checkColumns(csvPath!, csv, model);
  const column = `predicted_${model.preprocessor.target}`;
  // Two columns of one name (the output of an earlier predict as input) could not be read back.
  if (csv.columns.includes(column)) throw new UsageError(`${csvPath} already has a column '${column}' (predictions of an earlier run?); remove it, the command adds it`);
  const predictions = withFileLines(csvPath!, (row) => csv.lines[row]!, () => model.predict(csv.rows, { batchSize }), 'model');
  const text = toCsv([...csv.columns, column], csv.rows.map((r, i) => [...csv.columns.map((c) => r[c]), predictions[i]]));
  if (out !== undefined) {
    writeFileAtomically(out, text, `--out ${values.out as string}`);
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
  const { files: [modelPath, csvPath], values, batchSize } = parse(args, EVALUATE_USAGE, { json: { type: 'boolean' }, 'batch-size': { type: 'string' } });
  const model = loadTabular(modelPath!);
  const csv = readCsv(csvPath!);
  const target = model.preprocessor.target;
  if (!csv.columns.includes(target)) throw new UsageError(`${csvPath} has no column '${target}' (the model's target)`);
  checkColumns(csvPath!, csv, model);
  const keep = csv.rows.map((_, i) => i).filter((i) => !isMissing(csv.rows[i]![target]));
  if (keep.length === 0) throw new UsageError(`${csvPath}: no row has a value in '${target}'`);
  if (keep.length < csv.rows.length) console.error(`wasmnn: ${csv.rows.length - keep.length} rows without a '${target}' value skipped`);
  const result = withFileLines(csvPath!, (row) => csv.lines[keep[row]!]!, () => model.evaluate(keep.map((i) => csv.rows[i]!), { batchSize }), 'model');
  if (values.json) {
    console.log(JSON.stringify(result, null, 2));
  } else if (result.task === 'classification') {
    console.log(`${result.count} rows: accuracy ${(100 * result.accuracy).toFixed(2)} % (${result.errors} wrong)`);
  } else {
    console.log(`${result.count} rows: MAE ${result.mae.toPrecision(4)}, RMSE ${result.rmse.toPrecision(4)}, ${r2Text(result)}`);
  }
}
