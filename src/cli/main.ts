// `wasmnn` — the command line. `wasmnn train [flags]` trains a network on a 2-D data set, shows
// progress, prints train/test error (mean ± std over --rounds), writes history.json and plots.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { WasmnnError } from '../index.js';
import { meanStd, outputActivation, outputUnits, runRound, type RoundResult } from './experiment.js';
import { isImageDataset, layerSpec, runImageRound } from './image-experiment.js';
import { UsageError, parseTrainArgs, trainHelp, versionText, type TrainConfig } from './options.js';
import { createProgress } from './progress.js';
import { evaluateCommand, predictCommand } from './model-commands.js';
import { trainTabular } from './tabular-train.js';

const USAGE = `usage: wasmnn <command> [flags]

commands:
  train     train a network on a 2-D data set (wasmnn train --help for the flags),
            or on a CSV table: wasmnn train --data FILE.csv --target COLUMN (--data --help)
  predict   wasmnn predict MODEL.safetensors ROWS.csv [--out FILE]: predictions as CSV
  evaluate  wasmnn evaluate MODEL.safetensors DATA.csv: accuracy, or MAE / RMSE / R²
  help      show this text
  --version print the version`;

const pct = (v: number): string => `${(100 * v).toFixed(2)} %`;

function describe(config: TrainConfig): string {
  if (isImageDataset(config.dataset)) {
    return `${config.dataset}, layers ${layerSpec(config)}, ${config.loss} loss, ${config.optim} lr ${config.lr}` +
      `${config.scheduler === 'none' ? '' : ` (${config.scheduler})`}, ${config.epochs} epochs × batch ${config.batchSize}`;
  }
  const arch = [2, ...config.hidden, outputUnits(config)].join('-');
  const out = outputActivation(config);
  const act = config.activationScale === 1 ? config.activation : `${config.activation}(${config.activationScale}x)`;
  return `${config.dataset}, ${arch} ${act}${out === 'none' ? '' : ` → ${out}`}, ${config.loss} loss${config.reduction === 'sum' ? ' (sum)' : ''}, ` +
    `${config.optim} lr ${config.lr}${config.momentum ? ` momentum ${config.momentum}` : ''}${config.weightDecay ? ` weight decay ${config.weightDecay}` : ''}` +
    `${config.amsgrad ? ' amsgrad' : ''}, ${config.epochs} epochs × batch ${config.batchSize}, init ${config.init}${config.biasInit === 'auto' ? '' : ` bias ${config.biasInit}`}`;
}

function roundSummary(r: RoundResult): Record<string, unknown> {
  return {
    seed: r.seed, epochs: r.history.epochs.length, stopReason: r.history.stopReason,
    train: r.train, test: r.test, seconds: r.seconds, stepsPerSecond: r.stepsPerSecond,
  };
}

/** Aggregates rounds like the tables of the classic reports. */
function summarize(results: RoundResult[]): Record<string, { mean: number; std: number }> {
  const stat = (f: (r: RoundResult) => number): { mean: number; std: number } => meanStd(results.map(f));
  return {
    trainLoss: stat((r) => r.train.loss), testLoss: stat((r) => r.test.loss),
    trainAccuracy: stat((r) => r.train.accuracy), testAccuracy: stat((r) => r.test.accuracy),
    trainErrors: stat((r) => r.train.errors), testErrors: stat((r) => r.test.errors),
    epochs: stat((r) => r.history.epochs.length),
  };
}

