// `wasmnn train --data FILE.csv --target COLUMN`: a network on a table. Rows without a target are
// dropped (and counted), the rest split into training and test rows with the seed; preprocessing
// is fitted on the training rows only; the model file carries architecture and preprocessing.
import { INTERRUPTED, prepareOutputFolder, removeStaleOutputs, writeFileAtomically } from './output.js';
import { join } from 'node:path';
import {
  Generator, Linear, NonFiniteLossError, Sequential, TabularModel, TabularPreprocessor, ValueError, fitAsync, isMissing,
  type History, type Loss, type TabularEvaluation, type TabularOptions,
} from '../index.js';
import { columnList, readCsv, withFileLines, type CsvTable } from './csv.js';
import { parseDecimal } from '../decimal.js';
import { UsageError } from './options.js';
import { createProgress } from './progress.js';
import { ACTIVATIONS, LOSSES, OPTIMIZERS, initLayer } from './registry.js';
import { parseTabularArgs, tabularHelp, type TabularTrainConfig } from './tabular-options.js';

/** What the run measured, as written to history.json and printed with --json. */
interface TabularSummary {
  task: string;
  rows: { total: number; droppedMissingTarget: number; train: number; test: number };
  features: string[];
  inputs: number;
  classes: unknown[];
  architecture: string;
  train: TabularEvaluation;
  test: TabularEvaluation;
  seconds: number;
  files: string[];
}

const fmt = (e: TabularEvaluation): string => (e.task === 'classification'
  ? `accuracy ${(100 * e.accuracy).toFixed(2)} % (${e.errors}/${e.count} wrong)`
  : `MAE ${e.mae.toPrecision(4)}, RMSE ${e.rmse.toPrecision(4)}, ${r2Text(e)} (${e.count} row${e.count === 1 ? '' : 's'})`);

/**
 * Runs `wasmnn train --data …`; returns the exit code. An aborted `signal` (Ctrl-C) stops after the
 * current epoch; the model, history and plots of the epochs done are still written.
 */
