// Round 7: a fit that fails before its first optimizer step — an OutOfMemoryError in the first
// training batch's forward, loss or backward (fit's trial evaluation runs in eval mode and does
// not allocate what training mode and backward need), or a divergence at the first batch — changes
// nothing: BatchNorm's running statistics, the gradients (zeroed for the step), the training
// flags, the global generator (fit drew its seed) and Dropout's generator are put back. Before,
// one batch's running statistics had moved and the gradients were zeroed.
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  Adam, BatchNorm1d, CrossEntropyLoss, Dropout, Generator, Linear, NonFiniteLossError, OutOfMemoryError, ReLU, Sequential, Tensor, defaultGenerator, fit, manualSeed,
} from '../../src/index.js';
import { failAllocationAt, grads, state } from '../helpers/trust.js';

afterEach(() => {
  vi.restoreAllMocks();
});

function world(rows: number) {
  manualSeed(4);
  const dropGen = new Generator(8);
  const model = new Sequential(new Linear(3, 16), new BatchNorm1d(16), new ReLU(), new Dropout(0.2, { generator: dropGen }), new Linear(16, 2));
  const optimizer = new Adam(model.parameters(), { lr: 0.01 });
  const g = new Generator(2);
  const x = Tensor.from(Array.from({ length: rows * 3 }, () => g.uniform(-1, 1)), [rows, 3]);
  const y = Tensor.from(Array.from({ length: rows }, (_, i) => i % 2));
  // Gradients of an earlier, un-stepped backward: a rejected fit must keep them.
  const loss = new CrossEntropyLoss();
  loss.forward(model.forward(Tensor.from([[0.1, 0.2, 0.3], [0.3, -0.1, 0.5]])), Tensor.from([0, 1]));
  model.backward(loss.backward());
  return { model, optimizer, x, y, dropGen };
}

describe('round 7: a fit refused at its first training step changes nothing', () => {
  it('an allocation refused at any point of the first step: statistics, gradients, flags and generators as they were', () => {
    let refusedBeforeStep = 0;
    for (let k = 1; k <= 60; k++) {
      const w = world(37);
      const before = { state: state(w.model), grads: grads(w.model), dropout: w.dropGen._state() };
      defaultGenerator.manualSeed(99);
      failAllocationAt(k);
      let err: unknown = null;
      try {
        fit(w.model, { loss: new CrossEntropyLoss(), optimizer: w.optimizer, x: w.x, y: w.y, epochs: 2, batchSize: 37, evaluationBatchSize: 8 });
      } catch (e) {
        err = e;
      }
      vi.restoreAllMocks();
      if (err === null) break; // past the last allocation of the run
      expect(err, `allocation ${k}`).toBeInstanceOf(OutOfMemoryError);
      if (w.optimizer.stateDict().step > 0) continue; // failed after a step: training had happened
      refusedBeforeStep++;
      expect(state(w.model), `allocation ${k}`).toEqual(before.state);
      expect(grads(w.model), `allocation ${k}`).toEqual(before.grads);
      expect(defaultGenerator.random(), `allocation ${k}`).toBe(new Generator(99).random());
      expect(w.dropGen._state(), `allocation ${k}`).toEqual(before.dropout);
    }
    expect(refusedBeforeStep).toBeGreaterThan(3);
  });

  it('a divergence at the first batch (NaN weights) changes nothing either', () => {
    const w = world(8);
    w.model.at(4).parameters()[1]!.fill(NaN); // the last bias: every logit NaN
    const before = { state: state(w.model), grads: grads(w.model) };
    defaultGenerator.manualSeed(99);
    expect(() => fit(w.model, { loss: new CrossEntropyLoss(), optimizer: w.optimizer, x: w.x, y: w.y, epochs: 1 })).toThrow(NonFiniteLossError);
    expect(state(w.model)).toEqual(before.state);
    expect(grads(w.model)).toEqual(before.grads);
    expect(defaultGenerator.random()).toBe(new Generator(99).random());
  });
});
