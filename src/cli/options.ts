// The `wasmnn train` flags: one table gives each flag's type, default, allowed values, help and
// when it applies; parsing rejects unknown flags (suggesting the closest), bad values, and flags
// that do not apply to the chosen optimizer, initialisation or data set, with one-line messages.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ACTIVATIONS, BIAS_INITS, DATASETS, INITS, LOSSES, OPTIMIZERS, OUTPUT_ACTIVATIONS } from './registry.js';
import { closest } from './suggest.js';
import { IMAGE_DATASETS, MODEL_PRESETS, SCHEDULERS } from './image-registry.js';
import { parseDecimal } from '../decimal.js';

/** Everything one `wasmnn train` run needs. */
export interface TrainConfig {
  dataset: string;
  nTrain: number;
  nTest: number;
  hidden: number[];
  activation: string;
  /** Hidden activations see k·x (tanh(10x): --activation tanh --activation-scale 10). */
  activationScale: number;
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
  /** Rows per forward pass of the evaluations (fit's evaluationBatchSize, evaluate's batchSize). */
  evalBatchSize: number;
  init: string;
  biasInit: string;
  initStd: number;
  initBound: number;
  rounds: number;
  seed: number;
  earlyStopAccuracy: number | undefined;
  earlyStopLoss: number | undefined;
  checkEvery: number;
  /** Training loss/accuracy from each batch before its update (fit's default) instead of the whole set after each epoch. */
  runningMetrics: boolean;
  out: string;
  json: boolean;
  quiet: boolean;
  plots: boolean;
  /** Image data sets: a --model preset name ('' = lenet-bn unless --layers is given). */
  model: string;
  /** Image data sets: a layer spec (see layer-spec.ts); overrides --model. */
  layers: string;
  /** Learning-rate schedule: none | cosine. */
  scheduler: string;
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
  /** When given explicitly: why it does not apply to this config, or null when it does. */
  refuse?: (config: TrainConfig) => string | null;
}

const choice = (values: string[]) => (text: string, flag: string): string => {
  if (!values.includes(text)) {
    const near = closest(text, values).map((v) => `'${v}'`).join(' or ');
    throw new UsageError(`--${flag}: '${text}' is not allowed; ${near ? `did you mean ${near}? ` : ''}choose one of ${values.join(', ')}`);
  }
  return text;
};
const number = (rule: { min?: number; max?: number; integer?: boolean; positive?: boolean }) => (text: string, flag: string): number => {
  const v = parseDecimal(text);
  const what = rule.integer ? 'an integer' : 'a number';
  if (text.trim() === '' || !Number.isFinite(v) || (rule.integer && !Number.isInteger(v))) throw new UsageError(`--${flag}: expected ${what}, got '${text}'`);
  if (rule.positive && v <= 0) throw new UsageError(`--${flag}: must be > 0, got ${text}`);
  if (rule.min !== undefined && v < rule.min) throw new UsageError(`--${flag}: must be ≥ ${rule.min}, got ${text}`);
  if (rule.max !== undefined && v > rule.max) throw new UsageError(`--${flag}: must be ≤ ${rule.max}, got ${text}`);
  return v;
};
const optional = (parse: (text: string, flag: string) => number) => (t: string, f: string): number | undefined => (t === '' ? undefined : parse(t, f));

/** Refuses an optimizer flag the chosen optimizer does not take. */
const optimizerFlag = (name: string) => (c: TrainConfig): string | null => {
  if (OPTIMIZERS[c.optim]!.flags.includes(name)) return null;
  const takers = Object.keys(OPTIMIZERS).filter((o) => OPTIMIZERS[o]!.flags.includes(name));
  return `--${name} does not apply to --optim ${c.optim} (only to ${takers.join(', ')})`;
};
/** Refuses --init-std / --init-bound unless a chosen weight or bias scheme uses it. */
const initFlag = (name: 'init-std' | 'init-bound') => (c: TrainConfig): string | null => {
  if (INITS[c.init]!.uses === name || INITS[c.biasInit]?.uses === name) return null;
  const users = Object.keys(INITS).filter((k) => INITS[k]!.uses === name);
  return `--${name} does not apply to --init ${c.init}${c.biasInit === 'auto' ? '' : ` --bias-init ${c.biasInit}`} (only to ${users.join(', ')})`;
};

/** The largest seed (fit's: it draws with seed + 1). */
const MAX_SEED = Number.MAX_SAFE_INTEGER - 1;

/**
 * Most points per data set: the points, their copies (data loader, one-hot targets) and the
 * evaluation buffers must fit in WASM's 4 GiB; 10 million 2-D points use about 0.5 GiB.
 */
export const MAX_POINTS = 10_000_000;

