// The `wasmnn train` flags: one table gives each flag's type, default, allowed values and help;
// parsing rejects unknown flags and bad values with a message that says what is allowed.
import { parseArgs } from 'node:util';
import { ACTIVATIONS, DATASETS, INITS, LOSSES, OPTIMIZERS, OUTPUT_ACTIVATIONS } from './registry.js';

/** Everything one `wasmnn train` run needs. */
export interface TrainConfig {
  dataset: string;
  nTrain: number;
  nTest: number;
  hidden: number[];
  activation: string;
  outputActivation: string;
  outputs: number | 'auto';
  loss: string;
  reduction: 'mean' | 'sum';
  optim: string;
  lr: number;
  momentum: number;
  weightDecay: number;
  amsgrad: boolean;
  epochs: number;
  batchSize: number;
  init: string;
  rounds: number;
  seed: number;
  earlyStopAccuracy: number | undefined;
  out: string;
  json: boolean;
  quiet: boolean;
  plots: boolean;
}

/** Thrown for bad command-line input; the command prints the message and exits with code 2. */
export class UsageError extends Error {}

interface Flag {
  key: keyof TrainConfig;
  type: 'string' | 'boolean';
  help: string;
  default: string | boolean;
  /** Turns the text into the config value, or throws UsageError. */
  parse?: (text: string, flag: string) => TrainConfig[keyof TrainConfig];
}

const choice = (values: string[]) => (text: string, flag: string): string => {
  if (!values.includes(text)) throw new UsageError(`--${flag}: '${text}' is not allowed; choose one of ${values.join(', ')}`);
  return text;
};
const number = (rule: { min?: number; max?: number; integer?: boolean; positive?: boolean }) => (text: string, flag: string): number => {
  const v = Number(text);
  const what = rule.integer ? 'an integer' : 'a number';
  if (text.trim() === '' || !Number.isFinite(v) || (rule.integer && !Number.isInteger(v))) throw new UsageError(`--${flag}: expected ${what}, got '${text}'`);
  if (rule.positive && v <= 0) throw new UsageError(`--${flag}: must be > 0, got ${text}`);
  if (rule.min !== undefined && v < rule.min) throw new UsageError(`--${flag}: must be ≥ ${rule.min}, got ${text}`);
  if (rule.max !== undefined && v > rule.max) throw new UsageError(`--${flag}: must be ≤ ${rule.max}, got ${text}`);
  return v;
};

/**
 * Most points per data set: the points, their copies (data loader, one-hot targets) and the
 * evaluation buffers must fit in WASM's 4 GiB; 10 million 2-D points use about 0.5 GiB.
 */
export const MAX_POINTS = 10_000_000;

