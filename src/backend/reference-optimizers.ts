import type { Kernels } from './kernels.js';
import type { HeapViews } from './reference.js';

/**
 * optimizers.ts in plain TypeScript: torch.optim's update rules, one element at a time in float64
 * arithmetic over the same float32 blocks (the WASM kernels compute in float32; the tests compare
 * with a tolerance).
 */
/** x, or a zero of its sign when it rounds to a float32 subnormal (|x| < 2^-126 but not 0). */
function flushSubnormal(x: number): number {
  return x !== 0 && Math.abs(Math.fround(x)) < 2 ** -126 ? (x < 0 ? -0 : 0) : x;
}

/**
 * The gradient as the kernels' effectiveGrad forms it: negated for maximize, plus weightDecay·θ
 * only when weightDecay ≠ 0 (adding 0·θ would turn a gradient of −0 into +0, and the signs of
 * the zeros the two backends store would differ).
 */
function effectiveGrad(grad: number, p: number, weightDecay: number, maximize: number): number {
  const g = maximize ? -grad : grad;
  return weightDecay !== 0 ? g + weightDecay * p : g;
}

export function optimizerKernels(heap: HeapViews): Pick<Kernels, 'sgdStep' | 'adamStep' | 'adagradStep' | 'rmspropStep'> {
  const f = (): Float32Array => heap.f32();
  const at = (ptr: number): number => ptr >>> 2;
  return {
    sgdStep(n, param, grad, buf, lr, momentum, dampening, weightDecay, nesterov, maximize, firstStep) {
      const h = f();
      for (let i = 0; i < n; i++) {
        const p = h[at(param) + i]!;
        let g = effectiveGrad(h[at(grad) + i]!, p, weightDecay, maximize);
        if (momentum !== 0) {
          const b = firstStep ? g : momentum * h[at(buf) + i]! + (1 - dampening) * g;
          h[at(buf) + i] = b;
          g = nesterov ? g + momentum * b : b;
        }
        h[at(param) + i] = p - lr * g;
      }
    },
    adamStep(n, param, grad, expAvg, expAvgSq, maxExpAvgSq, lr, beta1, beta2, eps, weightDecay,
      decoupled, amsgrad, maximize, stepSize, bias2Sqrt) {
      const h = f();
      for (let i = 0; i < n; i++) {
        let p = h[at(param) + i]!;
        if (decoupled) p *= 1 - lr * weightDecay;
        const g = effectiveGrad(h[at(grad) + i]!, p, decoupled ? 0 : weightDecay, maximize);
        // Moments that would be stored as float32 subnormals are stored as signed zeros, as the
        // kernel does (see flushSubnormal in optimizers.ts). m moves towards g as the kernel's
        // m + (g − m)(1 − β1) (torch's lerp_), which keeps the kernel's sign of a zero moment.
        const m0 = h[at(expAvg) + i]!;
        const m = flushSubnormal(m0 + (g - m0) * (1 - beta1));
        let v = flushSubnormal(beta2 * h[at(expAvgSq) + i]! + (1 - beta2) * g * g);
        h[at(expAvg) + i] = m;
        h[at(expAvgSq) + i] = v;
        if (amsgrad) {
          v = Math.max(h[at(maxExpAvgSq) + i]!, v);
          h[at(maxExpAvgSq) + i] = v;
        }
        // The definition divides by bias2Sqrt; the WASM kernel multiplies by its float32 inverse
        // (one division per element instead of two): an ulp apart at most. This reference is the
        // float64 mathematical statement, compared within a tolerance, not bit for bit.
        h[at(param) + i] = p - (stepSize * m) / (Math.sqrt(v) / bias2Sqrt + eps);
      }
    },
    adagradStep(n, param, grad, stateSum, clr, weightDecay, eps, maximize) {
      const h = f();
      for (let i = 0; i < n; i++) {
        const p = h[at(param) + i]!;
        const g = effectiveGrad(h[at(grad) + i]!, p, weightDecay, maximize);
        const s = h[at(stateSum) + i]! + g * g;
        h[at(stateSum) + i] = s;
        h[at(param) + i] = p - (clr * g) / (Math.sqrt(s) + eps);
      }
    },
    rmspropStep(n, param, grad, squareAvg, gradAvg, buf, lr, alpha, eps, weightDecay, momentum, centered, maximize) {
      const h = f();
      for (let i = 0; i < n; i++) {
        const p = h[at(param) + i]!;
        const g = effectiveGrad(h[at(grad) + i]!, p, weightDecay, maximize);
        const sq = alpha * h[at(squareAvg) + i]! + (1 - alpha) * g * g;
        h[at(squareAvg) + i] = sq;
        let avg: number;
        if (centered) {
          const ga0 = h[at(gradAvg) + i]!, ga = ga0 + (g - ga0) * (1 - alpha); // as the kernel
          h[at(gradAvg) + i] = ga;
          // The difference in float32, as the kernel: in float64 a ga² that float32 rounds to 0
          // came off a square average already stored as 0 (tiny gradients): √ of a negative, NaN.
          // An infinite square average stays so (torch's fused addcmul; see the kernel).
          const sq32 = Math.fround(sq);
          avg = Math.sqrt(sq32 === Infinity ? Infinity : Math.fround(sq32 - Math.fround(ga * ga))) + eps;
        } else {
          avg = Math.sqrt(sq) + eps;
        }
        if (momentum > 0) {
          const b = momentum * h[at(buf) + i]! + g / avg;
          h[at(buf) + i] = b;
          h[at(param) + i] = p - lr * b;
        } else {
          h[at(param) + i] = p - (lr * g) / avg;
        }
      }
    },
  };
}