export async function trainTabular(args: string[], signal: AbortSignal): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    console.log(tabularHelp());
    return 0;
  }
  const config = parseTabularArgs(args);
  prepareOutputFolder(config.out); // a folder we can write to, before reading or training anything
  const csv = readCsv(config.data);
  if (!csv.columns.includes(config.target)) throw new UsageError(`--target: ${config.data} has no column '${config.target}'; it has ${columnList(csv.columns)}`);
  const keep = csv.rows.map((_, i) => i).filter((i) => !isMissing(csv.rows[i]![config.target]));
  const dropped = csv.rows.length - keep.length;
  if (keep.length < 2) throw new UsageError(`${config.data}: ${keep.length} row(s) with a target value; at least 2 are needed`);
  const order = Array.from(new Generator(config.seed).permutation(keep.length), (k) => keep[k]!);
  const nTest = Math.min(keep.length - 1, Math.max(1, Math.round(config.testSplit * keep.length)));
  const testIdx = order.slice(0, nTest), trainIdx = order.slice(nTest);
  const trainRows = trainIdx.map((i) => csv.rows[i]!), testRows = testIdx.map((i) => csv.rows[i]!);
  const at = (idx: number[]) => (row: number): number => csv.lines[idx[row]!]!;

  const options = preprocessorOptions(config, csv.columns);
  checkFeatureCells(config, csv, keep, trainIdx, options.features!);
  checkTarget(config, csv, trainIdx, testIdx);
  checkTableSize(config, csv, trainIdx, keep.length, options.features!);
  const prep = new TabularPreprocessor(options);
  withFileLines(config.data, at(trainIdx), () => prep.fit(trainRows));
  if (!config.json) warnIdentifiers(prep, trainRows.length);
  const train = withFileLines(config.data, at(trainIdx), () => prep.transform(trainRows));
  const test = withFileLines(config.data, at(testIdx), () => prep.transform(testRows));
  const lossName = config.loss === 'auto' ? (prep.task === 'classification' ? 'ce' : 'mse') : config.loss;
  if ((lossName === 'ce') !== (prep.task === 'classification')) {
    throw new UsageError(`--loss ${lossName} does not fit a ${prep.task} target; use ${prep.task === 'classification' ? 'ce' : 'mse, mae or huber'} (or --task)`);
  }
  const generator = new Generator(config.seed);
  const sizes = [prep.featureCount, ...config.hidden, prep.outputCount];
  const model = new Sequential();
  for (let i = 0; i + 1 < sizes.length; i++) {
    const layer = new Linear(sizes[i]!, sizes[i + 1]!, { generator });
    initLayer(layer, { init: config.init, biasInit: 'auto', initStd: 0.1, initBound: 0.1 }, i + 2 < sizes.length ? config.activation : 'none', generator);
    model.append(layer);
    if (i + 2 < sizes.length) model.append(ACTIVATIONS[config.activation]!());
  }
  const loss: Loss = LOSSES[lossName]!.make('mean');
  const optimizer = OPTIMIZERS[config.optim]!.make(model.parameters(), config);
  const talk = !config.json && !config.quiet;
  const architecture = `${sizes.join('-')} ${config.activation}`;
  if (talk) {
    console.log(`wasmnn train — ${config.data}: ${prep.task} of '${config.target}'${prep.task === 'classification' ? ` (${prep.classes.length} classes)` : ''}` +
      ` from ${prep.features.length} columns (${prep.featureCount} inputs), ${trainRows.length} training / ${testRows.length} test rows` +
      `${dropped ? `, ${dropped} rows without a target dropped` : ''}; ${architecture}, ${lossName} loss, ${config.optim} lr ${config.lr}, ${config.epochs} epochs × batch ${config.batchSize}`);
  }
  const progress = await createProgress({ epochs: config.epochs, label: 'training', quiet: !talk, tty: Boolean(process.stdout.isTTY) });
  const start = performance.now();
  let history: History;
  try {
    history = await fitAsync(model, {
      loss, optimizer, x: train.x, y: train.y!, epochs: config.epochs, batchSize: config.batchSize, seed: config.seed,
      validation: { x: test.x, y: test.y! }, evaluationBatchSize: config.evalBatchSize, task: prep.task, signal, callbacks: { onEpochEnd: (log) => { progress.epoch(log); } },
    });
  } catch (e) {
    throw diverged(e, config.lr);
  } finally {
    progress.done(); // restores the cursor the bar hid, also on errors
  }
  const seconds = (performance.now() - start) / 1000;
  const tabular = new TabularModel(model, prep);
  const summary: TabularSummary = {
    task: prep.task, rows: { total: csv.rows.length, droppedMissingTarget: dropped, train: trainRows.length, test: testRows.length },
    features: prep.features, inputs: prep.featureCount, classes: [...prep.classes], architecture,
    train: tabular.evaluate(trainRows, { batchSize: config.evalBatchSize }), test: tabular.evaluate(testRows, { batchSize: config.evalBatchSize }), seconds, files: [],
  };
  summary.files = await writeOutputs(config, tabular, history, summary, testRows);
  if (signal.aborted) {
    console.error(`wasmnn: interrupted after ${history.epochs.length} epochs; wrote ${summary.files.join(', ')}`);
    return INTERRUPTED;
  }
  if (config.json) {
    console.log(JSON.stringify({ config, ...summary }, null, 2));
    return 0;
  }
  console.log(`train: ${fmt(summary.train)}\ntest:  ${fmt(summary.test)}`);
  if (!config.quiet) console.log(`wrote ${summary.files.join(', ')}`);
  return 0;
}

/**
 * A divergence (the loss or an evaluation became NaN or infinite) as one line that says what to
 * change; other errors as they are.
 */
export function diverged(e: unknown, lr: number): unknown {
  if (!(e instanceof NonFiniteLossError)) return e;
  return new ValueError(`training diverged: ${e.message.replace(/^fit: training diverged /, '')}; try a smaller --lr (it is ${lr})`);
}

/**
 * R² as printed. Of true values that are all equal it is undefined; the library gives scikit-learn's
 * 1 (exact predictions) or 0 (any other), so the line stays a number.
 */
export function r2Text(e: { r2: number }): string {
  return `R² ${e.r2.toFixed(4)}`;
}

/** The most feature values (rows × inputs) the command encodes: 1 GiB as float64 while encoding, 512 MiB in WASM. */
export const MAX_TABLE_VALUES = 2 ** 27;

