import type { Kernels } from './kernels.js';
import type { HeapViews } from './reference.js';

/** The kernels of class-index.ts. */
type ClassIndexKernels = Pick<Kernels, 'classIndexWeightSum' | 'crossEntropyIndices' | 'nllIndices'>;

/**
 * class-index.ts in plain TypeScript (float64 arithmetic, the textbook formulas: the smoothing
 * term as a sum over classes, the gradient element by element) over the same memory: the kernel
 * tests' oracle.
 */
export function createClassIndexReference(heap: HeapViews): ClassIndexKernels {
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
  const weightSum = (rows: number, cols: number, targets: number, w: number[], ignore: number): number => {
    let total = 0;
    for (let r = 0; r < rows; r++) {
      const t = heap.f32()[at(targets) + r]!;
      if (t === ignore) continue;
      if (!(t >= 0 && t < cols && t < 2 ** 23 && Number.isInteger(t))) return NaN;
      total += w[t]!;
    }
    return total;
  };
  /** The factor s (1/D for mean, else scale) after storing D at out; NaN for a bad target or 0/0. */
  const factor = (d: number, mean: number, scale: number, out: number): number => {
    if (out !== 0) heap.f32()[at(out)] = d;
    if (Number.isNaN(d)) return NaN;
    if (!mean) return scale;
    return d > 0 ? Math.fround(1 / d) : NaN;
  };
  return {
    classIndexWeightSum(rows, cols, targets, weight, hasWeight, ignore) {
      return weightSum(rows, cols, targets, weights(weight, hasWeight, cols), ignore);
    },
    crossEntropyIndices(rows, cols, logits, targets, weight, hasWeight, ignore, smoothing, mean, scale, grad, out) {
      const w = weights(weight, hasWeight, cols), W = w.reduce((s, v) => s + v, 0);
      const s = factor(weightSum(rows, cols, targets, w, ignore), mean, scale, out);
      if (Number.isNaN(s)) return NaN;
      const a = (1 - smoothing) * s, b = (smoothing * s) / cols;
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
    nllIndices(rows, cols, input, targets, weight, hasWeight, ignore, mean, scale, grad, out) {
      const w = weights(weight, hasWeight, cols);
      const s = factor(weightSum(rows, cols, targets, w, ignore), mean, scale, out);
      if (Number.isNaN(s)) return NaN;
      const h = heap.f32();
      h.fill(0, at(grad), at(grad) + rows * cols);
      let total = 0;
      for (let r = 0; r < rows; r++) {
        const t = h[at(targets) + r]!;
        if (t === ignore) continue;
        total -= s * w[t]! * h[at(input) + r * cols + t]!;
        h[at(grad) + r * cols + t] = -s * w[t]!;
      }
      return total;
    },
  };
}