async function writeOutputs(config: TrainConfig, results: RoundResult[], summary: unknown): Promise<string[]> {
  const dir = resolve(config.out);
  mkdirSync(dir, { recursive: true });
  const historyPath = join(dir, 'history.json');
  writeFileSync(historyPath, JSON.stringify({
    config, summary, rounds: results.map((r) => ({ ...roundSummary(r), history: r.history.toJSON() })),
  }, null, 2));
  const files = [historyPath];
  if (!config.plots) return files;
  let plots: typeof import('./plots.js');
  try {
    plots = await import('./plots.js');
    files.push(...(isImageDataset(config.dataset)
      ? await plots.writeSpec(plots.learningCurvesSpec(results, `${config.dataset}: ${layerSpec(config)}, ${config.optim} lr ${config.lr}`, false), dir, 'learning-curve')
      : await plots.writePlots(config, results, dir)));
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_MODULE_NOT_FOUND') {
      console.error(`wasmnn: plots skipped: they need the optional packages vega, vega-lite and @resvg/resvg-js (${(e as Error).message.split('\n')[0]})`);
    } else {
      throw e;
    }
  }
  return files;
}

async function train(args: string[]): Promise<void> {
  if (args.includes('--help') || args.includes('-h')) {
    console.log(trainHelp());
    return;
  }
  const config = parseTrainArgs(args);
  outputUnits(config); // validates loss / outputs before any work
  const talk = !config.json && !config.quiet;
  if (talk) console.log(`wasmnn train — ${describe(config)}`);
  const results: RoundResult[] = [];
  for (let r = 0; r < config.rounds; r++) {
    const label = config.rounds > 1 ? `round ${r + 1}/${config.rounds}` : 'training';
    const progress = await createProgress({ epochs: config.epochs, label, quiet: !talk, tty: Boolean(process.stdout.isTTY) });
    const result = (isImageDataset(config.dataset) ? runImageRound : runRound)(config, config.seed + r, (log) => progress.epoch(log));
    progress.done();
    results.push(result);
    if (talk || (config.quiet && !config.json && config.rounds > 1)) {
      console.log(
        `${label}: ${result.history.epochs.length} epochs (${result.history.stopReason}), final loss ${result.train.loss.toFixed(4)}, ` +
        `train error ${result.train.errors}/${result.train.count} (${pct(result.train.error)}), ` +
        `test error ${result.test.errors}/${result.test.count} (${pct(result.test.error)}), ` +
        `${result.seconds.toFixed(2)} s, ${Math.round(result.stepsPerSecond)} steps/s`,
      );
    }
  }
  const summary = summarize(results);
  const files = await writeOutputs(config, results, summary);
  if (config.json) {
    console.log(JSON.stringify({ config, summary, rounds: results.map(roundSummary), files }, null, 2));
    return;
  }
  const s = summary;
  if (config.rounds > 1) {
    console.log(`over ${config.rounds} rounds (mean ± std): train loss ${s.trainLoss!.mean.toFixed(4)} ± ${s.trainLoss!.std.toFixed(4)}, ` +
      `train accuracy ${pct(s.trainAccuracy!.mean)} ± ${pct(s.trainAccuracy!.std)}, test accuracy ${pct(s.testAccuracy!.mean)} ± ${pct(s.testAccuracy!.std)}, ` +
      `epochs ${s.epochs!.mean.toFixed(0)} ± ${s.epochs!.std.toFixed(0)}`);
  } else {
    const r = results[0]!;
    console.log(`train error: ${r.train.errors}/${r.train.count} (${pct(r.train.error)})   test error: ${r.test.errors}/${r.test.count} (${pct(r.test.error)})`);
  }
  if (!config.quiet) console.log(`wrote ${files.join(', ')}`);
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
      console.log(USAGE);
      return command === undefined ? 2 : 0;
    }
    if (command === '--version' || command === '-V') {
      console.log(versionText());
      return 0;
    }
    if (command === 'train') {
      await (rest.some((a) => a === '--data' || a.startsWith('--data=')) ? trainTabular(rest) : train(rest));
      return 0;
    }
    if (command === 'predict' || command === 'evaluate') {
      (command === 'predict' ? predictCommand : evaluateCommand)(rest);
      return 0;
    }
    throw new UsageError(`unknown command '${command}'; expected: train, predict, evaluate, help`);
  } catch (e) {
    if (e instanceof UsageError || e instanceof WasmnnError) {
      console.error(`wasmnn: ${e.message}`);
      return e instanceof UsageError ? 2 : 1;
    }
    throw e;
  }
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