/** Reads as the preprocessor reads a cell: a finite number, or a decimal numeral. */
const isNumber = (v: unknown): boolean => (typeof v === 'number' ? Number.isFinite(v) : typeof v === 'string' && Number.isFinite(parseDecimal(v)));

/**
 * A feature column of numbers with text in some cells ('NaN', 'n/a', '12 kg', a typo) would be
 * read as categories — every number one of them — and fail later on a number the training rows
 * did not have, or train on garbage: refused unless --categorical names it, at the first text cell.
 */
function checkFeatureCells(config: TabularTrainConfig, csv: CsvTable, rows: number[], trainIdx: number[], features: string[]): void {
  for (const name of features) {
    // Nothing to learn from, and nothing to impute from ("impute: column 'b' has no values to compute a mean from").
    if (trainIdx.every((i) => isMissing(csv.rows[i]![name]))) {
      throw new UsageError(`${config.data}: column '${name}' has no value in any of the ${trainIdx.length} training rows; leave it out with --exclude ${name}`);
    }
    if (config.categorical.includes(name)) continue;
    let numbers = 0, text = -1;
    for (const i of rows) {
      const v = csv.rows[i]![name];
      if (isMissing(v)) continue;
      if (isNumber(v)) numbers++;
      else if (text < 0) text = i;
    }
    if (numbers > 0 && text >= 0) {
      const v = String(csv.rows[text]![name]);
      throw new UsageError(`${config.data} line ${csv.lines[text]}: column '${name}': ${JSON.stringify(v.slice(0, 80))} is not a number, but ${numbers} other cells of the column are; ` +
        `correct it, leave it empty for a missing value (see --impute), or pass --categorical ${name} to read every value as a category`);
    }
  }
}

/**
 * The target, before anything is fitted: a classification needs two classes, and the training
 * rows must hold every class of the test rows (else the model cannot answer it and the test
 * figures fail on it); a regression target that does not vary leaves nothing to learn.
 */
function checkTarget(config: TabularTrainConfig, csv: CsvTable, trainIdx: number[], testIdx: number[]): void {
  const { target } = config;
  const value = (i: number): unknown => csv.rows[i]![target];
  const all = [...trainIdx, ...testIdx];
  if (config.task === 'auto') {
    // As the preprocessor decides (on the training rows): numbers make a regression, anything else classes.
    const inFile = [...all].sort((a, b) => a - b); // the first of each in the file
    const number = inFile.find((i) => typeof value(i) === 'number'), text = inFile.find((i) => typeof value(i) !== 'number');
    if (number !== undefined && text !== undefined) {
      throw new UsageError(`${config.data} line ${csv.lines[text]}: the target '${target}' holds ${JSON.stringify(String(value(text)).slice(0, 80))} beside numbers (line ${csv.lines[number]}: ${String(value(number))}); ` +
        'correct the cell, or pass --task classification if every value is a class label');
    }
  }
  const regression = config.task === 'regression' || (config.task === 'auto' && all.every((i) => typeof value(i) === 'number'));
  if (regression) {
    const first = value(trainIdx[0]!);
    if (trainIdx.every((i) => value(i) === first)) {
      throw new UsageError(`--target ${target}: every one of the ${trainIdx.length} training rows has the value ${String(first)}; a regression needs values that vary`);
    }
    return;
  }
  const label = (i: number): string => `${typeof value(i)}:${String(value(i))}`;
  const classes = new Set(all.map(label));
  if (classes.size < 2) {
    throw new UsageError(`--target ${target}: every one of the ${all.length} rows with a value has the class ${JSON.stringify(String(value(all[0]!)))}; a classification needs at least 2 classes`);
  }
  const trained = new Set(trainIdx.map(label));
  const unseen = testIdx.find((i) => !trained.has(label(i)));
  if (unseen !== undefined) {
    const count = all.filter((i) => label(i) === label(unseen)).length;
    throw new UsageError(`--target ${target}: the class ${JSON.stringify(String(value(unseen)))} (line ${csv.lines[unseen]}) has ${count} row${count === 1 ? '' : 's'}, ` +
      `all among the test rows of this split, so no training row teaches it; add rows of that class, or change --seed or --test-split`);
  }
}

/**
 * The encoded table must fit: one input per numeric column and per category of a text column in
 * the training rows (an id or a free-text column gives one per row). Checked before encoding.
 */
