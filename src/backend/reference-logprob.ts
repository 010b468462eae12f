import type { Kernels } from './kernels.js';
import type { HeapViews } from './reference.js';

/** Log-softmax rows in plain TypeScript (float64 arithmetic) over the same memory. */
export function logProbKernels(heap: HeapViews): Pick<Kernels, 'logSoftmaxForward' | 'logSoftmaxBackward'> {
  const at = (ptr: number): number => ptr >>> 2;
  return {
    logSoftmaxForward(rows, cols, x, y) {
      const h = heap.f32();
      for (let r = 0; r < rows; r++) {
        const xo = at(x) + r * cols, yo = at(y) + r * cols;
        let max = -Infinity;
        for (let j = 0; j < cols; j++) max = Math.max(max, h[xo + j]!);
        if (max === -Infinity) max = 0; // a +Inf makes the row NaN (Inf - Inf), as torch and the kernel
        let sum = 0;
        for (let j = 0; j < cols; j++) sum += Math.exp(h[xo + j]! - max);
        const lse = Math.log(sum) + max;
        for (let j = 0; j < cols; j++) h[yo + j] = h[xo + j]! - lse;
      }
    },
    logSoftmaxBackward(rows, cols, y, dy, dx) {
      const h = heap.f32();
      for (let r = 0; r < rows; r++) {
        const o = r * cols;
        let sum = 0;
        for (let j = 0; j < cols; j++) sum += h[at(dy) + o + j]!;
        for (let j = 0; j < cols; j++) h[at(dx) + o + j] = h[at(dy) + o + j]! - Math.exp(h[at(y) + o + j]!) * sum;
      }
    },
  };
}
