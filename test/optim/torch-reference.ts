// torch.optim's documented algorithms (the pseudo-code in PyTorch's docs), transcribed in plain
// float64 over number arrays: an implementation independent of wasmnn's kernels and of
// src/backend/reference.ts, for the optimizer tests.

export interface RefOptimizer {
  step(theta: number[], grad: number[]): void;
}

export function torchSGD(h: { lr: number; momentum?: number; dampening?: number; weightDecay?: number; nesterov?: boolean; maximize?: boolean }): RefOptimizer {
  const { lr, momentum = 0, dampening = 0, weightDecay = 0, nesterov = false, maximize = false } = h;
  let b: number[] | null = null;
  return {
    step(theta, grad) {
      const g = grad.map((v, i) => (maximize ? -v : v) + weightDecay * theta[i]!);
      let d = g;
      if (momentum !== 0) {
        b = b === null ? [...g] : b.map((v, i) => momentum * v + (1 - dampening) * g[i]!);
        d = nesterov ? g.map((v, i) => v + momentum * b![i]!) : b;
      }
      theta.forEach((v, i) => { theta[i] = v - lr * d[i]!; });
    },
  };
}

export function torchAdam(h: { lr: number; betas?: [number, number]; eps?: number; weightDecay?: number; amsgrad?: boolean; maximize?: boolean; decoupled?: boolean }): RefOptimizer {
  const { lr, betas: [b1, b2] = [0.9, 0.999], eps = 1e-8, weightDecay = 0, amsgrad = false, maximize = false, decoupled = false } = h;
  let m: number[] = [], v: number[] = [], vmax: number[] = [], t = 0;
  return {
    step(theta, grad) {
      t++;
      if (t === 1) { m = grad.map(() => 0); v = grad.map(() => 0); vmax = grad.map(() => 0); }
      if (decoupled) theta.forEach((p, i) => { theta[i] = p - lr * weightDecay * p; });
      const g = grad.map((x, i) => (maximize ? -x : x) + (decoupled ? 0 : weightDecay * theta[i]!));
      m = m.map((x, i) => b1 * x + (1 - b1) * g[i]!);
      v = v.map((x, i) => b2 * x + (1 - b2) * g[i]! ** 2);
      if (amsgrad) vmax = vmax.map((x, i) => Math.max(x, v[i]!));
      theta.forEach((p, i) => {
        const mHat = m[i]! / (1 - b1 ** t);
        const vHat = (amsgrad ? vmax[i]! : v[i]!) / (1 - b2 ** t);
        theta[i] = p - (lr * mHat) / (Math.sqrt(vHat) + eps);
      });
    },
  };
}

export function torchAdagrad(h: { lr: number; lrDecay?: number; weightDecay?: number; initialAccumulatorValue?: number; eps?: number }): RefOptimizer {
  const { lr, lrDecay = 0, weightDecay = 0, initialAccumulatorValue = 0, eps = 1e-10 } = h;
  let sum: number[] | null = null, t = 0;
  return {
    step(theta, grad) {
      t++;
      sum ??= grad.map(() => initialAccumulatorValue);
      const clr = lr / (1 + (t - 1) * lrDecay);
      const g = grad.map((x, i) => x + weightDecay * theta[i]!);
      sum = sum.map((s, i) => s + g[i]! ** 2);
      theta.forEach((p, i) => { theta[i] = p - (clr * g[i]!) / (Math.sqrt(sum![i]!) + eps); });
    },
  };
}

export function torchRMSprop(h: { lr: number; alpha?: number; eps?: number; weightDecay?: number; momentum?: number; centered?: boolean }): RefOptimizer {
  const { lr, alpha = 0.99, eps = 1e-8, weightDecay = 0, momentum = 0, centered = false } = h;
  let v: number[] | null = null, gAvg: number[] = [], b: number[] = [];
  return {
    step(theta, grad) {
      const g = grad.map((x, i) => x + weightDecay * theta[i]!);
      if (v === null) { v = g.map(() => 0); gAvg = g.map(() => 0); b = g.map(() => 0); }
      v = v.map((x, i) => alpha * x + (1 - alpha) * g[i]! ** 2);
      let vTilde = v;
      if (centered) {
        gAvg = gAvg.map((x, i) => alpha * x + (1 - alpha) * g[i]!);
        vTilde = v.map((x, i) => x - gAvg[i]! ** 2);
      }
      theta.forEach((p, i) => {
        const step = g[i]! / (Math.sqrt(vTilde[i]!) + eps);
        if (momentum > 0) {
          b[i] = momentum * b[i]! + step;
          theta[i] = p - lr * b[i]!;
        } else {
          theta[i] = p - lr * step;
        }
      });
    },
  };
}
