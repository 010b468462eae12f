// One `wasmnn train` round: data, model, loss and optimizer from the config, trained with fit().
import {
  Generator, Linear, Scale, Sequential, Tensor, evaluate, fitAsync, oneHot,
  type Dataset, type EarlyStoppingOptions, type EpochLog, type Evaluation, type History, type Loss,
} from '../index.js';
import { UsageError, type TrainConfig } from './options.js';
import { ACTIVATIONS, DATASETS, LOSSES, OPTIMIZERS, initLayer } from './registry.js';
import { SCHEDULERS } from './image-registry.js';

/** What one round produced. */
export interface RoundResult {
  seed: number;
  history: History;
  train: Evaluation;
  test: Evaluation;
  seconds: number;
  stepsPerSecond: number;
  model: Sequential;
  data: { train: Dataset; test: Dataset };
  /** The decision threshold used for single-output accuracy. */
  threshold: number;
  lossName: string;
}

/** Output units for the config (2 for cross-entropy and one-hot regression, 1 for BCE). */
export function outputUnits(config: TrainConfig): number {
  const auto = config.loss === 'bce' || config.loss === 'bce_logits' ? 1 : 2;
  const units = config.outputs === 'auto' ? auto : config.outputs;
  if (config.loss === 'ce' && units < 2) throw new UsageError('--loss ce needs --outputs 2 (one score per class)');
  if ((config.loss === 'bce' || config.loss === 'bce_logits') && units !== 1) throw new UsageError(`--loss ${config.loss} needs --outputs 1`);
  return units;
}

/** The output activation actually used: 'auto' is sigmoid for bce, none otherwise. */
export function outputActivation(config: TrainConfig): string {
  if (config.outputActivation !== 'auto') return config.outputActivation;
  return config.loss === 'bce' ? 'sigmoid' : 'none';
}

/**
 * 2 → hidden… → outputs, the activation after each hidden layer (preceded by Scale(k) when
 * --activation-scale k ≠ 1), initialised per config.
 */
export function buildModel(config: TrainConfig, generator: Generator): Sequential {
  const sizes = [2, ...config.hidden, outputUnits(config)];
  const model = new Sequential();
  for (let i = 0; i + 1 < sizes.length; i++) {
    const layer = new Linear(sizes[i]!, sizes[i + 1]!, { generator });
    initLayer(layer, config, i + 2 < sizes.length ? config.activation : outputActivation(config), generator);
    model.append(layer);
    if (i + 2 < sizes.length) {
      if (config.activationScale !== 1) model.append(new Scale(config.activationScale));
      model.append(ACTIVATIONS[config.activation]!());
    }
  }
  const out = outputActivation(config);
  if (out !== 'none') model.append(ACTIVATIONS[out]!());
  return model;
}

/** Targets in the form the loss trains on. */
function targetsFor(config: TrainConfig, labels: Tensor): Tensor {
  if (LOSSES[config.loss]!.targets === 'labels') return labels;
  // Copy the labels out first (toFloat32Array): Tensor.from allocates.
  return outputUnits(config) === 1 ? Tensor.from(labels.toFloat32Array(), [labels.size, 1]) : oneHot(labels, 2);
}

/** The early-stopping rule of the config: a target training accuracy or loss, checked every N epochs. */
export function stopping(config: TrainConfig): EarlyStoppingOptions | undefined {
  const every = config.checkEvery, patience = config.epochs;
  if (config.earlyStopAccuracy !== undefined) return { monitor: 'accuracy', target: config.earlyStopAccuracy, patience, every };
  if (config.earlyStopLoss !== undefined) return { monitor: 'loss', target: config.earlyStopLoss, patience, every };
  return undefined;
}

/**
 * Trains one round with seed `seed`; `onEpoch` sees every epoch's figures. Aborting `signal`
 * (Ctrl-C) stops after the current epoch; the result then holds the epochs finished so far.
 */
export async function runRound(config: TrainConfig, seed: number, onEpoch?: (log: EpochLog) => void, signal?: AbortSignal): Promise<RoundResult> {
  const generator = new Generator(seed);
  const data = DATASETS[config.dataset]!;
  const train = data.make(config.nTrain, generator);
  const test = data.fixed ? train : data.make(config.nTest, generator);
  const model = buildModel(config, generator);
  const loss: Loss = LOSSES[config.loss]!.make(config.reduction);
  const optimizer = OPTIMIZERS[config.optim]!.make(model.parameters(), config);
  const scheduler = SCHEDULERS[config.scheduler]!(optimizer, config.epochs);
  const yTrain = targetsFor(config, train.y), yTest = targetsFor(config, test.y);
  let steps = 0;
  const start = performance.now();
  // The built-in data sets are classes: MSE on a single 0/1 output is still scored as a classifier.
  const history = await fitAsync(model, {
    loss, optimizer, x: train.x, y: yTrain, epochs: config.epochs, batchSize: config.batchSize, seed, task: 'classification',
    evaluationBatchSize: config.evalBatchSize,
    ...(signal ? { signal } : {}),
    // xor's test set is its training set: no second evaluation of the same points
    ...(data.fixed ? {} : { validation: { x: test.x, y: yTest } }), evaluateTrain: !config.runningMetrics,
    ...(stopping(config) ? { earlyStopping: stopping(config) } : {}), ...(scheduler ? { scheduler } : {}),
    callbacks: { onEpochEnd: (log) => { onEpoch?.(log); }, onBatchEnd: () => { steps++; } },
  });
  const seconds = (performance.now() - start) / 1000;
  const threshold = loss.decisionThreshold;
  return {
    seed, history, seconds, stepsPerSecond: steps / seconds, model, data: { train, test }, threshold, lossName: config.loss,
    train: evaluate(model, { x: train.x, y: yTrain, loss, threshold, task: 'classification', batchSize: config.evalBatchSize }),
    test: evaluate(model, { x: test.x, y: yTest, loss, threshold, task: 'classification', batchSize: config.evalBatchSize }),
  };
}

/** Mean and sample standard deviation. */
export function meanStd(values: number[]): { mean: number; std: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.length > 1 ? values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1) : 0;
  return { mean, std: Math.sqrt(variance) };
}
