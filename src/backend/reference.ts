import type { Kernels } from './kernels.js';
import { dropoutKernels } from './reference-dropout.js';
import { logProbKernels } from './reference-logprob.js';
import { denseKernels } from './reference-dense.js';
import { createConvReference } from './reference-conv.js';
import { createConvImagesReference } from './reference-conv-images.js';
import { createConvDirectReference } from './reference-conv-direct.js';
import { createNormReference } from './reference-norm.js';
import { createPoolReference } from './reference-pool.js';
import { createClassIndexReference } from './reference-class-index.js';
import { optimizerKernels } from './reference-optimizers.js';

/** Live views of linear memory (re-made after growth by the allocator). */
export interface HeapViews {
  f32(): Float32Array;
  i32(): Int32Array;
}

/**
 * Every kernel again in plain TypeScript, with the WASM signatures, reading and writing the same
 * linear memory. It is the oracle of the kernel tests (straightforward loops, float64
 * arithmetic, Math.* functions) and the pure-JS baseline of bench/. Pointers are byte offsets.
 */
export function createReferenceKernels(heap: HeapViews): Kernels {
  const f = (): Float32Array => heap.f32();
  const at = (ptr: number): number => ptr >>> 2;
  const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

  /** Builds an elementwise activation pair from scalar formulas. */
  const unary = (fx: (x: number, p0: number, p1: number) => number) =>
    (n: number, x: number, y: number, p0: number, p1: number): void => {
      const h = f();
      for (let i = 0; i < n; i++) h[at(y) + i] = fx(h[at(x) + i]!, p0, p1);
    };
  const unaryGrad = (dfx: (x: number, y: number, p0: number, p1: number) => number) =>
    (n: number, x: number, y: number, dy: number, dx: number, p0: number, p1: number): void => {
      const h = f();
      for (let i = 0; i < n; i++) h[at(dx) + i] = h[at(dy) + i]! * dfx(h[at(x) + i]!, h[at(y) + i]!, p0, p1);
    };
  /** Builds an elementwise loss from (value, gradient) formulas. */
  const loss = (term: (p: number, t: number, p0: number) => number, grad: (p: number, t: number, p0: number) => number) =>
    (n: number, pred: number, target: number, g: number, scale: number, p0: number): number => {
      const h = f();
      let total = 0;
      for (let i = 0; i < n; i++) {
        const p = h[at(pred) + i]!, t = h[at(target) + i]!;
        total += term(p, t, p0);
        h[at(g) + i] = scale * grad(p, t, p0);
      }
      return total * scale;
    };
  const geluInner = (x: number): number => Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3);
  /** ½·(1 + erf(x/√2)) in float64 (onePlusErf below): GELU's Φ(x). */
  const halfOnePlusErf = (x: number): number => 0.5 * onePlusErf(x / Math.SQRT2);
  const softmaxRow = (h: Float32Array, cols: number, x: number, y: number): number => {
    let max = -Infinity;
    for (let j = 0; j < cols; j++) max = Math.max(max, h[at(x) + j]!);
    if (max === -Infinity) max = 0; // a +Inf makes the row NaN (Inf - Inf), as torch and the kernel
    let sum = 0;
    for (let j = 0; j < cols; j++) sum += Math.exp(h[at(x) + j]! - max);
    for (let j = 0; j < cols; j++) h[at(y) + j] = Math.exp(h[at(x) + j]! - max) / sum;
    return Math.log(sum) + max;
  };
  const sign = (d: number): number => (d > 0 ? 1 : d < 0 ? -1 : 0);
  // The kernels that have a range variant (for threads); the full kernel is the whole range.
  const gemmStridedRange: Kernels['gemmStridedRange'] = (m, n, k, a, ars, acs, b, brs, bcs, c, bias, accumulate, _pack, i0, i1, j0, j1) => {
    const h = f();
    for (let i = i0; i < i1; i++) {
      for (let j = j0; j < j1; j++) {
        let acc = accumulate ? h[at(c) + i * n + j]! : bias ? h[at(bias) + j]! : 0;
        for (let p = 0; p < k; p++) acc += h[at(a) + i * ars + p * acs]! * h[at(b) + p * brs + j * bcs]!;
        h[at(c) + i * n + j] = acc;
      }
    }
  };
  const gemmRange: Kernels['gemmRange'] = (m, n, k, a, ars, acs, b, c, bias, accumulate, pack, i0, i1, j0, j1) =>
    gemmStridedRange(m, n, k, a, ars, acs, b, n, 1, c, bias, accumulate, pack, i0, i1, j0, j1);
  const transposeRange: Kernels['transposeRange'] = (rows, cols, src, dst, begin, end) => {
    const h = f();
    for (let i = begin; i < end; i++) for (let j = 0; j < cols; j++) h[at(dst) + j * rows + i] = h[at(src) + i * cols + j]!;
  };
  const columnSumsRange: Kernels['columnSumsRange'] = (rows, cols, src, dst, accumulate, begin, end) => {
    const h = f();
    for (let j = begin; j < end; j++) {
      let acc = accumulate ? h[at(dst) + j]! : 0;
      for (let i = 0; i < rows; i++) acc += h[at(src) + i * cols + j]!;
      h[at(dst) + j] = acc;
    }
  };

  const conv = createConvReference(heap);
  return {
    ...conv,
    ...createConvImagesReference(heap, conv, gemmRange),
    ...createConvDirectReference(heap),
    ...createPoolReference(heap),
    ...createClassIndexReference(heap),
    ...createNormReference(heap),
    // The reference never packs: `pack` is ignored (declared so the arity matches the interface).
    gemm: (m, n, k, a, ars, acs, b, c, bias, accumulate, pack) =>
      gemmRange(m, n, k, a, ars, acs, b, c, bias, accumulate, pack, 0, m, 0, n),
    gemmRange,
    gemmPackSize: (_m, _n, _k) => 0,
    gemmStrided: (m, n, k, a, ars, acs, b, brs, bcs, c, bias, accumulate, pack) =>
      gemmStridedRange(m, n, k, a, ars, acs, b, brs, bcs, c, bias, accumulate, pack, 0, m, 0, n),
    gemmStridedRange,
    transpose: (rows, cols, src, dst) => transposeRange(rows, cols, src, dst, 0, rows),
    transposeRange,

    reluForward: unary((x) => (x < 0 ? 0 : x)),
    reluBackward: unaryGrad((x) => (x > 0 ? 1 : 0)),
    leakyReluForward: unary((x, s) => (x > 0 ? x : x * s)),
    leakyReluBackward: unaryGrad((x, _y, s) => (x > 0 ? 1 : s)),
    tanhForward: unary(Math.tanh),
    tanhBackward: unaryGrad((_x, y) => 1 - y * y),
    sigmoidForward: unary(sigmoid),
    sigmoidBackward: unaryGrad((_x, y) => y * (1 - y)),
    eluForward: unary((x, alpha) => (x > 0 ? x : alpha * Math.expm1(x))),
    eluBackward: unaryGrad((x, _y, alpha) => (x > 0 ? 1 : alpha * Math.exp(x))),
    // ½·x·(1 + tanh u) as the identical x·σ(2u), as the kernel: 1 + tanh u cancels to 0 in float64
    // too for x below ≈ −9, where the kernel keeps the tiny outputs (−1.2e-37 at x = −10).
    geluForward: unary((x) => x * sigmoid(2 * geluInner(x))),
    geluBackward: unaryGrad((x) => {
      const s = sigmoid(2 * geluInner(x));
      const du = Math.sqrt(2 / Math.PI) * (1 + 3 * 0.044715 * x * x);
      return s + 2 * x * s * (1 - s) * du; // ½(1 + t) = σ(2u), ½(1 − t²) = 2σ(2u)(1 − σ(2u))
    }),
    geluErfForward: unary((x) => x * halfOnePlusErf(x)),
    geluErfBackward: unaryGrad((x) => halfOnePlusErf(x) + (x * Math.exp(-0.5 * x * x)) / Math.sqrt(2 * Math.PI)),
    softplusForward: unary((x, beta, threshold) =>
      beta * x > threshold ? x : (Math.max(beta * x, 0) + Math.log1p(Math.exp(-Math.abs(beta * x)))) / beta),
    softplusBackward: unaryGrad((x, _y, beta, threshold) => (beta * x > threshold ? 1 : sigmoid(beta * x))),
    softmaxForward(rows, cols, x, y) {
      const h = f();
      for (let i = 0; i < rows; i++) softmaxRow(h, cols, x + 4 * i * cols, y + 4 * i * cols);
    },
    softmaxBackward(rows, cols, y, dy, dx) {
      const h = f();
      for (let i = 0; i < rows; i++) {
        const o = i * cols;
        let dot = 0;
        for (let j = 0; j < cols; j++) dot += h[at(dy) + o + j]! * h[at(y) + o + j]!;
        for (let j = 0; j < cols; j++) h[at(dx) + o + j] = h[at(y) + o + j]! * (h[at(dy) + o + j]! - dot);
      }
    },
    ...logProbKernels(heap), // mnist branch: log-softmax, NLL
    ...dropoutKernels(heap), // mnist branch: dropout masks
    ...denseKernels(heap), // a small Linear's fused forward / backward

    mseLoss: loss((p, t) => (p - t) ** 2, (p, t) => 2 * (p - t)),
    l1Loss: loss((p, t) => Math.abs(p - t), (p, t) => sign(p - t)),
    huberLoss: loss(
      (p, t, delta) => (Math.abs(p - t) < delta ? 0.5 * (p - t) ** 2 : delta * (Math.abs(p - t) - 0.5 * delta)),
      (p, t, delta) => Math.min(Math.max(p - t, -delta), delta),
    ),
    bceLoss: loss(
      (p, t) => -(t * Math.max(Math.log(p), -100) + (1 - t) * Math.max(Math.log(1 - p), -100)),
      (p, t) => (p - t) / Math.max(p * (1 - p), 1e-12),
    ),
    bceWithLogitsLoss: loss(
      (x, t) => Math.max(x, 0) - x * t + Math.log1p(Math.exp(-Math.abs(x))),
      (x, t) => sigmoid(x) - t,
    ),
    crossEntropySoftLoss(rows, cols, logits, targets, grad, scale) {
      const h = f();
      let total = 0;
      for (let r = 0; r < rows; r++) {
        const o = r * cols;
        const lse = softmaxRow(h, cols, logits + 4 * o, grad + 4 * o);
        let tSum = 0;
        for (let j = 0; j < cols; j++) {
          const t = h[at(targets) + o + j]!;
          tSum += t;
          total += t * (lse - h[at(logits) + o + j]!);
        }
        for (let j = 0; j < cols; j++) {
          h[at(grad) + o + j] = (h[at(grad) + o + j]! * tSum - h[at(targets) + o + j]!) * scale;
        }
      }
      return total * scale;
    },

    crossEntropySoftWeighted(rows, cols, logits, targets, weight, hasWeight, smoothing, scale, grad) {
      const h = f();
      let total = 0;
      for (let r = 0; r < rows; r++) {
        const o = r * cols;
        const lse = softmaxRow(h, cols, logits + 4 * o, grad + 4 * o);
        const wt = Array.from({ length: cols }, (_, c) => (hasWeight ? h[at(weight) + c]! : 1) * ((1 - smoothing) * h[at(targets) + o + c]! + smoothing / cols));
        const mass = wt.reduce((s, v) => s + v, 0);
        for (let c = 0; c < cols; c++) {
          total += wt[c]! * (lse - h[at(logits) + o + c]!);
          h[at(grad) + o + c] = scale * (h[at(grad) + o + c]! * mass - wt[c]!);
        }
      }
      return total * scale;
    },

    ...optimizerKernels(heap), // SGD, Adam(W), Adagrad, RMSprop

    columnSums: (rows, cols, src, dst, accumulate) => columnSumsRange(rows, cols, src, dst, accumulate, 0, cols),
    columnSumsRange,
    argmaxRows(rows, cols, src, dst) {
      const h = f(), out = heap.i32();
      for (let i = 0; i < rows; i++) {
        let best = 0;
        for (let j = 1; j < cols; j++) {
          const v = h[at(src) + i * cols + j]!, b = h[at(src) + i * cols + best]!;
          if (Number.isNaN(b)) break;
          if (v > b || Number.isNaN(v)) best = j;
        }
        out[at(dst) + i] = best;
      }
    },
    gatherRows(count, rowLen, src, index, dst) {
      const h = f(), idx = heap.i32();
      for (let r = 0; r < count; r++) {
        const from = idx[at(index) + r]!;
        h.copyWithin(at(dst) + r * rowLen, at(src) + from * rowLen, at(src) + (from + 1) * rowLen);
      }
    },
    fill(n, ptr, value) {
      f().fill(value, at(ptr), at(ptr) + n);
    },
    copy(n, src, dst) {
      f().copyWithin(at(dst), at(src), at(src) + n);
    },
    scale(n, ptr, factor) {
      const h = f();
      for (let i = 0; i < n; i++) h[at(ptr) + i] = h[at(ptr) + i]! * factor;
    },
    sumOfSquares(n, ptr) {
      const h = f();
      let total = 0;
      // Each square rounded to float32 as the kernel's (the exact square of a float32 fits a float64).
      for (let i = 0; i < n; i++) total += Math.fround(h[at(ptr) + i]! ** 2);
      return total;
    },
    firstNonFinite(n, ptr) {
      const h = f();
      for (let i = 0; i < n; i++) if (!Number.isFinite(h[at(ptr) + i]!)) return i;
      return -1;
    },

    vexp: (n, x, y) => unary(Math.exp)(n, x, y, 0, 0),
    vlog: (n, x, y) => unary(Math.log)(n, x, y, 0, 0),
    vtanh: (n, x, y) => unary(Math.tanh)(n, x, y, 0, 0),
  };
}

