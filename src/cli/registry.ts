// The one place where the command's strings become classes: each table maps a flag value to a
// constructor (or a distribution). Everything else works with the objects.
import {
  Adagrad, Adam, AdamW, BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, ELU, GELU, HuberLoss, L1Loss, LeakyReLU,
  Linear, MSELoss, RMSprop, ReLU, SGD, Sigmoid, Softplus, Tanh, disk, linear, moons, nn, spiral, xorEasy,
  type Dataset, type Generator, type Loss, type Module, type Nonlinearity, type Optimizer, type Parameter, type Reduction, type Tensor,
} from '../index.js';

export const ACTIVATIONS: Record<string, () => Module> = {
  relu: () => new ReLU(),
  leaky_relu: () => new LeakyReLU(),
  tanh: () => new Tanh(),
  sigmoid: () => new Sigmoid(),
  elu: () => new ELU(),
  gelu: () => new GELU(),
  softplus: () => new Softplus(),
};

/** Gain name of each activation for Xavier initialisation ('none': a linear output). */
export const GAIN_OF: Record<string, Nonlinearity> = {
  relu: 'relu', leaky_relu: 'leaky_relu', tanh: 'tanh', sigmoid: 'sigmoid', elu: 'relu', gelu: 'relu', softplus: 'relu', none: 'linear',
};

/** Each loss, and the target form it trains on. */
export const LOSSES: Record<string, { make: (reduction: Reduction) => Loss; targets: 'labels' | 'values' }> = {
  mse: { make: (reduction) => new MSELoss({ reduction }), targets: 'values' },
  mae: { make: (reduction) => new L1Loss({ reduction }), targets: 'values' },
  huber: { make: (reduction) => new HuberLoss({ reduction }), targets: 'values' },
  bce: { make: (reduction) => new BCELoss({ reduction }), targets: 'values' },
  bce_logits: { make: (reduction) => new BCEWithLogitsLoss({ reduction }), targets: 'values' },
  ce: { make: (reduction) => new CrossEntropyLoss({ reduction }), targets: 'labels' },
};

/** Hyper-parameters the command passes to optimizers. */
export interface OptimizerSettings {
  lr: number;
  momentum: number;
  weightDecay: number;
  amsgrad: boolean;
}

/** Each optimizer and the optional flags that apply to it (any other optimizer flag is refused). */
export const OPTIMIZERS: Record<string, { make: (params: Parameter[], s: OptimizerSettings) => Optimizer; flags: readonly string[] }> = {
  sgd: { make: (p, s) => new SGD(p, { lr: s.lr, momentum: s.momentum, weightDecay: s.weightDecay }), flags: ['momentum', 'weight-decay'] },
  adam: { make: (p, s) => new Adam(p, { lr: s.lr, weightDecay: s.weightDecay, amsgrad: s.amsgrad }), flags: ['weight-decay', 'amsgrad'] },
  adamw: { make: (p, s) => new AdamW(p, { lr: s.lr, weightDecay: s.weightDecay, amsgrad: s.amsgrad }), flags: ['weight-decay', 'amsgrad'] },
  adagrad: { make: (p, s) => new Adagrad(p, { lr: s.lr, weightDecay: s.weightDecay }), flags: ['weight-decay'] },
  rmsprop: { make: (p, s) => new RMSprop(p, { lr: s.lr, momentum: s.momentum, weightDecay: s.weightDecay }), flags: ['momentum', 'weight-decay'] },
};

/** A zero-mean distribution to draw initial values from: N(0, std²) or U(-bound, bound). */
export type Distribution = { kind: 'normal'; std: number } | { kind: 'uniform'; bound: number };

/** What an initialisation scheme may depend on. */
export interface InitContext {
  fanIn: number;
  fanOut: number;
  /** The activation after this layer ('none' for a linear output). */
  activation: string;
  /** --init-std and --init-bound. */
  std: number;
  bound: number;
}

/** An initialisation scheme: the weights' distribution, and the bias rule it comes with. */
export interface InitScheme {
  help: string;
  weight: (c: InitContext) => Distribution;
  /** 'same': the biases are drawn from the weights' distribution; 'zeros': they start at 0. */
  bias: 'same' | 'zeros';
  /** The flag giving its scale, if any (refused with other schemes). */
  uses?: 'init-std' | 'init-bound';
}

