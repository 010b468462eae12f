import { DataLoader } from '../data/dataloader.js';
import { trainTestSplit } from '../data/datasets.js';
import { NonFiniteLossError, ValueError } from '../errors.js';
import type { Loss } from '../losses/loss.js';
import type { Module } from '../nn/module.js';
import { clipGradNorm } from '../optim/clip-grad.js';
import type { Optimizer } from '../optim/optimizer.js';
import type { LRScheduler } from '../optim/schedulers.js';
import { ReduceLROnPlateau } from '../optim/schedulers.js';
import { Generator as RandomGenerator, defaultGenerator } from '../random.js';
import type { Tensor } from '../tensor.js';
import { checkBoolean, checkNumber, checkOptions, checkTensor } from '../validate.js';
import { EarlyStopping, type EarlyStoppingOptions } from './early-stopping.js';
import { defaultThreshold, evaluate } from './evaluate.js';
import { History, type EpochLog } from './history.js';
import { ClassComparer } from './metrics.js';

/** Progress of one batch, for onBatchEnd. */
export interface BatchLog {
  epoch: number;
  batch: number;
  batchesPerEpoch: number;
  loss: number;
}

/** Options of fit(). */
export interface FitOptions {
  loss: Loss;
  optimizer: Optimizer;
  /** Inputs [n, features]. */
  x: Tensor;
  /** Targets in the form the loss expects (labels [n], one-hot [n, k], values [n, 1] …). */
  y: Tensor;
  /** Default 10. */
  epochs?: number;
  /** Default 32. */
  batchSize?: number;
  /** Reshuffle every epoch. Default true. */
  shuffle?: boolean;
  /** Seed of the shuffling (default: drawn from the manualSeed() generator). */
  seed?: number;
  /** Validation data, or the fraction of (x, y) to hold out for it. */
  validation?: { x: Tensor; y: Tensor } | { split: number };
  /** Stop when a monitored figure stops improving or reaches a target. */
  earlyStopping?: EarlyStoppingOptions;
  /** Stepped once per epoch (ReduceLROnPlateau gets valLoss, or loss). */
  scheduler?: LRScheduler;
  /** Clip the gradients' joint L2 norm before each update. */
  clipGradNorm?: number;
  /** Decision threshold for single-output accuracy (default 0 for BCEWithLogitsLoss, else 0.5). */
  threshold?: number;
  /**
   * Report loss and accuracy of the whole training set after each epoch (one extra forward pass)
   * instead of the running figures measured on each batch before its update. Default false.
   */
  evaluateTrain?: boolean;
  callbacks?: {
    /** Called after every epoch; return false to stop training. */
    onEpochEnd?: (log: EpochLog) => void | boolean;
    onBatchEnd?: (log: BatchLog) => void;
  };
  /** Aborting stops training after the current batch (History.stopReason 'aborted'). */
  signal?: AbortSignal;
}

const FIT_OPTIONS = ['loss', 'optimizer', 'x', 'y', 'epochs', 'batchSize', 'shuffle', 'seed', 'validation',
  'earlyStopping', 'scheduler', 'clipGradNorm', 'threshold', 'evaluateTrain', 'callbacks', 'signal'];

