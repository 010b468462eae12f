// The one place where the command's strings become classes: each table maps a flag value to a
// constructor. Everything else works with the objects.
import {
  Adagrad, Adam, AdamW, BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, ELU, GELU, HuberLoss, L1Loss, LeakyReLU,
  Linear, MSELoss, NLLLoss, RMSprop, ReLU, SGD, Sigmoid, Softplus, Tanh, disk, linear, moons, nn, spiral, xorEasy,
  type Dataset, type Generator, type Loss, type Module, type Optimizer, type Parameter, type Reduction,
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

/** Gain name of each activation for Xavier initialisation. */
export const GAIN_OF: Record<string, 'relu' | 'leaky_relu' | 'tanh' | 'sigmoid' | 'linear'> = {
  relu: 'relu', leaky_relu: 'leaky_relu', tanh: 'tanh', sigmoid: 'sigmoid', elu: 'relu', gelu: 'relu', softplus: 'relu',
};

/** Each loss, and the target form it trains on. */
export const LOSSES: Record<string, { make: (reduction: Reduction) => Loss; targets: 'labels' | 'values' }> = {
  mse: { make: (reduction) => new MSELoss({ reduction }), targets: 'values' },
  mae: { make: (reduction) => new L1Loss({ reduction }), targets: 'values' },
  huber: { make: (reduction) => new HuberLoss({ reduction }), targets: 'values' },
  bce: { make: (reduction) => new BCELoss({ reduction }), targets: 'values' },
  bce_logits: { make: (reduction) => new BCEWithLogitsLoss({ reduction }), targets: 'values' },
  ce: { make: (reduction) => new CrossEntropyLoss({ reduction }), targets: 'labels' },
  nll: { make: (reduction) => new NLLLoss({ reduction }), targets: 'labels' },
};

/** Hyper-parameters the command passes to optimizers. */
export interface OptimizerSettings {
  lr: number;
  momentum: number;
  weightDecay: number;
  amsgrad: boolean;
}

export const OPTIMIZERS: Record<string, (params: Parameter[], s: OptimizerSettings) => Optimizer> = {
  sgd: (p, s) => new SGD(p, { lr: s.lr, momentum: s.momentum, weightDecay: s.weightDecay }),
  adam: (p, s) => new Adam(p, { lr: s.lr, weightDecay: s.weightDecay, amsgrad: s.amsgrad }),
  adamw: (p, s) => new AdamW(p, { lr: s.lr, weightDecay: s.weightDecay, amsgrad: s.amsgrad }),
  adagrad: (p, s) => new Adagrad(p, { lr: s.lr, weightDecay: s.weightDecay }),
  rmsprop: (p, s) => new RMSprop(p, { lr: s.lr, momentum: s.momentum, weightDecay: s.weightDecay }),
};

/** Weight initialisations of a Linear layer followed by `activation` (biases start at 0, except 'default'). */
export const INITS: Record<string, (layer: Linear, activation: string, generator: Generator) => void> = {
  he: (l, a, g) => { nn.init.kaimingNormal(l.weight, { nonlinearity: a === 'leaky_relu' ? 'leaky_relu' : 'relu', a: a === 'leaky_relu' ? 0.01 : 0, generator: g }); zeroBias(l); },
  xavier: (l, a, g) => { nn.init.xavierNormal(l.weight, { gain: nn.init.calculateGain(GAIN_OF[a] ?? 'linear'), generator: g }); zeroBias(l); },
  uniform: (l, _a, g) => { nn.init.uniform(l.weight, -0.1, 0.1, g); zeroBias(l); },
  normal: (l, _a, g) => { nn.init.normal(l.weight, 0, 0.1, g); zeroBias(l); },
  default: (l, _a, g) => l.resetParameters(g),
};

function zeroBias(layer: Linear): void {
  if (layer.bias) nn.init.zeros(layer.bias);
}

/** Data sets by name; xor ignores n (it has 21 fixed points). */
export const DATASETS: Record<string, (n: number, generator: Generator) => Dataset> = {
  disk: (n, g) => disk(n, g),
  linear: (n, g) => linear(n, g),
  xor: () => xorEasy(),
  spiral: (n, g) => spiral(n, 0.02, g),
  moons: (n, g) => moons(n, 0.05, g),
};

/** Output activations: 'auto' is sigmoid for bce and none otherwise. */
export const OUTPUT_ACTIVATIONS = ['auto', 'none', ...Object.keys(ACTIVATIONS)];