function checkTableSize(config: TabularTrainConfig, csv: CsvTable, trainIdx: number[], rows: number, features: string[]): void {
  const widths = features.map((name) => {
    const values = trainIdx.map((i) => csv.rows[i]![name]).filter((v) => !isMissing(v));
    const categorical = config.categorical.includes(name) || !values.every(isNumber);
    return { name, width: categorical ? Math.max(1, new Set(values.map(String)).size) : 1 };
  });
  const width = widths.reduce((n, c) => n + c.width, 0);
  if (rows * width <= MAX_TABLE_VALUES) return;
  const widest = [...widths].sort((a, b) => b.width - a.width).slice(0, 3).filter((c) => c.width > 1);
  throw new UsageError(`${config.data}: one-hot encoding gives ${width} inputs per row (${widest.map((c) => `'${c.name}': ${c.width} categories`).join(', ')}); ` +
    `${rows} rows × ${width} inputs is more than the ${MAX_TABLE_VALUES} values the command holds; leave such a column out (--exclude ${widest[0]?.name ?? ''})`);
}

/** A text column with nearly one category per row is probably a name or an id: say so (it still trains). */
function warnIdentifiers(prep: TabularPreprocessor, rows: number): void {
  const columns = prep.toJSON().columns as Array<{ name: string; kind: string; categories?: string[] }>;
  for (const c of columns) {
    const n = c.categories?.length ?? 0;
    if (n > 20 && n > 0.5 * rows) console.error(`wasmnn: column '${c.name}' has ${n} distinct values in ${rows} training rows (${n} one-hot inputs); if it is a name or an id, leave it out with --exclude ${c.name}`);
  }
}

function preprocessorOptions(config: TabularTrainConfig, columns: string[]): TabularOptions {
  for (const c of [...(config.features ?? []), ...config.exclude, ...config.categorical]) {
    if (!columns.includes(c)) throw new UsageError(`${config.data} has no column '${c}'; it has ${columnList(columns)}`);
  }
  const features = (config.features ?? columns.filter((c) => c !== config.target)).filter((c) => !config.exclude.includes(c));
  if (features.includes(config.target)) throw new UsageError(`--features: the target '${config.target}' cannot be a feature`);
  if (features.length === 0) throw new UsageError('no feature columns left (check --features / --exclude)');
  const options: TabularOptions = { target: config.target, features, scale: config.scale, unknownCategory: config.unknownCategory };
  if (config.task !== 'auto') options.task = config.task;
  if (config.categorical.length) options.categorical = config.categorical;
  if (config.impute !== 'none') options.impute = config.impute;
  return options;
}

async function writeOutputs(config: TabularTrainConfig, tabular: TabularModel, history: History, summary: TabularSummary, testRows: Array<Record<string, unknown>>): Promise<string[]> {
  const dir = prepareOutputFolder(config.out);
  const modelPath = join(dir, 'model.safetensors'), historyPath = join(dir, 'history.json');
  writeFileAtomically(modelPath, tabular.save());
  writeFileAtomically(historyPath, JSON.stringify({ config, ...summary, files: undefined, history: history.toJSON() }, null, 2));
  const files = [modelPath, historyPath];
  if (!config.plots) {
    removeStaleOutputs(dir, files);
    return files;
  }
  try {
    const plots = await import('./plots.js');
    const title = `${config.data.split('/').pop()}: ${summary.architecture}, ${config.optim} lr ${config.lr}, seed ${config.seed}`;
    files.push(...await plots.writeSpec(plots.learningCurvesSpec([{ history, seed: config.seed }], title, false), dir, 'learning-curve'));
    if (summary.task === 'regression') {
      const { predictedVsTrueSpec } = await import('./plot-regression.js');
      const truth = tabular.preprocessor.targetValues(testRows) as number[];
      const predicted = tabular.predict(testRows, { batchSize: config.evalBatchSize }) as number[];
      files.push(...await plots.writeSpec(predictedVsTrueSpec(truth, predicted, config.target, title), dir, 'predicted-vs-true'));
    }
  } catch (e) {
    if ((e as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw e;
    console.error(`wasmnn: plots skipped: they need vega, vega-lite and @resvg/resvg-js (${(e as Error).message.split('\n')[0]})`);
  }
  removeStaleOutputs(dir, files);
  return files;
}
