import { DataLoader } from '../data/dataloader.js';
import { trainTestSplit } from '../data/datasets.js';
import { NonFiniteLossError } from '../errors.js';
import { Dropout } from '../nn/dropout.js';
import type { Module } from '../nn/module.js';
import { clipGradNorm } from '../optim/clip-grad.js';
import { Generator as RandomGenerator, defaultGenerator } from '../random.js';
import type { Tensor } from '../tensor.js';
import { checkNumber } from '../validate.js';
import { SetLoss, runEvaluation, type EvaluationPlan, type Scorers } from './evaluate.js';
import { planFit, seedOf, type FitOptions, type FitPlan } from './fit-plan.js';
import { History, type EpochLog } from './history.js';
import { ClassComparer } from './metrics.js';
import { RegressionAccumulator } from './regression-metrics.js';

export type { BatchLog, FitOptions } from './fit-plan.js';

/** Writes an evaluation's task figures into an epoch log (prefix '' for training, 'val' for validation). */
function record(log: EpochLog, prefix: '' | 'val', e: ReturnType<typeof runEvaluation>): void {
  if (prefix === '') {
    log.loss = e.loss;
    if (e.task === 'classification') log.accuracy = e.accuracy!;
    else Object.assign(log, { mae: e.mae, rmse: e.rmse, r2: e.r2 });
  } else {
    log.valLoss = e.loss;
    if (e.task === 'classification') log.valAccuracy = e.accuracy!;
    else Object.assign(log, { valMae: e.mae, valRmse: e.rmse, valR2: e.r2 });
  }
}

/**
 * What a run changes before its first optimizer step, to put back if it fails before one (an
 * OutOfMemoryError in the first training batch's forward or backward, which the eval-mode trial
 * evaluation cannot foresee, or a divergence at the first batch): buffers (BatchNorm's running
 * statistics), training flags, the global generator (the run's seed) and Dropout's generators;
 * the gradients are copied once, before the first zeroGrad. A rejected fit then changes nothing.
 * Cost, once per call (not per batch), dropped after the first step: a copy of the buffers and of
 * the gradients — 3–6 ms for 2.1 M parameters, where one step of 256 rows takes 160 ms.
 */
class Rollback {
  private buffers: Array<[Tensor, Float32Array]>;
  private readonly flags: Array<[Module, boolean]> = [];
  private readonly generators: Array<[RandomGenerator, [number, number, number, number]]>;
  private grads: Array<[Tensor, Float32Array]> | null = null;
  private released = false;

  constructor(private readonly model: Module) {
    this.buffers = model.namedBuffers().map(([, t]) => [t, t.toFloat32Array()]);
    const generators = new Set<RandomGenerator>([defaultGenerator]);
    for (const m of model.modules()) {
      this.flags.push([m, m.training]);
      if (m instanceof Dropout && m._generator instanceof RandomGenerator) generators.add(m._generator);
    }
    this.generators = [...generators].map((g) => [g, g._state()]);
  }

  /** Copies the gradients (before the first zeroGrad; later calls do nothing). */
  keepGrads(): void {
    this.grads ??= this.model.parameters().map((p) => [p.grad, p.grad.toFloat32Array()]);
  }

  /** After an optimizer step: nothing will be restored, the copies are dropped (later calls do nothing). */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.buffers = [];
    this.grads = [];
  }

  /** Puts back what the run changed, unless it has taken a step. */
  restore(): void {
    if (this.released) return;
    for (const [t, values] of this.buffers) if (!t.isDisposed) t._view().set(values);
    for (const [t, values] of this.grads ?? []) if (!t.isDisposed) t._view().set(values);
    for (const [m, training] of this.flags) m.training = training;
    for (const [g, s] of this.generators) g._setState(s);
  }
}

/** The training loop, one epoch per iteration: fit() runs it to the end, fitAsync() yields between epochs. */
function* epochs(model: Module, plan: FitPlan): Generator<EpochLog, History> {
  const rollback = new Rollback(model);
  try {
    return yield* run(model, plan, rollback);
  } catch (e) {
    rollback.restore();
    throw e;
  }
}

