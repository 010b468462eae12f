// `wasmnn` — the command line. `wasmnn train [flags]` trains a network on a 2-D data set, shows
// progress, prints train/test figures (mean ± std over --rounds), writes history.json and plots.
// Every failure is one `wasmnn: …` line on stderr and a non-zero exit code; Ctrl-C stops after the
// current epoch, writes what exists so far and exits with 130.
import { WasmnnError, type Evaluation } from '../index.js';
import { meanStd, outputActivation, outputUnits, runRound, type RoundResult } from './experiment.js';
import { isImageDataset, layerSpec, runImageRound } from './image-experiment.js';
import { UsageError, parseTrainArgs, trainHelp, versionText, type TrainConfig } from './options.js';
import { INTERRUPTED, prepareOutputFolder, writeOutputs } from './output.js';
import { SHOW_CURSOR, createProgress } from './progress.js';
import { evaluateCommand, predictCommand } from './model-commands.js';
import { diverged, trainTabular } from './tabular-train.js';
import { closest } from './suggest.js';

const USAGE = `usage: wasmnn <command> [flags]

commands:
  train     train a network on a 2-D data set (wasmnn train --help for the flags),
            or on a CSV table: wasmnn train --data FILE.csv --target COLUMN (--data --help)
  predict   wasmnn predict MODEL.safetensors ROWS.csv [--out FILE] [--batch-size N]: predictions as CSV
  evaluate  wasmnn evaluate MODEL.safetensors DATA.csv [--json] [--batch-size N]: accuracy, or MAE / RMSE / R²
  help      show this text
  --version print the version`;


const pct = (v: number): string => `${(100 * v).toFixed(2)} %`;
const num = (v: number | undefined): string => (v === undefined ? '-' : Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(3) : v.toFixed(4));

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
    seed: r.seed, epochs: r.history.epochs.length, stopReason: r.history.stopReason, task: r.history.task,
    train: r.train, test: r.test, seconds: r.seconds, stepsPerSecond: r.stepsPerSecond,
  };
}

/** Aggregates rounds like the tables of the classic reports: the task's figures, mean ± std. */
function summarize(results: RoundResult[]): Record<string, { mean: number; std: number }> {
  const stat = (f: (r: RoundResult) => number | undefined): { mean: number; std: number } => meanStd(results.map((r) => f(r) ?? NaN));
  const out: Record<string, { mean: number; std: number }> = {
    trainLoss: stat((r) => r.train.loss), testLoss: stat((r) => r.test.loss), epochs: stat((r) => r.history.epochs.length),
  };
  const keys: Array<keyof Evaluation> = results[0]?.train.task === 'regression' ? ['mae', 'rmse', 'r2'] : ['accuracy', 'errors'];
  for (const k of keys) {
    const name = k === 'r2' ? 'R2' : k[0]!.toUpperCase() + k.slice(1);
    out[`train${name}`] = stat((r) => r.train[k] as number | undefined);
    out[`test${name}`] = stat((r) => r.test[k] as number | undefined);
  }
  return out;
}

/** One line of figures for an evaluation: errors and accuracy, or MAE, RMSE and R². */
function figures(name: string, e: Evaluation): string {
  if (e.task === 'regression') return `${name} MAE ${num(e.mae)}, RMSE ${num(e.rmse)}, R² ${num(e.r2)}`;
  return `${name} error ${e.errors}/${e.count} (${pct(e.error!)})`;
}

