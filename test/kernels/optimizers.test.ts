// Optimizer kernels (assembly/optimizers.ts) against the float64 reference over several steps,
// for every flag combination. Both sets start from the same state and are fed the same
// gradients; states are compared after each step.
import { afterEach, describe, expect, it } from 'vitest';
import type { Kernels } from '../../src/backend/kernels.js';
import { Heap, expectClose, kernelSets, randomArray } from '../helpers/heap.js';

const heap = new Heap();
afterEach(() => heap.free());

const N = 1023;
const STEPS = 5;
// Each step rounds to float32 where the reference keeps float64 until the store. After 5 steps
// the states agree to rtol 2e-5, plus an absolute 1e-6·max|buffer| (≈ 8 float32 ulp of the
// buffer's scale) for elements that pass near zero while their neighbours are O(1) or O(10).
const RTOL = 2e-5;

/** Runs `step(kernels, ptrs, t)` in both kernel sets on copies of the same buffers. */
function compare(buffers: number, step: (k: Kernels, p: number[], t: number) => void, label: string): void {
  const { wasm, reference } = kernelSets();
  const init = Array.from({ length: buffers }, (_, i) => (i === 1 ? new Float32Array(N) : randomArray(N, 40 + i, i === 0 ? -1 : 0, 1)));
  init[0] = randomArray(N, 1);
  const pw = init.map((a) => heap.f32(a)), pr = init.map((a) => heap.f32(a));
  for (let t = 1; t <= STEPS; t++) {
    const grad = randomArray(N, 100 + t, -1, 1);
    runtimeWrite(pw[1]!, grad);
    runtimeWrite(pr[1]!, grad);
    step(wasm, pw, t);
    step(reference, pr, t);
    for (let b = 0; b < buffers; b++) {
      const want = heap.read(pr[b]!, N);
      const scale = want.reduce((m, v) => Math.max(m, Math.abs(v)), 1);
      expectClose(heap.read(pw[b]!, N), want, { rtol: RTOL, atol: 1e-6 * scale }, `${label} step ${t} buffer ${b}`);
    }
  }
}

function runtimeWrite(ptr: number, values: Float32Array): void {
  const tmp = heap.f32(values);
  kernelSets().wasm.copy(values.length, tmp, ptr);
}

describe('sgdStep', () => {
  it.each([
    { momentum: 0, dampening: 0, wd: 0, nesterov: 0, maximize: 0 },
    { momentum: 0.9, dampening: 0, wd: 0, nesterov: 0, maximize: 0 },
    { momentum: 0.9, dampening: 0.1, wd: 0.01, nesterov: 0, maximize: 1 },
    { momentum: 0.8, dampening: 0, wd: 0.05, nesterov: 1, maximize: 0 },
  ])('%o', (h) => {
    // buffers: param, grad, momentum buffer
    compare(3, (k, p, t) => k.sgdStep(N, p[0]!, p[1]!, p[2]!, 0.1, h.momentum, h.dampening, h.wd, h.nesterov, h.maximize, +(t === 1)), 'sgd');
  });
});

describe('adamStep', () => {
  it.each([
    { wd: 0, decoupled: 0, amsgrad: 0, maximize: 0 },
    { wd: 0.01, decoupled: 0, amsgrad: 1, maximize: 0 },
    { wd: 0.01, decoupled: 1, amsgrad: 0, maximize: 1 },
    { wd: 0.1, decoupled: 1, amsgrad: 1, maximize: 0 },
  ])('%o', (h) => {
    const lr = 0.01, b1 = 0.9, b2 = 0.999;
    // buffers: param, grad, m, v, vmax (state starts at 0 like PyTorch's)
    compare(5, (k, p, t) => {
      if (t === 1) for (const b of [2, 3, 4]) k.fill(N, p[b]!, 0);
      k.adamStep(N, p[0]!, p[1]!, p[2]!, p[3]!, p[4]!, lr, b1, b2, 1e-8, h.wd, h.decoupled, h.amsgrad, h.maximize,
        lr / (1 - b1 ** t), Math.sqrt(1 - b2 ** t));
    }, 'adam');
  });
});

describe('adamStep whole vectors and tail', () => {
  // The kernel runs whole vectors in one loop and the last n % 4 elements in a partial pass: each
  // element must get the same bits either way (element-wise, no dependence on n or position), and
  // nothing past n may be written.
  it.each([1, 2, 3, 4, 5, 17, 25, 33, 1428])('n=%i: the same bits as one element at a time, nothing written past n', (n) => {
    const { wasm } = kernelSets();
    for (const h of [{ wd: 0, decoupled: 0, amsgrad: 0, maximize: 0 }, { wd: 0.1, decoupled: 1, amsgrad: 1, maximize: 1 },
      { wd: 0.01, decoupled: 0, amsgrad: 1, maximize: 0 }]) {
      const init = [randomArray(n + 4, 1), randomArray(n + 4, 2), randomArray(n + 4, 3), randomArray(n + 4, 4, 0, 1), randomArray(n + 4, 5, 0, 1)];
      const whole = init.map((a) => heap.f32(a)), single = init.map((a) => heap.f32(a));
      const step = (count: number, p: number[], at: number): void => wasm.adamStep(count, p[0]! + 4 * at, p[1]! + 4 * at,
        p[2]! + 4 * at, p[3]! + 4 * at, p[4]! + 4 * at, 0.01, 0.9, 0.999, 1e-8, h.wd, h.decoupled, h.amsgrad, h.maximize, 0.05, 0.3);
      step(n, whole, 0);
      for (let i = 0; i < n; i++) step(1, single, i);
      for (let b = 0; b < 5; b++) {
        const got = heap.read(whole[b]!, n + 4);
        expect(got).toEqual(heap.read(single[b]!, n + 4));
        expect(Array.from(got.slice(n))).toEqual(Array.from(init[b]!.slice(n)));
      }
    }
  });
});