function* run(model: Module, plan: FitPlan, rollback: Rollback): Generator<EpochLog, History> {
  const { loss, optimizer, scheduler, stopper, task, threshold, maxNorm } = plan;
  // Everything is checked: from here on the run may change state.
  const seed = seedOf(plan, defaultGenerator);
  let { x, y } = plan;
  let validation: { x: Tensor; y: Tensor } | undefined;
  const owned: Tensor[] = [];
  if (plan.validation && 'split' in plan.validation) {
    const parts = trainTestSplit(x, y, { testSize: plan.validation.split, generator: new RandomGenerator(seed + 1) });
    ({ x, y } = parts.train);
    validation = parts.test;
    owned.push(x, y, validation.x, validation.y);
  } else if (plan.validation) {
    validation = plan.validation;
  }
  const loader = new DataLoader(x, y, { batchSize: plan.batchSize, shuffle: plan.shuffle, seed });
  const scorers: Scorers = { comparer: new ClassComparer(), regression: new RegressionAccumulator() };
  const running = new RegressionAccumulator();
  const evalPlan = (data: { x: Tensor; y: Tensor }): EvaluationPlan => ({ ...data, loss, batchSize: plan.evaluationBatchSize, threshold, task });
  const history = new History(task);
  const ignored = task === 'classification' ? loss.ignoredTarget ?? null : null;
  stopper?.keep(model.parameters());

  try {
    // A model in eval() mode is put in training mode; one already training keeps each child's own
    // flag, so a layer frozen with layer.eval() (a BatchNorm fine-tuned around) stays frozen.
    if (!model.training) model.train();
    for (let epoch = 1; epoch <= plan.epochs; epoch++) {
      const start = performance.now();
      const lr = optimizer.lr;
      // The loss over the epoch as torch would compute it over all its rows (see SetLoss).
      const epochLoss = new SetLoss(loss);
      let correct = 0, seen = 0;
      for (const batch of loader) {
        if (plan.signal?.aborted) {
          history.stopReason = 'aborted';
          return history;
        }
        const out = model.forward(batch.x);
        let weight: number;
        try {
          weight = epochLoss.add(out, batch.y, batch.size); // 0: every label ignored or of weight 0 — scored below, no step
        } catch (e) {
          if (e instanceof NonFiniteLossError) {
            throw new NonFiniteLossError(`fit: training diverged at epoch ${epoch}, batch ${batch.index + 1}: ${e.message}`, e.value, e.source, e.index);
          }
          throw e;
        }
        // Accuracy and count keep every row not ignored, whatever its class weight (as evaluate).
        if (task === 'classification') {
          correct += scorers.comparer.countCorrect(out, batch.y, threshold, ignored);
          seen += scorers.comparer.lastKept;
        } else {
          if (seen === 0) running.reset(out.size / batch.size);
          running.add(out, batch.y);
          seen += batch.size;
        }
        if (weight === 0) continue; // no counted row (or 'sum' over none): nothing to learn, no step
        rollback.keepGrads();
        optimizer.zeroGrad(); // after the loss: a batch that takes no step leaves the gradients as they were
        // The input is data: its gradient is not needed (the first layer may skip it).
        if (typeof model.backwardParameters === 'function') model.backwardParameters(loss.backward());
        else model.backward(loss.backward());
        if (maxNorm !== undefined) clipGradNorm(optimizer.params, maxNorm);
        optimizer.step();
        rollback.release();
        plan.onBatchEnd?.({ epoch, batch: batch.index + 1, batchesPerEpoch: loader.batchesPerEpoch, loss: epochLoss.last });
      }
      // Nothing counted (every batch ignored): NaN, whatever the reduction (see evaluate).
      const log: EpochLog = { epoch, loss: epochLoss.value, lr, seconds: 0 };
      if (task === 'classification') log.accuracy = correct / seen;
      else Object.assign(log, running.figures());
      if (plan.evaluateTrain) record(log, '', runEvaluation(model, evalPlan({ x, y }), scorers));
      if (validation) record(log, 'val', runEvaluation(model, evalPlan(validation), scorers));
      log.seconds = (performance.now() - start) / 1000;
      history.epochs.push(log);
      yield log;
      if (scheduler) {
        const metric = log.valLoss ?? log.loss;
        // A NaN figure (no labelled row in the set) says nothing about a plateau: the scheduler waits.
        if (!scheduler.needsMetric) scheduler.step();
        else if (!Number.isNaN(metric)) scheduler.step(metric);
      }
      if (plan.onEpochEnd?.(log) === false) {
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
    // Whatever ended the run (also an abort), the model ends with the best epoch's weights.
    if (stopper) history.restoredEpoch = stopper.restore();
    loader.dispose();
    scorers.comparer.dispose();
    for (const t of owned) t.dispose();
  }
}

/**
 * Trains `model` for a number of epochs of shuffled mini-batches and returns the per-epoch loss
 * and the task's figures (accuracy for classification; MAE, RMSE, R² for regression), for
 * training and validation. Every argument, option and data set is checked before the first
 * change: a rejected call leaves the model, the optimizer and the random generators as they were.
 * A loss that becomes NaN or infinite stops training with a NonFiniteLossError naming the epoch
 * and batch. Class labels equal to the loss's ignoreIndex (CrossEntropyLoss / NLLLoss, default
 * -100, as torch's ignore_index) are accepted and left out of the loss and the accuracy; the
 * epoch's loss is torch's loss over all its rows (a 'mean' is Σ w[target]·loss / Σ w[target]). A
 * batch of only such rows adds nothing and takes no optimizer step (its forward pass runs, as in
 * torch, where the loss is then NaN); a set with no counted row at all — a `validation.split` part
 * that happens to hold only ignored rows — reports NaN loss and accuracy, which early stopping
 * counts as no improvement and a metric-driven scheduler skips. The evaluations after each epoch
 * (validation, and the training set with `evaluateTrain`) run in eval mode, `evaluationBatchSize`
 * rows per forward pass (default 1024); one such batch runs before the first update, so a size
 * whose activations do not fit memory fails before anything has trained. A run that fails before
 * its first optimizer step (memory for the first training batch's forward or backward, a
 * divergence at the first batch) puts back the running statistics, gradients, training flags and
 * generators it had changed.
 *
 * @example
 * const history = fit(model, { loss: new CrossEntropyLoss(), optimizer: new Adam(model.parameters()),
 *   x, y, epochs: 100, batchSize: 100, validation: { split: 0.2 } });
 */
export function fit(model: Module, options: FitOptions): History {
  const run = epochs(model, planFit(model, options));
  for (;;) {
    const next = run.next();
    if (next.done) return next.value;
  }
}

/**
 * fit() that returns to the event loop after every epoch (at most every `yieldMs`, default 16 ms),
 * so a page stays responsive and a Worker can receive messages — e.g. one that aborts `signal`.
 * Checks everything before it starts, like fit (the returned promise rejects).
 */
export async function fitAsync(model: Module, options: FitOptions & { yieldMs?: number }): Promise<History> {
  const { yieldMs = 16, ...rest } = options ?? ({} as FitOptions);
  checkNumber('fitAsync', 'yieldMs', yieldMs, { min: 0 });
  const run = epochs(model, planFit(model, rest as FitOptions));
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
