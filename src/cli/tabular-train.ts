// `wasmnn train --data FILE.csv --target COLUMN`: a network on a table. Rows without a target are
// dropped (and counted), the rest split into training and test rows with the seed; preprocessing
// is fitted on the training rows only; the model file carries architecture and preprocessing.
import { writeFileSync } from 'node:fs';
import { INTERRUPTED, prepareOutputFolder } from './output.js';
import { join } from 'node:path';
import {
  Generator, Linear, Sequential, TabularModel, TabularPreprocessor, fitAsync, isMissing,
  type History, type Loss, type TabularEvaluation, type TabularOptions,
} from '../index.js';
import { readCsv, withFileLines } from './csv.js';
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
  : `MAE ${e.mae.toPrecision(4)}, RMSE ${e.rmse.toPrecision(4)}, R² ${e.r2.toFixed(4)} (${e.count} rows)`);

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
  if (!csv.columns.includes(config.target)) throw new UsageError(`--target: ${config.data} has no column '${config.target}'; it has ${csv.columns.join(', ')}`);
  const keep = csv.rows.map((_, i) => i).filter((i) => !isMissing(csv.rows[i]![config.target]));
  const dropped = csv.rows.length - keep.length;
  if (keep.length < 2) throw new UsageError(`${config.data}: ${keep.length} row(s) with a target value; at least 2 are needed`);
  const order = Array.from(new Generator(config.seed).permutation(keep.length), (k) => keep[k]!);
  const nTest = Math.min(keep.length - 1, Math.max(1, Math.round(config.testSplit * keep.length)));
  const testIdx = order.slice(0, nTest), trainIdx = order.slice(nTest);
  const trainRows = trainIdx.map((i) => csv.rows[i]!), testRows = testIdx.map((i) => csv.rows[i]!);
  const at = (idx: number[]) => (row: number): number => csv.lines[idx[row]!]!;

  const prep = new TabularPreprocessor(preprocessorOptions(config, csv.columns));
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
    if (!columns.includes(c)) throw new UsageError(`${config.data} has no column '${c}'; it has ${columns.join(', ')}`);
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
  writeFileSync(modelPath, tabular.save());
  writeFileSync(historyPath, JSON.stringify({ config, ...summary, files: undefined, history: history.toJSON() }, null, 2));
  const files = [modelPath, historyPath];
  if (!config.plots) return files;
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
  return files;
}