/** Refuses a flag of the 2-D data sets on an image data set (its model comes from --model / --layers). */
const pointsFlag = (name: string) => (c: TrainConfig): string | null =>
  (IMAGE_DATASETS[c.dataset] ? `--${name} does not apply to --dataset ${c.dataset} (an image data set has its own split, and its network comes from --model or --layers)` : null);

/** Refuses a flag of the image data sets on a 2-D data set (it trained the --hidden MLP, the flag silently ignored). */
const imageFlag = (name: string) => (c: TrainConfig): string | null =>
  (IMAGE_DATASETS[c.dataset] ? null : `--${name} applies to the image data sets (--dataset ${Object.keys(IMAGE_DATASETS).join('|')}); --dataset ${c.dataset} trains the MLP of --hidden`);

export const FLAGS: Record<string, Flag> = {
  dataset: { key: 'dataset', type: 'string', default: 'disk', help: `data set: ${[...Object.keys(DATASETS), ...Object.keys(IMAGE_DATASETS)].join('|')}`, parse: choice([...Object.keys(DATASETS), ...Object.keys(IMAGE_DATASETS)]) },
  'n-train': {
    key: 'nTrain', type: 'string', default: '1000', help: `training points (≤ ${MAX_POINTS})`, parse: number({ integer: true, min: 1, max: MAX_POINTS }),
    refuse: (c) => (DATASETS[c.dataset]?.fixed ? `--n-train does not apply to --dataset ${c.dataset} (it has fixed points)` : pointsFlag('n-train')(c)),
  },
  'n-test': {
    key: 'nTest', type: 'string', default: '1000', help: `test points (≤ ${MAX_POINTS}; xor: the training points are the test set)`, parse: number({ integer: true, min: 1, max: MAX_POINTS }),
    refuse: (c) => (DATASETS[c.dataset]?.fixed ? `--n-test does not apply to --dataset ${c.dataset} (its training points are the test set)` : pointsFlag('n-test')(c)),
  },
  hidden: {
    key: 'hidden', type: 'string', default: '25,25,25', help: 'hidden layer widths, comma-separated ("" for none)',
    parse: (text, flag) => (text.trim() === '' ? [] : text.split(',').map((w) => number({ integer: true, min: 1 })(w.trim(), flag))),
    refuse: pointsFlag('hidden'),
  },
  activation: { key: 'activation', type: 'string', default: 'relu', help: `hidden activation: ${Object.keys(ACTIVATIONS).join('|')}`, parse: choice(Object.keys(ACTIVATIONS)) },
  'activation-scale': {
    key: 'activationScale', type: 'string', default: '1', help: 'hidden activations see k·x (a Scale(k) module before each): tanh(10x) is --activation tanh --activation-scale 10',
    parse: number({ positive: true }), refuse: pointsFlag('activation-scale'),
  },
  'output-activation': { key: 'outputActivation', type: 'string', default: 'auto', help: `output activation: ${OUTPUT_ACTIVATIONS.join('|')} (auto: sigmoid for bce)`, parse: choice(OUTPUT_ACTIVATIONS), refuse: pointsFlag('output-activation') },
  outputs: { key: 'outputs', type: 'string', default: 'auto', help: 'output units: 1, 2 or auto (ce, mse, mae, huber: 2; bce, bce_logits: 1)', parse: (t, f) => (t === 'auto' ? 'auto' : number({ integer: true, min: 1, max: 2 })(t, f)), refuse: pointsFlag('outputs') },
  loss: { key: 'loss', type: 'string', default: 'ce', help: `loss: ${Object.keys(LOSSES).join('|')}`, parse: choice(Object.keys(LOSSES)) },
  reduction: { key: 'reduction', type: 'string', default: 'mean', help: 'loss reduction over the batch: mean|sum', parse: choice(['mean', 'sum']) },
  optim: { key: 'optim', type: 'string', default: 'adam', help: `optimizer: ${Object.keys(OPTIMIZERS).join('|')}`, parse: choice(Object.keys(OPTIMIZERS)) },
  lr: { key: 'lr', type: 'string', default: '0.01', help: 'learning rate (> 0)', parse: number({ positive: true }) },
  momentum: { key: 'momentum', type: 'string', default: '0', help: 'momentum (sgd, rmsprop)', parse: number({ min: 0 }), refuse: optimizerFlag('momentum') },
  'weight-decay': { key: 'weightDecay', type: 'string', default: '0', help: 'weight decay', parse: number({ min: 0 }), refuse: optimizerFlag('weight-decay') },
  amsgrad: { key: 'amsgrad', type: 'boolean', default: false, help: 'AMSGrad variant (adam, adamw)', refuse: optimizerFlag('amsgrad') },
  epochs: { key: 'epochs', type: 'string', default: '100', help: 'epochs (the most, with an early-stop flag; ≤ 1e9)', parse: number({ integer: true, min: 1, max: 1e9 }) },
  'batch-size': { key: 'batchSize', type: 'string', default: '100', help: 'mini-batch size (1: per-sample updates)', parse: number({ integer: true, min: 1 }) },
  'eval-batch-size': {
    key: 'evalBatchSize', type: 'string', default: '1024',
    help: 'rows per forward pass when evaluating (after each epoch and at the end; the figures do not depend on it): lower it when a wide --layers network runs out of memory evaluating 1024 images',
    parse: number({ integer: true, min: 1 }),
  },
  init: {
    key: 'init', type: 'string', default: 'he-normal', parse: choice(Object.keys(INITS)),
    help: `weight initialisation: ${Object.entries(INITS).map(([k, s]) => `${k} = ${s.help}`).join('; ')}`,
  },
  'bias-init': {
    key: 'biasInit', type: 'string', default: 'auto', parse: choice(BIAS_INITS),
    help: `bias initialisation: auto (the --init scheme's own: biases like the weights for report001 and default, else zeros)|zeros|same (the weights' distribution)|${Object.keys(INITS).join('|')}`,
  },
  'init-std': { key: 'initStd', type: 'string', default: '0.1', help: 'standard deviation of --init normal', parse: number({ min: 0 }), refuse: initFlag('init-std') },
  'init-bound': { key: 'initBound', type: 'string', default: '0.1', help: 'bound b of --init uniform, U(-b, b)', parse: number({ min: 0 }), refuse: initFlag('init-bound') },
  rounds: {
    key: 'rounds', type: 'string', default: '1', help: 'independent runs with seeds seed, seed+1, … (mean ± std)', parse: number({ integer: true, min: 1, max: 1e9 }),
    refuse: (c) => (c.seed + c.rounds - 1 > MAX_SEED ? `--rounds ${c.rounds} with --seed ${c.seed}: the last round's seed would pass 2^53 - 2 (${MAX_SEED})` : null),
  },
  seed: { key: 'seed', type: 'string', default: '1', help: 'random seed (an integer from 0 to 2^53 - 2)', parse: number({ integer: true, min: 0, max: MAX_SEED }) },
  'early-stop-accuracy': { key: 'earlyStopAccuracy', type: 'string', default: '', help: 'stop when training accuracy reaches this (e.g. 1.0)', parse: optional(number({ min: 0, max: 1 })) },
  'early-stop-loss': { key: 'earlyStopLoss', type: 'string', default: '', help: 'stop when the training loss falls to this (e.g. 0.005)', parse: optional(number({ min: 0 })) },
  'check-every': {
    key: 'checkEvery', type: 'string', default: '1', help: 'check the early-stop rule only every N epochs (e.g. 100)', parse: number({ integer: true, min: 1 }),
    refuse: (c) => (c.earlyStopAccuracy === undefined && c.earlyStopLoss === undefined ? '--check-every needs --early-stop-accuracy or --early-stop-loss' : null),
  },
  'running-metrics': {
    key: 'runningMetrics', type: 'boolean', default: false,
    help: 'training loss and accuracy as measured on each batch before its update (with one full batch: the forward pass of that epoch, as reports 001 and 004 checked them) instead of the whole training set re-evaluated after each epoch; faster',
  },
  out: { key: 'out', type: 'string', default: './wasmnn-out', help: 'output folder for history.json and plots' },
  json: { key: 'json', type: 'boolean', default: false, help: 'print the result as JSON only' },
  quiet: { key: 'quiet', type: 'boolean', default: false, help: 'print only the final result' },
  'no-plots': { key: 'plots', type: 'boolean', default: false, help: 'do not write plots' },
  model: {
    key: 'model', type: 'string', default: '', help: `image data sets: a preset ${Object.keys(MODEL_PRESETS).join('|')} (default lenet-bn)`,
    parse: (t, f) => (t === '' ? '' : choice(Object.keys(MODEL_PRESETS))(t, f)),
    refuse: (c) => imageFlag('model')(c) ?? (c.layers ? '--model and --layers both choose the network; give one of them' : null),
  },
  layers: {
    key: 'layers', type: 'string', default: '', help: "image data sets: layer spec, e.g. 'conv6x5p2,bn,relu,maxpool2,flatten,10' (see README)",
    // Given as '' it would silently train the default preset instead of the network asked for.
    refuse: (c) => imageFlag('layers')(c) ?? (c.layers.trim() === '' ? `--layers: expected a layer spec such as 'conv6x5p2,bn,relu,maxpool2,flatten,10', got '${c.layers}'` : null),
  },
  scheduler: { key: 'scheduler', type: 'string', default: 'none', help: `learning-rate schedule per epoch: ${Object.keys(SCHEDULERS).join('|')} (cosine: to 0 over --epochs)`, parse: choice(Object.keys(SCHEDULERS)) },
};

