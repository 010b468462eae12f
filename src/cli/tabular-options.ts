// The flags of `wasmnn train --data FILE.csv`: the training flags the 2-D experiments also take
// (one definition, in options.ts) plus the data flags of a CSV file.
import { FLAGS, UsageError, parseFlags } from './options.js';
import { parseDecimal } from '../decimal.js';

/** Everything one `wasmnn train --data` run needs. */
export interface TabularTrainConfig {
  data: string;
  target: string;
  task: 'auto' | 'classification' | 'regression';
  features: string[] | undefined;
  exclude: string[];
  categorical: string[];
  impute: 'none' | 'mean' | 'median' | 'mostFrequent';
  scale: 'standard' | 'minmax' | 'none';
  unknownCategory: 'error' | 'ignore';
  testSplit: number;
  hidden: number[];
  activation: string;
  loss: string;
  optim: string;
  lr: number;
  momentum: number;
  weightDecay: number;
  amsgrad: boolean;
  epochs: number;
  batchSize: number;
  /** Rows per forward pass of the evaluations (fit's evaluationBatchSize; the final figures and the plot's predictions). */
  evalBatchSize: number;
  init: string;
  seed: number;
  out: string;
  json: boolean;
  quiet: boolean;
  plots: boolean;
}

interface DataFlag {
  key: keyof TabularTrainConfig;
  type: 'string' | 'boolean';
  default: string | boolean;
  help: string;
  parse?: (text: string, flag: string) => unknown;
}

const list = (text: string): string[] => text.split(',').map((s) => s.trim()).filter((s) => s !== '');
const oneOf = (values: string[]) => (text: string, flag: string): string => {
  if (!values.includes(text)) throw new UsageError(`--${flag}: '${text}' is not allowed; choose one of ${values.join(', ')}`);
  return text;
};

/** Flags shared with the 2-D experiments, taken from options.ts as they are (or with another default / help). */
const SHARED: Array<[string, keyof TabularTrainConfig, string?, string?]> = [
  ['hidden', 'hidden', '32,16'], ['activation', 'activation'], ['optim', 'optim'], ['lr', 'lr'], ['momentum', 'momentum'],
  ['weight-decay', 'weightDecay'], ['amsgrad', 'amsgrad'], ['epochs', 'epochs'], ['batch-size', 'batchSize', '32'],
  ['eval-batch-size', 'evalBatchSize', undefined,
    'rows per forward pass when evaluating (both sets after each epoch, the final figures, the plot; the figures do not depend on it): lower it when a wide --hidden network runs out of memory evaluating 1024 rows'],
  ['init', 'init'], ['seed', 'seed'], ['out', 'out'], ['json', 'json'], ['quiet', 'quiet'], ['no-plots', 'plots'],
];

export const DATA_FLAGS: Record<string, DataFlag> = {
  data: { key: 'data', type: 'string', default: '', help: 'CSV file with a header row (required)' },
  target: { key: 'target', type: 'string', default: '', help: 'the column to predict (required)' },
  task: { key: 'task', type: 'string', default: 'auto', help: 'classification|regression|auto (auto: regression when the target is numeric)', parse: oneOf(['auto', 'classification', 'regression']) },
  features: { key: 'features', type: 'string', default: '', help: 'feature columns, comma-separated (default: every column but the target)', parse: (t) => (t.trim() === '' ? undefined : list(t)) },
  exclude: { key: 'exclude', type: 'string', default: '', help: 'columns to leave out, comma-separated (e.g. an id or a name)', parse: list },
  categorical: { key: 'categorical', type: 'string', default: '', help: 'numeric columns to one-hot encode, comma-separated', parse: list },
  impute: { key: 'impute', type: 'string', default: 'none', help: 'missing feature values: none (refuse)|mean|median|mostFrequent', parse: oneOf(['none', 'mean', 'median', 'mostFrequent']) },
  scale: { key: 'scale', type: 'string', default: 'standard', help: 'numeric feature scaling: standard|minmax|none', parse: oneOf(['standard', 'minmax', 'none']) },
  'unknown-category': { key: 'unknownCategory', type: 'string', default: 'error', help: 'a category not seen in the training rows: error|ignore (all-zero one-hot)', parse: oneOf(['error', 'ignore']) },
  'test-split': {
    key: 'testSplit', type: 'string', default: '0.2', help: 'fraction of rows held out for testing (seeded)',
    parse: (t, f) => {
      const v = parseDecimal(t);
      if (!(v > 0 && v < 1)) throw new UsageError(`--${f}: expected a fraction between 0 and 1, got '${t}'`);
      return v;
    },
  },
  loss: { key: 'loss', type: 'string', default: 'auto', help: 'auto (ce for classification, mse for regression)|ce|mse|mae|huber', parse: oneOf(['auto', 'ce', 'mse', 'mae', 'huber']) },
  ...Object.fromEntries(SHARED.map(([name, key, def, help]) => {
    const f = FLAGS[name]!;
    return [name, { key, type: f.type, default: def ?? f.default, help: help ?? f.help, parse: f.parse } satisfies DataFlag];
  })),
};

/** Parses `train --data …` arguments into a validated config. */
export function parseTabularArgs(args: string[]): TabularTrainConfig {
  const { values } = parseFlags(args, Object.fromEntries(Object.entries(DATA_FLAGS).map(([name, f]) => [name, { type: f.type }])),
    `allowed flags with --data: ${Object.keys(DATA_FLAGS).map((f) => `--${f}`).join(' ')}`);
  const config = {} as Record<string, unknown>;
  for (const [name, flag] of Object.entries(DATA_FLAGS)) {
    const given = values[name];
    if (flag.type === 'boolean') config[flag.key] = name === 'no-plots' ? !given : Boolean(given ?? flag.default);
    else {
      const text = (given as string | undefined) ?? (flag.default as string);
      config[flag.key] = flag.parse ? flag.parse(text, name) : text;
    }
  }
  if (!config.data) throw new UsageError('--data FILE.csv is required');
  if (!config.target) throw new UsageError('--target COLUMN is required (the column to predict)');
  return config as unknown as TabularTrainConfig;
}

/** The help text of `wasmnn train --data`. */
export function tabularHelp(): string {
  const rows = Object.entries(DATA_FLAGS).map(([name, f]) => {
    const def = f.type === 'boolean' || f.default === '' ? '' : ` (default ${f.default})`;
    return `  --${name.padEnd(22)}${f.help}${def}`;
  });
  return ['usage: wasmnn train --data FILE.csv --target COLUMN [flags]', '',
    'Trains a network on a table: numeric columns scaled, text columns one-hot, the target as classes or values;',
    'saves model.safetensors (architecture + preprocessing), history.json and plots to --out.', '', ...rows].join('\n');
}