export const FLAGS: Record<string, Flag> = {
  dataset: { key: 'dataset', type: 'string', default: 'disk', help: `data set: ${Object.keys(DATASETS).join('|')}`, parse: choice(Object.keys(DATASETS)) },
  'n-train': { key: 'nTrain', type: 'string', default: '1000', help: `training points (≤ ${MAX_POINTS})`, parse: number({ integer: true, min: 1, max: MAX_POINTS }) },
  'n-test': { key: 'nTest', type: 'string', default: '1000', help: `test points (xor: the training points; ≤ ${MAX_POINTS})`, parse: number({ integer: true, min: 1, max: MAX_POINTS }) },
  hidden: {
    key: 'hidden', type: 'string', default: '25,25,25', help: 'hidden layer widths, comma-separated ("" for none)',
    parse: (text, flag) => (text.trim() === '' ? [] : text.split(',').map((w) => number({ integer: true, min: 1 })(w.trim(), flag))),
  },
  activation: { key: 'activation', type: 'string', default: 'relu', help: `hidden activation: ${Object.keys(ACTIVATIONS).join('|')}`, parse: choice(Object.keys(ACTIVATIONS)) },
  'output-activation': { key: 'outputActivation', type: 'string', default: 'auto', help: `output activation: ${OUTPUT_ACTIVATIONS.join('|')} (auto: sigmoid for bce)`, parse: choice(OUTPUT_ACTIVATIONS) },
  outputs: { key: 'outputs', type: 'string', default: 'auto', help: 'output units: 1, 2 or auto (ce, mse, mae, huber: 2; bce, bce_logits: 1)', parse: (t, f) => (t === 'auto' ? 'auto' : number({ integer: true, min: 1, max: 2 })(t, f)) },
  loss: { key: 'loss', type: 'string', default: 'ce', help: `loss: ${Object.keys(LOSSES).join('|')}`, parse: choice(Object.keys(LOSSES)) },
  reduction: { key: 'reduction', type: 'string', default: 'mean', help: 'loss reduction over the batch: mean|sum', parse: choice(['mean', 'sum']) },
  optim: { key: 'optim', type: 'string', default: 'adam', help: `optimizer: ${Object.keys(OPTIMIZERS).join('|')}`, parse: choice(Object.keys(OPTIMIZERS)) },
  lr: { key: 'lr', type: 'string', default: '0.01', help: 'learning rate', parse: number({ min: 0 }) },
  momentum: { key: 'momentum', type: 'string', default: '0', help: 'momentum (sgd, rmsprop)', parse: number({ min: 0 }) },
  'weight-decay': { key: 'weightDecay', type: 'string', default: '0', help: 'weight decay', parse: number({ min: 0 }) },
  amsgrad: { key: 'amsgrad', type: 'boolean', default: false, help: 'AMSGrad variant (adam, adamw)' },
  epochs: { key: 'epochs', type: 'string', default: '100', help: 'epochs (≤ 1e9)', parse: number({ integer: true, min: 1, max: 1e9 }) },
  'batch-size': { key: 'batchSize', type: 'string', default: '100', help: 'mini-batch size (1: per-sample updates)', parse: number({ integer: true, min: 1 }) },
  init: { key: 'init', type: 'string', default: 'he', help: `weight init: ${Object.keys(INITS).join('|')}`, parse: choice(Object.keys(INITS)) },
  rounds: { key: 'rounds', type: 'string', default: '1', help: 'independent runs with seeds seed, seed+1, … (mean ± std)', parse: number({ integer: true, min: 1 }) },
  seed: { key: 'seed', type: 'string', default: '1', help: 'random seed', parse: number({ integer: true, min: 0 }) },
  'early-stop-accuracy': { key: 'earlyStopAccuracy', type: 'string', default: '', help: 'stop when training accuracy reaches this (e.g. 1.0)', parse: (t, f) => (t === '' ? undefined : number({ min: 0, max: 1 })(t, f)) },
  out: { key: 'out', type: 'string', default: './wasmnn-out', help: 'output folder for history.json and plots' },
  json: { key: 'json', type: 'boolean', default: false, help: 'print the result as JSON only' },
  quiet: { key: 'quiet', type: 'boolean', default: false, help: 'print only the final result' },
  'no-plots': { key: 'plots', type: 'boolean', default: false, help: 'do not write plots' },
};

/** Parses `train` arguments into a validated config. */
export function parseTrainArgs(args: string[]): TrainConfig {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: Object.fromEntries(Object.entries(FLAGS).map(([name, f]) => [name, { type: f.type }])),
    }));
  } catch (e) {
    const message = (e as Error).message.replace(/^Unknown option '(.*?)'.*$/s, "unknown flag '$1'");
    throw new UsageError(`${message}\nallowed flags: ${Object.keys(FLAGS).map((f) => `--${f}`).join(' ')}`);
  }
  const config = {} as Record<string, unknown>;
  for (const [name, flag] of Object.entries(FLAGS)) {
    const given = values[name];
    if (flag.type === 'boolean') {
      config[flag.key] = name === 'no-plots' ? !given : Boolean(given ?? flag.default);
    } else {
      const text = (given as string | undefined) ?? (flag.default as string);
      config[flag.key] = flag.parse ? flag.parse(text, name) : text;
    }
  }
  return config as unknown as TrainConfig;
}

/** The help text of `wasmnn train`. */
export function trainHelp(): string {
  const rows = Object.entries(FLAGS).map(([name, f]) => {
    const def = f.type === 'boolean' ? '' : f.default === '' ? '' : ` (default ${f.default})`;
    return `  --${name.padEnd(22)}${f.help}${def}`;
  });
  return ['usage: wasmnn train [flags]', '', 'Trains a fully connected network on a 2-D data set and reports train/test error.', '', ...rows].join('\n');
}