async function train(args: string[], signal: AbortSignal): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    console.log(trainHelp());
    return 0;
  }
  const config = parseTrainArgs(args);
  outputUnits(config); // validates loss / outputs before any work
  const dir = prepareOutputFolder(config.out); // a folder we can write to, before any training
  const talk = !config.json && !config.quiet;
  if (talk) console.log(`wasmnn train — ${describe(config)}`);
  const results: RoundResult[] = [];
  for (let r = 0; r < config.rounds && !signal.aborted; r++) {
    const label = config.rounds > 1 ? `round ${r + 1}/${config.rounds}` : 'training';
    const progress = await createProgress({ epochs: config.epochs, label, quiet: !talk, tty: Boolean(process.stdout.isTTY) });
    let result: RoundResult;
    try {
      result = isImageDataset(config.dataset)
        ? runImageRound(config, config.seed + r, (log) => progress.epoch(log))
        : await runRound(config, config.seed + r, (log) => progress.epoch(log), signal);
    } catch (e) {
      throw diverged(e, config.lr);
    } finally {
      progress.done(); // restores the cursor the bar hid, also on errors
    }
    results.push(result);
    if (talk || (config.quiet && !config.json && config.rounds > 1)) {
      console.log(
        `${label}: ${result.history.epochs.length} epochs (${result.history.stopReason}), final loss ${num(result.train.loss)}, ` +
        `${figures('train', result.train)}, ${figures('test', result.test)}, ` +
        `${result.seconds.toFixed(2)} s, ${Math.round(result.stepsPerSecond)} steps/s`,
      );
    }
  }
  const summary = summarize(results);
  const files = await writeOutputs(dir, config, results.map((r) => ({ ...roundSummary(r), history: r.history.toJSON() })), summary, results);
  if (signal.aborted) {
    console.error(`wasmnn: interrupted after ${results.reduce((a, r) => a + r.history.epochs.length, 0)} epochs; wrote ${files.join(', ')}`);
    return INTERRUPTED;
  }
  if (config.json) {
    console.log(JSON.stringify({ config, summary, rounds: results.map(roundSummary), files }, null, 2));
    return 0;
  }
  const s = summary;
  const first = results[0]!;
  if (config.rounds > 1 && first.train.task === 'regression') {
    console.log(`over ${config.rounds} rounds (mean ± std): test MAE ${num(s.testMae!.mean)} ± ${num(s.testMae!.std)}, test R² ${num(s.testR2!.mean)} ± ${num(s.testR2!.std)}`);
  } else if (config.rounds > 1) {
    console.log(`over ${config.rounds} rounds (mean ± std): train loss ${s.trainLoss!.mean.toFixed(4)} ± ${s.trainLoss!.std.toFixed(4)}, ` +
      `train accuracy ${pct(s.trainAccuracy!.mean)} ± ${pct(s.trainAccuracy!.std)}, test accuracy ${pct(s.testAccuracy!.mean)} ± ${pct(s.testAccuracy!.std)}, ` +
      `epochs ${s.epochs!.mean.toFixed(0)} ± ${s.epochs!.std.toFixed(0)}`);
  } else if (first.train.task === 'regression') {
    console.log(`${figures('train', first.train)}   ${figures('test', first.test)}`);
  } else {
    console.log(`train error: ${first.train.errors}/${first.train.count} (${pct(first.train.error!)})   test error: ${first.test.errors}/${first.test.count} (${pct(first.test.error!)})`);
  }
  if (!config.quiet) console.log(`wrote ${files.join(', ')}`);
  return 0;
}

/** An error as the one line the command prints (no stack trace; WASMNN_DEBUG=1 adds it). */
export function errorLine(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  const oneLine = message.split('\n').map((l) => l.trim()).filter(Boolean).join('; ');
  if (e instanceof UsageError || e instanceof WasmnnError) return `wasmnn: ${oneLine}`;
  const code = (e as { code?: unknown })?.code;
  return `wasmnn: ${typeof code === 'string' ? '' : 'internal error: '}${oneLine}`;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const controller = new AbortController();
  const onInterrupt = (): void => {
    if (controller.signal.aborted) {
      // A second Ctrl-C: quit now, leaving the terminal usable.
      if (process.stdout.isTTY) process.stdout.write(SHOW_CURSOR);
      process.exit(INTERRUPTED);
    }
    controller.abort();
    // On a terminal the bar is redrawing its line: the closing message comes after it stops.
    if (!process.stdout.isTTY) process.stderr.write('wasmnn: interrupted: stopping after this epoch and writing what exists (Ctrl-C again to quit now)\n');
  };
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
      // Ctrl-C aborts the (asynchronous) training loop instead of killing the process.
      process.on('SIGINT', onInterrupt);
      if (rest.some((a) => a === '--data' || a.startsWith('--data='))) return await trainTabular(rest, controller.signal);
      return await train(rest, controller.signal);
    }
    if (command === 'predict' || command === 'evaluate') {
      (command === 'predict' ? predictCommand : evaluateCommand)(rest);
      return 0;
    }
    if (command.startsWith('-')) throw new UsageError(`'${command}' is a flag: it comes after a command (wasmnn train ${command} …); commands: train, predict, evaluate, help`);
    const near = closest(command, ['train', 'predict', 'evaluate', 'help']).map((c) => `'${c}'`).join(' or ');
    throw new UsageError(`unknown command '${command}'; ${near ? `did you mean ${near}? ` : ''}expected: train, predict, evaluate, help`);
  } catch (e) {
    console.error(errorLine(e));
    if (process.env.WASMNN_DEBUG && e instanceof Error && e.stack) console.error(e.stack);
    return e instanceof UsageError ? 2 : 1;
  } finally {
    process.off('SIGINT', onInterrupt);
  }
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
