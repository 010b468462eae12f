import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import {
  Adagrad, Adam, AdamW, Linear, Optimizer, Parameter, RMSprop, SGD, Sequential, Tanh, Generator, ValueError, StateError,
} from '../../src/index.js';
import { expectClose } from '../helpers/heap.js';
import { torchAdagrad, torchAdam, torchRMSprop, torchSGD, type RefOptimizer } from './torch-reference.js';

const STEPS = 10;

/** A small model whose parameters the optimizers update (two layers: 4 tensors of odd sizes). */
function params(): Parameter[] {
  const g = new Generator(5);
  return new Sequential(new Linear(3, 5, { generator: g }), new Tanh(), new Linear(5, 2, { generator: g })).parameters();
}

/** A deterministic gradient for parameter k at step t, independent of the optimizer. */
function gradFor(k: number, size: number, t: number): number[] {
  return Array.from({ length: size }, (_, i) => Math.sin(0.37 * i + 1.3 * k + 0.71 * t) * (1 + 0.5 * Math.cos(t + i)));
}

/** Runs `STEPS` steps of a wasmnn optimizer and of a float64 reference on the same gradients. */
function compareWithReference(make: (ps: Parameter[]) => Optimizer, makeRef: () => RefOptimizer, tol: { rtol: number; atol: number }): void {
  const ps = params();
  const opt = make(ps);
  const thetas = ps.map((p) => Array.from(p.toFloat32Array()));
  const refs = ps.map(() => makeRef());
  for (let t = 1; t <= STEPS; t++) {
    opt.zeroGrad();
    ps.forEach((p, k) => {
      const g = gradFor(k, p.size, t);
      p.grad.set(g);
      refs[k]!.step(thetas[k]!, g);
    });
    opt.step();
    ps.forEach((p, k) => expectClose(p.toFloat32Array(), thetas[k]!, tol, `step ${t}, parameter ${k}`));
  }
}

// float32 state vs float64 reference over 10 steps: parameters are O(1), so agree to 2e-6
// absolute plus 1e-5 relative.
const TOL = { rtol: 1e-5, atol: 2e-6 };

describe('optimizers vs the torch.optim algorithms (float64 transcription of the docs)', () => {
  it.each([
    {},
    { momentum: 0.9 },
    { momentum: 0.9, dampening: 0.2, weightDecay: 0.01 },
    { momentum: 0.5, nesterov: true, weightDecay: 0.1 },
    { momentum: 0.9, maximize: true },
  ])('SGD %o', (h) => compareWithReference((ps) => new SGD(ps, { lr: 0.05, ...h }), () => torchSGD({ lr: 0.05, ...h }), TOL));

  it.each([
    {},
    { amsgrad: true },
    { weightDecay: 0.05, betas: [0.8, 0.99] as [number, number], eps: 1e-6 },
    { weightDecay: 0.05, amsgrad: true, maximize: true },
  ])('Adam %o', (h) => compareWithReference((ps) => new Adam(ps, { lr: 0.01, ...h }), () => torchAdam({ lr: 0.01, ...h }), TOL));

  it.each([{}, { weightDecay: 0.1, amsgrad: true }])('AdamW %o', (h) =>
    compareWithReference((ps) => new AdamW(ps, { lr: 0.01, ...h }), () => torchAdam({ lr: 0.01, weightDecay: 0.01, ...h, decoupled: true }), TOL));

  it.each([{}, { lrDecay: 0.1, weightDecay: 0.01, initialAccumulatorValue: 0.1 }])('Adagrad %o', (h) =>
    compareWithReference((ps) => new Adagrad(ps, { lr: 0.05, ...h }), () => torchAdagrad({ lr: 0.05, ...h }), TOL));

  it.each([{}, { momentum: 0.9 }, { centered: true }, { centered: true, momentum: 0.5, weightDecay: 0.01, alpha: 0.9 }])('RMSprop %o', (h) =>
    compareWithReference((ps) => new RMSprop(ps, { lr: 0.01, ...h }), () => torchRMSprop({ lr: 0.01, ...h }), TOL));
});

describe('optimizers vs TensorFlow.js (cpu backend)', () => {
  /** The same gradients through a tfjs optimizer, one variable per parameter. */
  async function compareWithTf(make: (ps: Parameter[]) => Optimizer, tfOpt: () => tf.Optimizer, tol: { rtol: number; atol: number }): Promise<void> {
    await tf.setBackend('cpu');
    const ps = params();
    const opt = make(ps);
    const vars = ps.map((p, k) => tf.variable(tf.tensor(Array.from(p.toFloat32Array())), true, `p${k}_${Math.random()}`));
    const tfo = tfOpt();
    for (let t = 1; t <= STEPS; t++) {
      ps.forEach((p, k) => p.grad.set(gradFor(k, p.size, t)));
      opt.step();
      const grads: Record<string, tf.Tensor> = {};
      vars.forEach((v, k) => { grads[v.name] = tf.tensor(gradFor(k, ps[k]!.size, t)); });
      tfo.applyGradients(grads);
      opt.zeroGrad();
    }
    ps.forEach((p, k) => expectClose(p.toFloat32Array(), vars[k]!.dataSync(), tol, `parameter ${k}`));
    tf.dispose(vars);
    tfo.dispose();
  }

  it('SGD', () => compareWithTf((ps) => new SGD(ps, { lr: 0.05 }), () => tf.train.sgd(0.05), TOL));
  it('SGD with momentum', () => compareWithTf((ps) => new SGD(ps, { lr: 0.05, momentum: 0.9 }), () => tf.train.momentum(0.05, 0.9), TOL));
  it('SGD with Nesterov momentum', () => compareWithTf((ps) => new SGD(ps, { lr: 0.05, momentum: 0.9, nesterov: true }), () => tf.train.momentum(0.05, 0.9, true), TOL));
  it('Adam', () => compareWithTf((ps) => new Adam(ps, { lr: 0.01, eps: 1e-7 }), () => tf.train.adam(0.01, 0.9, 0.999, 1e-7), TOL));
  // tfjs puts eps inside the square root (√(s + 1e-7)); with s ≥ 0.1 that changes results by < 1e-6.
  it('Adagrad', () => compareWithTf((ps) => new Adagrad(ps, { lr: 0.05, initialAccumulatorValue: 0.1 }), () => tf.train.adagrad(0.05, 0.1), TOL));
  // tfjs: mom = μ·mom + lr·g/√(v + eps), θ -= mom — torch's form with constant lr, eps inside the root.
  it('RMSprop with momentum', () => compareWithTf((ps) => new RMSprop(ps, { lr: 0.01, alpha: 0.9, momentum: 0.5, eps: 1e-10 }), () => tf.train.rmsprop(0.01, 0.9, 0.5, 1e-10), TOL));
  it('RMSprop centered', () => compareWithTf((ps) => new RMSprop(ps, { lr: 0.01, alpha: 0.9, centered: true, eps: 1e-10 }), () => tf.train.rmsprop(0.01, 0.9, 0, 1e-10, true), TOL));
});