/**
 * `--lr -1` as `--lr=-1`: node's parser takes a value starting with '-' for a flag, and we want
 * our own range message instead of its "ambiguous argument" error.
 */
function attachDashValues(args: string[], types: Record<string, { type: 'string' | 'boolean' }>): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!, next = args[i + 1];
    const flag = arg.startsWith('--') && !arg.includes('=') ? types[arg.slice(2)] : undefined;
    if (flag?.type === 'string' && next !== undefined && /^-[^-]/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else {
      out.push(arg);
    }
  }
  return out;
}

/**
 * Parses flags strictly, as every subcommand does: an unknown flag is named (with the closest
 * known ones and `allowed`), a flag given twice is refused (node's parser silently kept the last:
 * `--data a.csv … --data b.csv` trained on b.csv), `--flag -1` is read as `--flag=-1`.
 */
export function parseFlags(args: string[], options: Record<string, { type: 'string' | 'boolean' }>, allowed: string, allowPositionals = false): {
  values: Record<string, string | boolean | undefined>; positionals: string[];
} {
  let parsed;
  try {
    parsed = parseArgs({ args: attachDashValues(args, options), strict: true, allowPositionals, options, tokens: true });
  } catch (e) {
    const message = (e as Error).message;
    // node's "Option '--data <value>' argument missing" / "… argument is ambiguous. Did you forget …"
    const valueless = /^Option '(--[^' ]+)(?: <value>)?' argument (missing|is ambiguous)/.exec(message);
    if (valueless) {
      const next = valueless[2] === 'missing' ? 'nothing follows it' : `${args[args.indexOf(valueless[1]!) + 1] ?? 'a flag'} follows it`;
      throw new UsageError(`${valueless[1]} needs a value (${next})\n${allowed}`);
    }
    const boolean = /^Option '(--[^']+)' does not take an argument/.exec(message);
    if (boolean) throw new UsageError(`${boolean[1]} takes no value (give ${boolean[1]} alone)\n${allowed}`);
    const name = /^Unknown option '(.*?)'/.exec(message)?.[1];
    if (name === undefined) throw new UsageError(`${message.split('\n')[0]}\n${allowed}`);
    const near = closest(name.replace(/^-+/, ''), Object.keys(options)).map((f) => `--${f}`).join(' or ');
    throw new UsageError(`unknown flag '${name}'${near ? `; did you mean ${near}?` : ''}\n${allowed}`);
  }
  const seen = new Map<string, string>();
  for (const token of parsed.tokens) {
    if (token.kind !== 'option') continue;
    const value = token.value === undefined ? '' : ` ${token.value}`;
    const first = seen.get(token.name);
    if (first !== undefined) throw new UsageError(`--${token.name} is given twice (--${token.name}${first} and --${token.name}${value}); give it once`);
    seen.set(token.name, value);
  }
  return { values: parsed.values as Record<string, string | boolean | undefined>, positionals: parsed.positionals };
}