/**
 * 1 + erf(z) in float64, to about 1e-14 relative (checked against Python's math.erfc): the
 * Maclaurin series of erf for |z| < 1.5 (where 1 − erf(|z|) ≥ 0.03 cancels little), and for
 * |z| ≥ 1.5 the continued fraction of erfc, 400 terms from the tail (1 + erf(z) = erfc(−z) for
 * negative z, so tiny values keep their digits). The reference of the exact GELU (JavaScript has
 * no Math.erf).
 */
export function onePlusErf(z: number): number {
  if (Number.isNaN(z)) return NaN;
  const a = Math.abs(z);
  if (a < 1.5) {
    // erf(a) = 2/√π · Σ (−1)^n a^(2n+1) / (n!·(2n+1)).
    let term = a, sum = a;
    for (let n = 1; n < 100 && Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
      term *= (-a * a) / n;
      sum += term / (2 * n + 1);
    }
    const erf = (2 / Math.sqrt(Math.PI)) * sum;
    return z >= 0 ? 1 + erf : 1 - erf;
  }
  // erfc(a) = e^(−a²)/√π · 1/(a + (1/2)/(a + 1/(a + (3/2)/(a + 2/(a + …))))).
  let f = a;
  for (let k = 400; k >= 1; k--) f = a + k / 2 / f;
  const erfc = Math.exp(-a * a) / Math.sqrt(Math.PI) / f;
  return z >= 0 ? 2 - erfc : erfc;
}
