import type { Kernels } from './kernels.js';

/** The kernels of class-weights.ts. */
type ClassWeightKernels = Pick<Kernels, 'classWeightSum' | 'crossEntropyWeighted' | 'nllWeighted' | 'crossEntropySoftWeighted'>;
import type { HeapViews } from './reference.js';

/** class-weights.ts in plain TypeScript (float64 arithmetic) over the same memory (the kernel tests' oracle). */
export function createClassWeightReference(heap: HeapViews): ClassWeightKernels {
  const at = (ptr: number): number => ptr >>> 2;
  const weights = (weight: number, hasWeight: number, cols: number): number[] =>
    Array.from({ length: cols }, (_, c) => (hasWeight ? heap.f32()[at(weight) + c]! : 1));
  /** log Σ e^x of row r, and its softmax. */
  const softmax = (logits: number, r: number, cols: number): { lse: number; p: number[]; x: number[] } => {
    const h = heap.f32(), x = Array.from(h.subarray(at(logits) + r * cols, at(logits) + (r + 1) * cols));
    let max = Math.max(...x);
    if (!Number.isFinite(max) && !Number.isNaN(max)) max = 0;
    const sum = x.reduce((s, v) => s + Math.exp(v - max), 0);
    return { lse: Math.log(sum) + max, p: x.map((v) => Math.exp(v - max) / sum), x };
  };
  return {
    classWeightSum(rows, cols, targets, weight, hasWeight, ignore) {
      const w = weights(weight, hasWeight, cols);
      let total = 0;
      for (let r = 0; r < rows; r++) {
        const t = heap.f32()[at(targets) + r]!;
        if (t === ignore) continue;
        if (!(t >= 0 && t < cols && Number.isInteger(t))) return NaN;
        total += w[t]!;
      }
      return total;
    },
    crossEntropyWeighted(rows, cols, logits, targets, weight, hasWeight, ignore, a, b, grad) {
      const w = weights(weight, hasWeight, cols), W = w.reduce((s, v) => s + v, 0);
      let total = 0;
      for (let r = 0; r < rows; r++) {
        const h = heap.f32(), t = h[at(targets) + r]!, g = at(grad) + r * cols;
        if (t === ignore) { h.fill(0, g, g + cols); continue; }
        const { lse, p, x } = softmax(logits, r, cols);
        total += a * w[t]! * (lse - x[t]!);
        for (let c = 0; c < cols; c++) {
          total += b * w[c]! * (lse - x[c]!);
          h[g + c] = a * w[t]! * (p[c]! - (c === t ? 1 : 0)) + b * (p[c]! * W - w[c]!);
        }
      }
      return total;
    },
    nllWeighted(rows, cols, input, targets, weight, hasWeight, ignore, scale, grad) {
      const w = weights(weight, hasWeight, cols), h = heap.f32();
      h.fill(0, at(grad), at(grad) + rows * cols);
      let total = 0;
      for (let r = 0; r < rows; r++) {
        const t = h[at(targets) + r]!;
        if (t === ignore) continue;
        total -= w[t]! * h[at(input) + r * cols + t]!;
        h[at(grad) + r * cols + t] = -scale * w[t]!;
      }
      return total * scale;
    },
    crossEntropySoftWeighted(rows, cols, logits, targets, weight, hasWeight, smoothing, scale, grad) {
      const w = weights(weight, hasWeight, cols);
      let total = 0;
      for (let r = 0; r < rows; r++) {
        const h = heap.f32(), { lse, p, x } = softmax(logits, r, cols);
        const wt = Array.from({ length: cols }, (_, c) => w[c]! * ((1 - smoothing) * h[at(targets) + r * cols + c]! + smoothing / cols));
        const mass = wt.reduce((s, v) => s + v, 0);
        for (let c = 0; c < cols; c++) {
          total += wt[c]! * (lse - x[c]!);
          h[at(grad) + r * cols + c] = scale * (p[c]! * mass - wt[c]!);
        }
      }
      return total * scale;
    },
  };
}
