// Round 4: an OutOfMemoryError part-way through a Sequential backward (a later layer's workspace
// cannot grow after an earlier one — in backward order — accumulated its gradients) must leave
// every gradient as it was, and the chain must work afterwards.
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  BatchNorm1d, Conv2d, Dropout, Flatten, Generator, LayerNorm, Linear, MaxPool2d, Module, OutOfMemoryError, ReLU, Sequential, Tanh, Tensor,
} from '../../src/index.js';
import { seededData as data, grads, values, failAllocationAt } from '../helpers/trust.js';

afterEach(() => {
  vi.restoreAllMocks();
});

const dense = (): Sequential => new Sequential(
  new Linear(3, 5, { generator: new Generator(1) }), new Tanh(), new LayerNorm(5),
  new Linear(5, 4, { generator: new Generator(2) }), new BatchNorm1d(4), new Linear(4, 2, { generator: new Generator(3) }),
);
const conv = (): Sequential => new Sequential(
  new Conv2d(1, 2, 3, { generator: new Generator(4) }), new ReLU(), new MaxPool2d(2), new Flatten(), new Linear(8, 2, { generator: new Generator(5) }),
);

/** Runs a step with allocation `failAt` refused; returns the error or null when nothing was refused. */
function stepFailingAt(model: Module, x: Tensor, dy: Tensor, failAt: number, mode: 'backward' | 'backwardParameters'): unknown {
  model.forward(x);
  failAllocationAt(failAt);
  try {
    model[mode](dy);
    return null;
  } catch (e) {
    return e;
  } finally {
    vi.restoreAllMocks();
  }
}

describe('Sequential backward atomic under OutOfMemoryError', () => {
  for (const [name, make, xShape, dyShape] of [
    ['dense chain', dense, [6, 3], [6, 2]], ['conv chain', conv, [3, 1, 6, 6], [3, 2]],
  ] as const) {
    for (const mode of ['backward', 'backwardParameters'] as const) {
      it(`${name}, ${mode}: every refused allocation leaves the gradients as they were (first backward and a larger batch)`, () => {
        const x = data([...xShape], 11), dy = data([...dyShape], 12);
        const big = data([xShape[0] * 3, ...xShape.slice(1)], 13), bigDy = data([dyShape[0] * 3, ...dyShape.slice(1)], 14);
        let refused = 0;
        for (let failAt = 1; failAt <= 40; failAt++) {
          const model = make(), reference = make();
          // Non-zero gradients before the step, so "as it was" is not just "all zero".
          model.forward(x); model[mode](dy);
          reference.forward(x); reference[mode](dy);
          const before = { g: grads(model), p: values(model) };
          const error = stepFailingAt(model, big, bigDy, failAt, mode);
          if (error !== null) {
            refused++;
            expect(error, `allocation ${failAt}`).toBeInstanceOf(OutOfMemoryError);
            expect({ g: grads(model), p: values(model) }, `allocation ${failAt}: ${(error as Error).message}`).toEqual(before);
            // The chain works afterwards and gives the same gradients as one never refused.
            model.forward(big); model[mode](bigDy);
            reference.forward(big); reference[mode](bigDy);
            expect(grads(model)).toEqual(grads(reference));
          }
          model.dispose(); reference.dispose();
          if (error === null) break;
        }
        expect(refused, 'at least two allocations were refused (the probe reached a later layer)').toBeGreaterThan(1);
      });
    }
  }

  it('a backward after a nested layer changed mode, or a nested chain grew, is not taken for one run before', () => {
    // Dropout allocates its gradient on its first training backward: a chain that only ran it in
    // eval mode has not grown that workspace, whatever its own direct layers' flags say.
    const drop = new Dropout(0.5, { generator: new Generator(7) });
    const inner = new Sequential(drop);
    const model = new Sequential(new Linear(3, 4, { generator: new Generator(8) }), inner, new Linear(4, 2, { generator: new Generator(9) }));
    const x = data([5, 3], 21), dy = data([5, 2], 22);
    drop.eval();
    model.forward(x); model.backward(dy);
    const before = grads(model);
    drop.train();
    const error = stepFailingAt(model, x, dy, 1, 'backward');
    expect(error).toBeInstanceOf(OutOfMemoryError);
    expect(grads(model)).toEqual(before);
    // A layer appended to the nested chain: the outer chain's memo no longer applies either.
    const grow = new Sequential(new Linear(3, 4, { generator: new Generator(8) }), new Sequential(new Tanh()), new Linear(4, 2, { generator: new Generator(9) }));
    grow.forward(x); grow.backward(dy);
    (grow.at(1) as Sequential).append(new LayerNorm(4));
    const grown = grads(grow);
    const refused = stepFailingAt(grow, x, dy, 1, 'backward');
    expect(refused).toBeInstanceOf(OutOfMemoryError);
    expect(grads(grow)).toEqual(grown);
  });
});