describe('adagradStep', () => {
  it.each([{ wd: 0, maximize: 0 }, { wd: 0.1, maximize: 1 }])('%o', (h) => {
    compare(3, (k, p, t) => k.adagradStep(N, p[0]!, p[1]!, p[2]!, 0.05 / (1 + (t - 1) * 0.01), h.wd, 1e-10, h.maximize), 'adagrad');
  });
});

describe('rmspropStep', () => {
  it.each([
    { momentum: 0, centered: 0, wd: 0, maximize: 0 },
    { momentum: 0.9, centered: 0, wd: 0.01, maximize: 0 },
    { momentum: 0, centered: 1, wd: 0, maximize: 1 },
    { momentum: 0.5, centered: 1, wd: 0.1, maximize: 0 },
  ])('%o', (h) => {
    // buffers: param, grad, squareAvg, gradAvg, momentum buffer
    compare(5, (k, p, t) => {
      if (t === 1) for (const b of [2, 3, 4]) k.fill(N, p[b]!, 0);
      k.rmspropStep(N, p[0]!, p[1]!, p[2]!, p[3]!, p[4]!, 0.01, 0.99, 1e-8, h.wd, h.momentum, h.centered, h.maximize);
    }, 'rmsprop');
  });
});

describe('sgdStep, adagradStep, rmspropStep whole vectors and tail', () => {
  // Like adamStep's: whole vectors in one loop, the last n % 4 in a partial pass. Each element must
  // get the same bits as when it is stepped alone (count 1: the tail path), nothing past n may be
  // written, and the result must agree with the float64 reference (one step, the tolerance above).
  type Step = (k: Kernels, count: number, p: number[], at: number) => void;
  const off = (p: number[], b: number, at: number): number => p[b]! + 4 * at;
  const cases: [string, number, Step][] = [
    ['sgd plain', 3, (k, c, p, a) => k.sgdStep(c, off(p, 0, a), off(p, 1, a), 0, 0.1, 0, 0, 0, 0, 0, 0)],
    ['sgd momentum first step', 3, (k, c, p, a) => k.sgdStep(c, off(p, 0, a), off(p, 1, a), off(p, 2, a), 0.1, 0.9, 0.1, 0.01, 0, 1, 1)],
    ['sgd momentum', 3, (k, c, p, a) => k.sgdStep(c, off(p, 0, a), off(p, 1, a), off(p, 2, a), 0.1, 0.9, 0.1, 0.01, 0, 1, 0)],
    ['sgd nesterov', 3, (k, c, p, a) => k.sgdStep(c, off(p, 0, a), off(p, 1, a), off(p, 2, a), 0.1, 0.8, 0, 0.05, 1, 0, 0)],
    ['adagrad', 3, (k, c, p, a) => k.adagradStep(c, off(p, 0, a), off(p, 1, a), off(p, 2, a), 0.05, 0, 1e-10, 0)],
    ['adagrad wd maximize', 3, (k, c, p, a) => k.adagradStep(c, off(p, 0, a), off(p, 1, a), off(p, 2, a), 0.05, 0.1, 1e-10, 1)],
    ['rmsprop plain', 5, (k, c, p, a) => k.rmspropStep(c, off(p, 0, a), off(p, 1, a), off(p, 2, a), 0, 0, 0.01, 0.99, 1e-8, 0, 0, 0, 0)],
    ['rmsprop momentum wd', 5, (k, c, p, a) => k.rmspropStep(c, off(p, 0, a), off(p, 1, a), off(p, 2, a), 0, off(p, 4, a), 0.01, 0.99, 1e-8, 0.01, 0.9, 0, 0)],
    ['rmsprop centered maximize', 5, (k, c, p, a) => k.rmspropStep(c, off(p, 0, a), off(p, 1, a), off(p, 2, a), off(p, 3, a), 0, 0.01, 0.99, 1e-8, 0, 0, 1, 1)],
    ['rmsprop centered momentum', 5, (k, c, p, a) => k.rmspropStep(c, off(p, 0, a), off(p, 1, a), off(p, 2, a), off(p, 3, a), off(p, 4, a), 0.01, 0.99, 1e-8, 0.1, 0.5, 1, 0)],
  ];
  it.each([1, 2, 3, 4, 5, 17, 33, 1023])('n=%i: the same bits as one element at a time, nothing written past n, the reference', (n) => {
    const { wasm, reference } = kernelSets();
    for (const [label, buffers, step] of cases) {
      // param and grad in [-1, 1); squareAvg / stateSum in [0.5, 1) and gradAvg in [-0.5, 0.5) keep
      // the centered variance positive; momentum buffers in [-1, 1).
      const range = [[-1, 1], [-1, 1], [0.5, 1], [-0.5, 0.5], [-1, 1]] as const;
      const init = Array.from({ length: buffers }, (_, b) => randomArray(n + 4, 60 + b, range[b]![0], range[b]![1]));
      const whole = init.map((a) => heap.f32(a)), single = init.map((a) => heap.f32(a)), ref = init.map((a) => heap.f32(a));
      step(wasm, n, whole, 0);
      for (let i = 0; i < n; i++) step(wasm, 1, single, i);
      step(reference, n, ref, 0);
      for (let b = 0; b < buffers; b++) {
        const got = heap.read(whole[b]!, n + 4);
        expect(got, `${label} buffer ${b}`).toEqual(heap.read(single[b]!, n + 4));
        expect(Array.from(got.slice(n)), `${label} buffer ${b} past n`).toEqual(Array.from(init[b]!.slice(n)));
        const want = heap.read(ref[b]!, n);
        const scale = want.reduce((m, v) => Math.max(m, Math.abs(v)), 1);
        expectClose(got.slice(0, n), want, { rtol: RTOL, atol: 1e-6 * scale }, `${label} n=${n} buffer ${b}`);
      }
    }
  });
});

