// `wasmnn train --dataset mnist`: an image data set, a CNN from --model or --layers, trained
// with fit() like the 2-D rounds. Only the data and the model differ from experiment.ts.
import { Generator, LogSoftmax, evaluate, fit, type EpochLog } from '../index.js';
import type { RoundResult } from './experiment.js';
import { IMAGE_DATASETS, MODEL_PRESETS, SCHEDULERS } from './image-registry.js';
import { buildFromSpec } from './layer-spec.js';
import { UsageError, type TrainConfig } from './options.js';
import { LOSSES, OPTIMIZERS } from './registry.js';

/** Whether `--dataset` names an image data set. */
export function isImageDataset(name: string): boolean {
  return Object.hasOwn(IMAGE_DATASETS, name);
}

/** The layer spec of the config: --layers, else the --model preset (default lenet-bn). */
export function layerSpec(config: TrainConfig): string {
  if (config.layers) return config.layers;
  const preset = MODEL_PRESETS[config.model || 'lenet-bn'];
  if (!preset) throw new UsageError(`--model: '${config.model}' is not a preset; choose one of ${Object.keys(MODEL_PRESETS).join(', ')}`);
  return preset;
}

/** Builds the model of the config for `dataset`, checking that it ends in one score per class. */
export function buildImageModel(config: TrainConfig, generator: Generator): ReturnType<typeof buildFromSpec> {
  const data = IMAGE_DATASETS[config.dataset]!;
  const built = buildFromSpec(layerSpec(config), data.sampleShape, generator);
  const [classes, ...rest] = built.outputShape;
  if (rest.length || classes !== data.classes) {
    throw new UsageError(`--layers: the model ends with samples of shape [${built.outputShape.join(', ')}]; ${config.dataset} needs [${data.classes}] (one score per class)`);
  }
  if (LOSSES[config.loss]!.targets !== 'labels') throw new UsageError(`--dataset ${config.dataset} trains on class labels: use --loss ce or nll, not ${config.loss}`);
  if (config.loss === 'nll' && !(built.model.at(-1) instanceof LogSoftmax)) built.model.append(new LogSoftmax(1));
  return built;
}

/** Trains one round on an image data set with seed `seed`. */
export function runImageRound(config: TrainConfig, seed: number, onEpoch?: (log: EpochLog) => void): RoundResult {
  const generator = new Generator(seed);
  const { model } = buildImageModel(config, generator); // checks the spec before the data is read
  const { train, test } = IMAGE_DATASETS[config.dataset]!.load();
  const loss = LOSSES[config.loss]!.make(config.reduction);
  const optimizer = OPTIMIZERS[config.optim]!.make(model.parameters(), config);
  const scheduler = SCHEDULERS[config.scheduler]!(optimizer, config.epochs);
  let steps = 0;
  const start = performance.now();
  const history = fit(model, {
    loss, optimizer, task: 'classification', x: train.x, y: train.y, epochs: config.epochs, batchSize: config.batchSize, seed,
    evaluationBatchSize: config.evalBatchSize, validation: { x: test.x, y: test.y }, evaluateTrain: true, ...(scheduler ? { scheduler } : {}),
    ...(config.earlyStopAccuracy === undefined ? {} : { earlyStopping: { monitor: 'accuracy' as const, target: config.earlyStopAccuracy, patience: config.epochs } }),
    callbacks: { onEpochEnd: (log) => { onEpoch?.(log); }, onBatchEnd: () => { steps++; } },
  });
  const seconds = (performance.now() - start) / 1000;
  return {
    seed, history, seconds, stepsPerSecond: steps / seconds, model, data: { train, test }, threshold: 0.5, lossName: config.loss,
    train: evaluate(model, { x: train.x, y: train.y, loss, batchSize: config.evalBatchSize }),
    test: evaluate(model, { x: test.x, y: test.y, loss, batchSize: config.evalBatchSize }),
  };
}