describe('optimizer bookkeeping', () => {
  it('validates every hyper-parameter with a message that names it', () => {
    const ps = params();
    expect(() => new SGD(ps, { lr: -1 })).toThrow(/lr must be ≥ 0, got -1/);
    expect(() => new SGD(ps, { lr: NaN })).toThrow(/lr must be a finite number/);
    expect(() => new SGD(ps, { nesterov: true })).toThrow(/nesterov momentum requires momentum > 0/);
    expect(() => new Adam(ps, { betas: [1, 0.999] })).toThrow(/betas\[0\] must be < 1, got 1/);
    expect(() => new Adam(ps, { betas: [0.9, -0.1] })).toThrow(/betas\[1\] must be ≥ 0/);
    expect(() => new Adam(ps, { betas: [0.9] as never })).toThrow(/betas must be a pair/);
    expect(() => new Adam(ps, { eps: -1e-8 })).toThrow(ValueError);
    expect(() => new Adam(ps, { weight_decay: 0.1 } as never)).toThrow(/unknown option 'weight_decay'; torch's weight_decay is spelt 'weightDecay' here \(allowed: lr, betas/);
    expect(() => new Adam(ps, { weightdecay: 0.1 } as never)).toThrow(/unknown option 'weightdecay'; allowed: lr, betas/);
    expect(() => new RMSprop(ps, { centered: 1 as never })).toThrow(/centered must be true or false/);
    expect(() => new Adam([])).toThrow(/non-empty array of parameters/);
    expect(() => new Adam([1, 2] as never)).toThrow(/params\[0\] is not a Parameter/);
    const opt = new Adam(ps);
    expect(() => { opt.lr = -0.1; }).toThrow(/lr must be ≥ 0/);
    opt.lr = 0.5;
    expect(opt.lr).toBe(0.5);
  });

  it('puts all parameters in one contiguous block and keeps their values', () => {
    const ps = params();
    const before = ps.map((p) => Array.from(p.toFloat32Array()));
    new SGD(ps, { lr: 0.1 });
    ps.forEach((p, k) => expect(Array.from(p.toFloat32Array())).toEqual(before[k]));
    expect(new Set(ps.map((p) => p._storage)).size).toBe(1);
  });

  it('refuses to step after another optimizer took over some of its parameters', () => {
    const ps = params();
    const a = new SGD(ps, { lr: 0.1 });
    new Adam(ps.slice(0, 2));
    expect(() => a.step()).toThrow(StateError);
  });

  it('refuses to step once its model was disposed, saying so', () => {
    const model = new Sequential(new Linear(2, 2));
    const opt = new SGD(model.parameters(), { lr: 0.1 });
    model.dispose();
    expect(() => opt.step()).toThrow(/parameters have been disposed/);
  });

  it('stateDict / loadStateDict resume bit-identically', () => {
    const run = (steps: number, ps: Parameter[], opt: Optimizer, from = 1): void => {
      for (let t = from; t < from + steps; t++) {
        opt.zeroGrad();
        ps.forEach((p, k) => p.grad.set(gradFor(k, p.size, t)));
        opt.step();
      }
    };
    const a = params(), optA = new Adam(a, { lr: 0.01, amsgrad: true });
    run(6, a, optA);
    const b = params(), optB = new Adam(b, { lr: 0.01, amsgrad: true });
    run(3, b, optB);
    const saved = optB.stateDict();
    const weights = b.map((p) => p.toFloat32Array());
    const c = params();
    c.forEach((p, k) => p.set(weights[k]!));
    const optC = new Adam(c, { lr: 0.01, amsgrad: true });
    optC.loadStateDict(saved);
    expect(optC.steps).toBe(3);
    run(3, c, optC, 4);
    c.forEach((p, k) => expect(Array.from(p.toFloat32Array())).toEqual(Array.from(a[k]!.toFloat32Array())));
    expect(() => optC.loadStateDict({ ...saved, state: saved.state.slice(1) })).toThrow(/has 3 parameters, this optimizer has 4/);
    expect(() => optC.loadStateDict({ ...saved, state: saved.state.map((s) => ({ ...s, bogus: new Float32Array(1) })) })).toThrow(/unknown buffer 'bogus'/);
  });
});