/** The training loop, one epoch per iteration: fit() runs it to the end, fitAsync() yields between epochs. */
function* epochs(model: Module, options: FitOptions): Generator<EpochLog, History> {
  checkOptions('fit', options, FIT_OPTIONS);
  const { loss, optimizer, scheduler } = options;
  checkTensor('fit', 'x', options.x);
  checkTensor('fit', 'y', options.y);
  const epochs = checkNumber('fit', 'epochs', options.epochs ?? 10, { integer: true, min: 1 });
  const batchSize = checkNumber('fit', 'batchSize', options.batchSize ?? 32, { integer: true, min: 1 });
  const shuffle = checkBoolean('fit', 'shuffle', options.shuffle ?? true);
  const seed = options.seed ?? defaultGenerator.nextUint32();
  const maxNorm = options.clipGradNorm === undefined ? undefined : checkNumber('fit', 'clipGradNorm', options.clipGradNorm, { min: 0, minExclusive: true });
  const threshold = options.threshold ?? defaultThreshold(loss);
  const evaluateTrain = checkBoolean('fit', 'evaluateTrain', options.evaluateTrain ?? false);

  let x = options.x, y = options.y;
  let validation: { x: Tensor; y: Tensor } | undefined;
  const owned: Tensor[] = [];
  if (options.validation && 'split' in options.validation) {
    const split = checkNumber('fit', 'validation.split', options.validation.split, { min: 0, max: 1, minExclusive: true, maxExclusive: true });
    const parts = trainTestSplit(x, y, { testSize: split, generator: new RandomGenerator(seed + 1) });
    ({ x, y } = parts.train);
    validation = parts.test;
    owned.push(x, y, validation.x, validation.y);
  } else if (options.validation) {
    validation = { x: checkTensor('fit', 'validation.x', options.validation.x), y: checkTensor('fit', 'validation.y', options.validation.y) };
  }
  const stopper = options.earlyStopping ? new EarlyStopping(options.earlyStopping, validation !== undefined) : null;
  const loader = new DataLoader(x, y, { batchSize, shuffle, seed });
  const comparer = new ClassComparer();
  const history = new History();

  try {
    model.train();
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const start = performance.now();
      const lr = optimizer.lr;
      let lossSum = 0, correct = 0, seen = 0;
      for (const batch of loader) {
        if (options.signal?.aborted) {
          history.stopReason = 'aborted';
          return history;
        }
        optimizer.zeroGrad();
        const out = model.forward(batch.x);
        let value: number;
        try {
          value = loss.forward(out, batch.y);
        } catch (e) {
          if (e instanceof NonFiniteLossError) {
            throw new ValueError(`fit: training diverged at epoch ${epoch}, batch ${batch.index + 1}: ${e.message}`);
          }
          throw e;
        }
        correct += comparer.countCorrect(out, batch.y, threshold);
        model.backward(loss.backward());
        if (maxNorm !== undefined) clipGradNorm(optimizer.params, maxNorm);
        optimizer.step();
        lossSum += value * batch.size;
        seen += batch.size;
        options.callbacks?.onBatchEnd?.({ epoch, batch: batch.index + 1, batchesPerEpoch: loader.batchesPerEpoch, loss: value });
      }
      const log: EpochLog = { epoch, loss: lossSum / seen, accuracy: correct / seen, lr, seconds: 0 };
      if (evaluateTrain) {
        const t = evaluate(model, { x, y, loss, threshold });
        log.loss = t.loss;
        log.accuracy = t.accuracy;
      }
      if (validation) {
        const v = evaluate(model, { ...validation, loss, threshold });
        log.valLoss = v.loss;
        log.valAccuracy = v.accuracy;
      }
      log.seconds = (performance.now() - start) / 1000;
      history.epochs.push(log);
      yield log;
      if (scheduler) scheduler.step(scheduler instanceof ReduceLROnPlateau ? log.valLoss ?? log.loss : undefined);
      if (options.callbacks?.onEpochEnd?.(log) === false) {
        history.stopReason = 'callback';
        break;
      }
      const reason = stopper?.update(log);
      if (reason) {
        history.stopReason = reason;
        break;
      }
    }
    return history;
  } finally {
    loader.dispose();
    comparer.dispose();
    for (const t of owned) t.dispose();
  }
}

/**
 * Trains `model` for a number of epochs of shuffled mini-batches and returns the per-epoch loss
 * and accuracy (training and validation). A loss that becomes NaN or infinite stops training with
 * an error naming the epoch and batch.
 *
 * @example
 * const history = fit(model, { loss: new CrossEntropyLoss(), optimizer: new Adam(model.parameters()),
 *   x, y, epochs: 100, batchSize: 100, validation: { split: 0.2 } });
 */
export function fit(model: Module, options: FitOptions): History {
  const run = epochs(model, options);
  for (;;) {
    const next = run.next();
    if (next.done) return next.value;
  }
}

/**
 * fit() that returns to the event loop after every epoch (at most every `yieldMs`, default 16 ms),
 * so a page stays responsive and a Worker can receive messages — e.g. one that aborts `signal`.
 */
export async function fitAsync(model: Module, options: FitOptions & { yieldMs?: number }): Promise<History> {
  const { yieldMs = 16, ...rest } = options;
  const run = epochs(model, rest);
  let last = performance.now();
  for (;;) {
    const next = run.next();
    if (next.done) return next.value;
    if (performance.now() - last >= yieldMs) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      last = performance.now();
    }
  }
}
