import type { NormKernels } from './kernels.js';
import type { HeapViews } from './reference.js';

/** norm.ts in plain TypeScript over the same memory, statistics in float64 (the kernel tests' oracle). */
export function createNormReference(heap: HeapViews): NormKernels {
  const at = (ptr: number): number => ptr >>> 2;
  /** Element indices of channel c of [N, C, L]. */
  const channel = (N: number, C: number, L: number, c: number): number[] => {
    const out: number[] = [];
    for (let n = 0; n < N; n++) for (let l = 0; l < L; l++) out.push((n * C + c) * L + l);
    return out;
  };
  const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / values.length;
  return {
    batchNormStats(c0, c1, N, C, L, x, eps, meanPtr, invstd, runningMean, runningVar, momentum, unbias) {
      const h = heap.f32();
      for (let c = c0; c < c1; c++) {
        const v = channel(N, C, L, c).map((i) => h[at(x) + i]!);
        const m = mean(v), variance = mean(v.map((a) => (a - m) ** 2));
        h[at(meanPtr) + c] = m;
        h[at(invstd) + c] = 1 / Math.sqrt(variance + eps);
        if (runningMean) {
          h[at(runningMean) + c] = (1 - momentum) * h[at(runningMean) + c]! + momentum * m;
          h[at(runningVar) + c] = (1 - momentum) * h[at(runningVar) + c]! + momentum * variance * unbias;
        }
      }
    },
    batchNormForward(c0, c1, N, C, L, x, meanPtr, invstd, gamma, beta, y) {
      const h = heap.f32();
      for (let c = c0; c < c1; c++) {
        const g = gamma ? h[at(gamma) + c]! : 1, b = beta ? h[at(beta) + c]! : 0;
        for (const i of channel(N, C, L, c)) h[at(y) + i] = (h[at(x) + i]! - h[at(meanPtr) + c]!) * h[at(invstd) + c]! * g + b;
      }
    },
    batchNormBackward(c0, c1, N, C, L, x, dy, meanPtr, invstd, gamma, dx, dgamma, dbeta, training) {
      const h = heap.f32(), M = N * L;
      for (let c = c0; c < c1; c++) {
        const idx = channel(N, C, L, c), is = h[at(invstd) + c]!, g = gamma ? h[at(gamma) + c]! : 1;
        const xhat = idx.map((i) => (h[at(x) + i]! - h[at(meanPtr) + c]!) * is);
        const d = idx.map((i) => h[at(dy) + i]!);
        const sdy = d.reduce((a, b) => a + b, 0), sdyx = d.reduce((a, b, k) => a + b * xhat[k]!, 0);
        if (dgamma) h[at(dgamma) + c] = h[at(dgamma) + c]! + sdyx;
        if (dbeta) h[at(dbeta) + c] = h[at(dbeta) + c]! + sdy;
        if (!dx) continue;
        idx.forEach((i, k) => {
          h[at(dx) + i] = training ? g * is * (d[k]! - sdy / M - (xhat[k]! * sdyx) / M) : g * is * d[k]!;
        });
      }
    },
    layerNormForward(r0, r1, D, x, gamma, beta, eps, y, meanPtr, invstd) {
      const h = heap.f32();
      for (let r = r0; r < r1; r++) {
        const v = Array.from(h.subarray(at(x) + r * D, at(x) + (r + 1) * D));
        const m = mean(v), is = 1 / Math.sqrt(mean(v.map((a) => (a - m) ** 2)) + eps);
        h[at(meanPtr) + r] = m;
        h[at(invstd) + r] = is;
        v.forEach((a, j) => { h[at(y) + r * D + j] = gamma ? (a - m) * is * h[at(gamma) + j]! + h[at(beta) + j]! : (a - m) * is; });
      }
    },
    layerNormBackward(r0, r1, D, x, dy, gamma, meanPtr, invstd, dx) {
      const h = heap.f32();
      for (let r = r0; r < r1; r++) {
        const m = h[at(meanPtr) + r]!, is = h[at(invstd) + r]!;
        const g: number[] = [], xh: number[] = [];
        for (let j = 0; j < D; j++) {
          g.push(h[at(dy) + r * D + j]! * (gamma ? h[at(gamma) + j]! : 1));
          xh.push((h[at(x) + r * D + j]! - m) * is);
        }
        const a = mean(g), b = mean(g.map((v, j) => v * xh[j]!));
        for (let j = 0; j < D; j++) h[at(dx) + r * D + j] = is * (g[j]! - a - xh[j]! * b);
      }
    },
    layerNormParamGrad(j0, j1, R, D, x, dy, meanPtr, invstd, dgamma, dbeta) {
      const h = heap.f32();
      for (let j = j0; j < j1; j++) {
        let sg = 0, sb = 0;
        for (let r = 0; r < R; r++) {
          const d = h[at(dy) + r * D + j]!;
          sg += d * (h[at(x) + r * D + j]! - h[at(meanPtr) + r]!) * h[at(invstd) + r]!;
          sb += d;
        }
        h[at(dgamma) + j] = h[at(dgamma) + j]! + sg;
        h[at(dbeta) + j] = h[at(dbeta) + j]! + sb;
      }
    },
  };
}
