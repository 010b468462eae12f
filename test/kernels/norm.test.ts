// assembly/norm.ts against the float64 TypeScript reference: batch-norm statistics, forward and
// backward (training and eval), layer-norm rows and parameter gradients, at odd sizes.
import { afterEach, describe, it } from 'vitest';
import { Heap, expectClose, kernelSets, randomArray } from '../helpers/heap.js';

const heap = new Heap();
afterEach(() => heap.free());

// float32 data, float64-combined sums: a few ulp on O(1) results.
const TOL = { rtol: 2e-5, atol: 2e-6 };

describe('batch norm kernels', () => {
  it.each([[2, 1, 1], [1, 3, 5], [4, 3, 17], [64, 6, 784], [3, 5, 1], [5, 2, 4]])('N=%i C=%i L=%i', (N, C, L) => {
    const { wasm, reference } = kernelSets();
    const size = N * C * L;
    const xs = randomArray(size, N + C + L, -2, 3);
    const x = heap.f32(xs), dy = heap.f32(randomArray(size, 11));
    const gamma = heap.f32(randomArray(C, 12, 0.5, 1.5)), beta = heap.f32(randomArray(C, 13));
    const rm0 = randomArray(C, 14), rv0 = randomArray(C, 15, 0.5, 2);
    const M = N * L;
    const results = [wasm, reference].map((k) => {
      const mean = heap.zeros(C), inv = heap.zeros(C), rm = heap.f32(rm0), rv = heap.f32(rv0);
      const y = heap.zeros(size), dx = heap.zeros(size), dxEval = heap.zeros(size), dg = heap.f32(randomArray(C, 3)), db = heap.f32(randomArray(C, 4));
      const mid = C >> 1;
      for (const [c0, c1] of [[0, mid], [mid, C]] as const) {
        k.batchNormStats(c0, c1, N, C, L, x, 1e-5, mean, inv, rm, rv, 0.1, M > 1 ? M / (M - 1) : 1);
        k.batchNormForward(c0, c1, N, C, L, x, mean, inv, gamma, beta, y);
        k.batchNormBackward(c0, c1, N, C, L, x, dy, mean, inv, gamma, dx, dg, db, 1);
        k.batchNormBackward(c0, c1, N, C, L, x, dy, rm, rv, 0, dxEval, 0, 0, 0);
      }
      return [mean, inv, rm, rv, dg, db].map((p) => heap.read(p, C)).concat([y, dx, dxEval].map((p) => heap.read(p, size)));
    });
    const names = ['mean', 'invstd', 'running mean', 'running var', 'dgamma', 'dbeta', 'y', 'dx', 'dx (eval)'];
    names.forEach((name, i) => {
      // dx in training mode subtracts O(1) terms, float32 in the kernel, float64 in the reference.
      const tol = name === 'dx' || name === 'dgamma' || name === 'dbeta' ? { rtol: 1e-4, atol: 1e-6 } : TOL;
      expectClose(results[0]![i]!, results[1]![i]!, tol, name);
    });
  });
});

describe('layer norm kernels', () => {
  it.each([[1, 1], [3, 4], [5, 17], [7, 1023], [64, 84], [2, 3]])('R=%i D=%i, with and without affine parameters', (R, D) => {
    const { wasm, reference } = kernelSets();
    const x = heap.f32(randomArray(R * D, R * D, -2, 3)), dy = heap.f32(randomArray(R * D, 21));
    const gamma = heap.f32(randomArray(D, 22, 0.5, 1.5)), beta = heap.f32(randomArray(D, 23));
    for (const affine of [true, false]) {
      const results = [wasm, reference].map((k) => {
        const y = heap.zeros(R * D), dx = heap.zeros(R * D), mean = heap.zeros(R), inv = heap.zeros(R);
        const dg = heap.f32(randomArray(D, 1)), db = heap.f32(randomArray(D, 2));
        const g = affine ? gamma : 0, b = affine ? beta : 0;
        const mid = R >> 1;
        for (const [r0, r1] of [[0, mid], [mid, R]] as const) {
          k.layerNormForward(r0, r1, D, x, g, b, 1e-5, y, mean, inv);
          k.layerNormBackward(r0, r1, D, x, dy, g, mean, inv, dx);
        }
        k.layerNormParamGrad(0, D >> 1, R, D, x, dy, mean, inv, dg, db);
        k.layerNormParamGrad(D >> 1, D, R, D, x, dy, mean, inv, dg, db);
        return [heap.read(y, R * D), heap.read(dx, R * D), heap.read(mean, R), heap.read(inv, R), heap.read(dg, D), heap.read(db, D)];
      });
      ['y', 'dx', 'mean', 'invstd', 'dgamma', 'dbeta'].forEach((name, i) => {
        const tol = name === 'dx' || name.startsWith('d') ? { rtol: 1e-4, atol: 1e-6 } : TOL;
        expectClose(results[0]![i]!, results[1]![i]!, tol, `${name} (affine ${affine})`);
      });
    }
  });
});