/** He (Kaiming) gain: √2 for rectifiers, √(2/(1+0.01²)) after LeakyReLU. */
const heGain = (activation: string): number => nn.init.calculateGain(activation === 'leaky_relu' ? 'leaky_relu' : 'relu', 0.01);
const xavierGain = (activation: string): number => nn.init.calculateGain(GAIN_OF[activation] ?? 'linear');

/** Initialisations by name. */
export const INITS: Record<string, InitScheme> = {
  'he-normal': { help: 'N(0, gain²/fan_in), gain √2 (leaky_relu: √(2/1.0001))', weight: (c) => ({ kind: 'normal', std: heGain(c.activation) / Math.sqrt(c.fanIn) }), bias: 'zeros' },
  'he-uniform': { help: 'U(±gain·√(3/fan_in))', weight: (c) => ({ kind: 'uniform', bound: heGain(c.activation) * Math.sqrt(3 / c.fanIn) }), bias: 'zeros' },
  'xavier-normal': { help: 'N(0, gain²·2/(fan_in+fan_out)), gain of the activation', weight: (c) => ({ kind: 'normal', std: xavierGain(c.activation) * Math.sqrt(2 / (c.fanIn + c.fanOut)) }), bias: 'zeros' },
  'xavier-uniform': { help: 'U(±gain·√(6/(fan_in+fan_out)))', weight: (c) => ({ kind: 'uniform', bound: xavierGain(c.activation) * Math.sqrt(6 / (c.fanIn + c.fanOut)) }), bias: 'zeros' },
  normal: { help: 'N(0, s²) with s = --init-std', weight: (c) => ({ kind: 'normal', std: c.std }), bias: 'zeros', uses: 'init-std' },
  uniform: { help: 'U(±b) with b = --init-bound', weight: (c) => ({ kind: 'uniform', bound: c.bound }), bias: 'zeros', uses: 'init-bound' },
  report001: {
    help: "report 001's Listing 2.1: a = √(6/(fan_in+fan_out)), N(0, 2/((1+a²)·fan_in)) for weights and biases",
    weight: (c) => ({ kind: 'normal', std: Math.sqrt(2 / ((1 + 6 / (c.fanIn + c.fanOut)) * c.fanIn)) }), bias: 'same',
  },
  default: { help: "PyTorch's Linear: U(±1/√fan_in) for weights and biases", weight: (c) => ({ kind: 'uniform', bound: 1 / Math.sqrt(c.fanIn) }), bias: 'same' },
};

/** Bias initialisations: 'auto' is the weight scheme's own rule; a scheme name draws from that scheme's distribution. */
export const BIAS_INITS = ['auto', 'zeros', 'same', ...Object.keys(INITS)];

/** Fills `t` from `d`. */
export function draw(t: Tensor, d: Distribution, generator: Generator): void {
  if (d.kind === 'normal') nn.init.normal(t, 0, d.std, generator);
  else nn.init.uniform(t, -d.bound, d.bound, generator);
}

/** Initialises one Linear layer followed by `activation`: weights from `init`, biases by `biasInit`. */
export function initLayer(layer: Linear, settings: { init: string; biasInit: string; initStd: number; initBound: number }, activation: string, generator: Generator): void {
  const { fanIn, fanOut } = nn.init.computeFans(layer.weight);
  const context: InitContext = { fanIn, fanOut, activation, std: settings.initStd, bound: settings.initBound };
  const scheme = INITS[settings.init]!;
  const weights = scheme.weight(context);
  draw(layer.weight, weights, generator);
  if (!layer.bias) return;
  const rule = settings.biasInit === 'auto' ? scheme.bias : settings.biasInit;
  if (rule === 'zeros') nn.init.zeros(layer.bias);
  else draw(layer.bias, rule === 'same' ? weights : INITS[rule]!.weight(context), generator);
}

/** Data sets by name; `fixed` ones ignore n (xor has 21 fixed points and is its own test set). */
export const DATASETS: Record<string, { make: (n: number, generator: Generator) => Dataset; fixed?: boolean }> = {
  disk: { make: (n, g) => disk(n, g) },
  linear: { make: (n, g) => linear(n, g) },
  xor: { make: () => xorEasy(), fixed: true },
  spiral: { make: (n, g) => spiral(n, 0.02, g) },
  moons: { make: (n, g) => moons(n, 0.05, g) },
};

/** Output activations: 'auto' is sigmoid for bce and none otherwise. */
export const OUTPUT_ACTIVATIONS = ['auto', 'none', ...Object.keys(ACTIVATIONS)];