describe('adamStep subnormal moments', () => {
  // A parameter whose gradient stays 0 has moments that decay into float32's subnormal range and
  // stay there; adamStep stores them as zeros of the same sign (each operation on a subnormal takes
  // x86's slow path). Normal values, zeros, infinities and NaN are kept.
  it.each([0, 1])('amsgrad %i: subnormal m and v become signed zeros, the rest is the float32 update', (amsgrad) => {
    const { wasm } = kernelSets();
    const tiny = 2 ** -140, b1 = 0.9, b2 = 0.999, f = Math.fround;
    const m0 = [tiny, -tiny, 0, -0, 1e-30, -1e-30, NaN, 2 ** -125];
    const v0 = [tiny, 0, 2 ** -127, 0, 1e-30, 1e-30, 1e-6, 1];
    const n = m0.length;
    const p = heap.f32(new Float32Array(n).fill(1)), g = heap.zeros(n), m = heap.f32(m0), v = heap.f32(v0), vmax = heap.zeros(n);
    wasm.adamStep(n, p, g, m, v, vmax, 1e-3, b1, b2, 1e-8, 0, 0, amsgrad, 0, 1e-3, 1);
    const mm = heap.read(m, n), vv = heap.read(v, n);
    // m' = m + (1 - β1)(0 - m), v' = β2·v + ((1 - β2)·0)·0 in float32 (1 - β formed in float64 and
    // rounded once, as torch), then flushed when subnormal.
    const want = (x: number): number => (x !== 0 && Math.abs(x) < 2 ** -126 ? (x < 0 ? -0 : 0) : x);
    for (let i = 0; i < n; i++) {
      const mExact = f(m0[i]! + f(f(0 - m0[i]!) * f(1 - b1))), vExact = f(f(v0[i]! * f(b2)) + f(f(f(1 - b2) * 0) * 0));
      expect(Object.is(mm[i], want(mExact)) || (Number.isNaN(mExact) && Number.isNaN(mm[i]!))).toBe(true);
      expect(Object.is(vv[i], want(vExact))).toBe(true);
    }
    expect(Object.is(mm[1], -0)).toBe(true); // the sign survives
    expect(mm[4]).not.toBe(0);
    // The reference (the backend without SIMD) stores the same zeros.
    const { reference } = kernelSets();
    const rm = heap.f32(m0), rv = heap.f32(v0), rp = heap.f32(new Float32Array(n).fill(1));
    reference.adamStep(n, rp, g, rm, rv, heap.zeros(n), 1e-3, b1, b2, 1e-8, 0, 0, amsgrad, 0, 1e-3, 1);
    const rmm = heap.read(rm, n), rvv = heap.read(rv, n);
    // Flushed where the kernel flushed (bit for bit: ±0), the float32 update elsewhere (float64 arithmetic: close).
    for (let i = 0; i < n; i++) {
      for (const [r, k, name] of [[rmm, mm, 'm'], [rvv, vv, 'v']] as const) {
        if (k[i] === 0) expect(Object.is(r[i], k[i]), `reference ${name}[${i}]`).toBe(true);
        else if (Number.isNaN(k[i])) expect(r[i], `reference ${name}[${i}]`).toBeNaN();
        else expect(Math.abs(r[i]! - k[i]!), `reference ${name}[${i}]`).toBeLessThanOrEqual(1e-6 * Math.abs(k[i]!));
      }
    }
  });
});