/** Parses `train` arguments into a validated config. */
export function parseTrainArgs(args: string[]): TrainConfig {
  const { values } = parseFlags(args, Object.fromEntries(Object.entries(FLAGS).map(([name, f]) => [name, { type: f.type }])),
    `allowed flags: ${Object.keys(FLAGS).map((f) => `--${f}`).join(' ')}`);
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
  const result = config as unknown as TrainConfig;
  for (const [name, flag] of Object.entries(FLAGS)) {
    const reason = values[name] !== undefined ? flag.refuse?.(result) : null;
    if (reason) throw new UsageError(reason);
  }
  return result;
}

/** The help text of `wasmnn train`. */
export function trainHelp(): string {
  const rows = Object.entries(FLAGS).map(([name, f]) => {
    const def = f.type === 'boolean' ? '' : f.default === '' ? '' : ` (default ${f.default})`;
    return `  --${name.padEnd(22)}${f.help}${def}`;
  });
  return ['usage: wasmnn train [flags]', '', 'Trains a network on a data set (the 2-D point sets, or MNIST digits with a CNN from --model / --layers) and reports train/test error.', '', ...rows].join('\n');
}

/**
 * `wasmnn <version>` (in this repository) or `wasmnn-cli <version>` (the published command), read
 * from the nearest package.json of either name above this file (dist/ or src/cli/).
 */
export function versionText(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++, dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'wasmnn' || pkg.name === 'wasmnn-cli') return `${pkg.name} ${pkg.version}`;
    } catch { /* not here: look one folder up */ }
  }
  return 'wasmnn (version unknown)';
}
