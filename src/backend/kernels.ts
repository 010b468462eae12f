/**
 * The kernel set: every compute function wasmnn runs, with the signatures of the WASM exports
 * (assembly/index.ts). Arguments are pointers (byte offsets into linear memory), sizes,
 * hyper-parameters and 0/1 flags. Two implementations exist: the WASM SIMD module and the
 * plain-TypeScript reference (reference.ts), which reads the same linear memory.
 */
export interface Kernels extends ConvKernels, ConvImageKernels, ConvDirectKernels, PoolKernels, NormKernels {
  // gemm.ts
  gemm(m: number, n: number, k: number, a: number, aRowStride: number, aColStride: number,
    b: number, c: number, bias: number, accumulate: number, pack: number): void;
  /** gemm on the tile rows [rowBegin, rowEnd) × columns [colBegin, colEnd) of C (for threads). */
  gemmRange(m: number, n: number, k: number, a: number, aRowStride: number, aColStride: number,
    b: number, c: number, bias: number, accumulate: number, pack: number,
    rowBegin: number, rowEnd: number, colBegin: number, colEnd: number): void;
  /** Scratch floats gemm needs to pack (0: it will not pack). */
  gemmPackSize(m: number, n: number, k: number): number;
  /** gemm with B's element (p, j) at b + 4·(p·bRowStride + j·bColStride) (bRowStride 1, bColStride k: B = Wᵀ read from W [n, k]). */
  gemmStrided(m: number, n: number, k: number, a: number, aRowStride: number, aColStride: number,
    b: number, bRowStride: number, bColStride: number, c: number, bias: number, accumulate: number, pack: number): void;
  /** gemmStrided on a tile of C (for threads). */
  gemmStridedRange(m: number, n: number, k: number, a: number, aRowStride: number, aColStride: number,
    b: number, bRowStride: number, bColStride: number, c: number, bias: number, accumulate: number, pack: number,
    rowBegin: number, rowEnd: number, colBegin: number, colEnd: number): void;
  transpose(rows: number, cols: number, src: number, dst: number): void;
  /** transpose of the source rows [begin, end) only. */
  transposeRange(rows: number, cols: number, src: number, dst: number, begin: number, end: number): void;

  // dense-small.ts — a small Linear's forward (+ ReLU) and backward (+ ReLU's), one call each
  /** z[m, n] = x[m, k]·W[n, k]ᵀ + bias (0: none); y = ReLU(z) when y ≠ 0. */
  denseForward(m: number, n: number, k: number, x: number, w: number, bias: number, z: number, y: number, scratch: number): void;
  /** g = dy·[z > 0] into dz when z ≠ 0, else g = dy; db += Σ rows g (db 0: none); dW += gᵀ·x; dx = g·W (dx 0: skipped). */
  denseBackward(m: number, n: number, k: number, x: number, w: number, dy: number, z: number, dz: number,
    dw: number, db: number, dx: number, scratch: number): void;
  /** Scratch floats denseForward / denseBackward need. */
  denseScratchSize(m: number, n: number, k: number): number;

  // activations.ts — forward (n, x, y, p0, p1), backward (n, x, y, dy, dx, p0, p1)
  reluForward: ActivationForwardKernel;
  reluBackward: ActivationBackwardKernel;
  leakyReluForward: ActivationForwardKernel;
  leakyReluBackward: ActivationBackwardKernel;
  tanhForward: ActivationForwardKernel;
  tanhBackward: ActivationBackwardKernel;
  sigmoidForward: ActivationForwardKernel;
  sigmoidBackward: ActivationBackwardKernel;
  eluForward: ActivationForwardKernel;
  eluBackward: ActivationBackwardKernel;
  geluForward: ActivationForwardKernel;
  geluBackward: ActivationBackwardKernel;
  geluErfForward: ActivationForwardKernel;
  geluErfBackward: ActivationBackwardKernel;
  softplusForward: ActivationForwardKernel;
  softplusBackward: ActivationBackwardKernel;
  softmaxForward(rows: number, cols: number, x: number, y: number): void;
  softmaxBackward(rows: number, cols: number, y: number, dy: number, dx: number): void;
  // -- mnist branch: log-softmax (activations.ts), dropout (random.ts) --
  logSoftmaxForward(rows: number, cols: number, x: number, y: number): void;
  logSoftmaxBackward(rows: number, cols: number, y: number, dy: number, dx: number): void;
  /** Elements [begin, end): mask = u(key, i) ≥ p ? scale : 0 (see random.ts), y = x·mask. */
  dropoutForward(begin: number, end: number, x: number, y: number, mask: number, key0: number, key1: number,
    p: number, scale: number): void;
  /** Elements [begin, end): dx = dy·mask. */
  dropoutBackward(begin: number, end: number, dy: number, mask: number, dx: number): void;
  // -- end mnist branch --

  // losses.ts — elementwise (n, pred, target, grad, scale, p0) → scaled sum
  mseLoss: ElementwiseLossKernel;
  l1Loss: ElementwiseLossKernel;
  huberLoss: ElementwiseLossKernel;
  bceLoss: ElementwiseLossKernel;
  bceWithLogitsLoss: ElementwiseLossKernel;
  crossEntropySoftLoss(rows: number, cols: number, logits: number, targets: number, grad: number, scale: number): number;
  /** Probability targets with class weights (hasWeight 0/1) and label smoothing. */
  crossEntropySoftWeighted(rows: number, cols: number, logits: number, targets: number, weight: number, hasWeight: number,
    smoothing: number, scale: number, grad: number): number;

  // class-index.ts: CrossEntropyLoss / NLLLoss on class indices with weights (hasWeight 0/1), an
  // ignored target value and label smoothing. Each checks every target (NaN, nothing written, for
  // a bad one) and sums D = Σ w[t] over the rows kept, stored as f32 at `out` when out ≠ 0;
  // mean 1 divides by D (NaN for D = 0), mean 0 multiplies by scale.
  classIndexWeightSum(rows: number, cols: number, targets: number, weight: number, hasWeight: number, ignore: number): number;
  crossEntropyIndices(rows: number, cols: number, logits: number, targets: number, weight: number, hasWeight: number,
    ignore: number, smoothing: number, mean: number, scale: number, grad: number, out: number): number;
  nllIndices(rows: number, cols: number, input: number, targets: number, weight: number, hasWeight: number,
    ignore: number, mean: number, scale: number, grad: number, out: number): number;

  // optimizers.ts
  sgdStep(n: number, param: number, grad: number, buf: number, lr: number, momentum: number,
    dampening: number, weightDecay: number, nesterov: number, maximize: number, firstStep: number): void;
  adamStep(n: number, param: number, grad: number, expAvg: number, expAvgSq: number, maxExpAvgSq: number,
    lr: number, beta1: number, beta2: number, eps: number, weightDecay: number, decoupled: number,
    amsgrad: number, maximize: number, stepSize: number, bias2Sqrt: number): void;
  adagradStep(n: number, param: number, grad: number, stateSum: number, clr: number,
    weightDecay: number, eps: number, maximize: number): void;
  rmspropStep(n: number, param: number, grad: number, squareAvg: number, gradAvg: number, buf: number,
    lr: number, alpha: number, eps: number, weightDecay: number, momentum: number, centered: number,
    maximize: number): void;

  // reduce.ts
  columnSums(rows: number, cols: number, src: number, dst: number, accumulate: number): void;
  /** columnSums of the columns [begin, end) only. */
  columnSumsRange(rows: number, cols: number, src: number, dst: number, accumulate: number, begin: number, end: number): void;
  argmaxRows(rows: number, cols: number, src: number, dst: number): void;
  gatherRows(count: number, rowLen: number, src: number, index: number, dst: number): void;
  fill(n: number, ptr: number, value: number): void;
  copy(n: number, src: number, dst: number): void;
  scale(n: number, ptr: number, factor: number): void;
  sumOfSquares(n: number, ptr: number): number;
  firstNonFinite(n: number, ptr: number): number;

  // simdmath.ts (exposed for tests)
  vexp(n: number, x: number, y: number): void;
  vlog(n: number, x: number, y: number): void;
  vtanh(n: number, x: number, y: number): void;
}

/** conv.ts: im2col / col2im and the bias kernels (the products are gemm's). */
export interface ConvKernels {
  im2col(c0: number, c1: number, C: number, H: number, W: number, KH: number, KW: number, SH: number, SW: number,
    PH: number, PW: number, DH: number, DW: number, OH: number, OW: number, x: number, col: number, transposed: number): void;
  col2im(c0: number, c1: number, C: number, H: number, W: number, KH: number, KW: number, SH: number, SW: number,
    PH: number, PW: number, DH: number, DW: number, OH: number, OW: number, dcol: number, dx: number): void;
  convBiasInit(p0: number, p1: number, O: number, L: number, bias: number, y: number): void;
  convBiasGrad(o0: number, o1: number, N: number, O: number, L: number, dy: number, db: number): void;
}

/** conv-direct.ts: the convolution's products read straight from the padded image (no col matrix). */
export interface ConvDirectKernels {
  /** dst[r, o] (row stride ld) = w[o, r] (flip 0), or the flipped weight of the input gradient (flip 1). */
  convPackWeights(O: number, C: number, KH: number, KW: number, w: number, dst: number, ld: number, flip: number): void;
  /** y[n] = conv(x[n]) + bias for images [n0, n1) (overwritten), wT [C·KH·KW, O4], each range with its own scratch. */
  conv2dDirectImages(n0: number, n1: number, C: number, H: number, W: number, O: number, KH: number, KW: number,
    SH: number, SW: number, PH: number, PW: number, DH: number, DW: number, OH: number, OW: number, x: number, wT: number,
    bias: number, y: number, O4: number, scratch: number): void;
  /** conv-pixels.ts: wP [⌈O/6⌉, K, 6] = w [O, K] by blocks of 6 channels (zero past O). */
  convPackPixelWeights(O: number, K: number, w: number, wP: number): void;
  /** conv-pixels.ts: y[n] = conv(x[n]) + bias (bias [O] or 0) for images [n0, n1), column stride 1, output pixels in lanes. */
  conv2dPixelImages(n0: number, n1: number, C: number, H: number, W: number, O: number, KH: number, KW: number,
    SH: number, PH: number, PW: number, DH: number, DW: number, OH: number, OW: number, x: number, wP: number,
    bias: number, y: number, scratch: number): void;
  /** conv-pixels.ts: dw += the weight gradient for taps [r0, r1), pixels in lanes (SW = 1, OW a multiple of 4), through the shared dwL [K, ⌈O/6⌉·24]. */
  conv2dPixelWeightGrad(r0: number, r1: number, N: number, C: number, H: number, W: number, O: number, KH: number,
    KW: number, SH: number, PH: number, PW: number, DH: number, DW: number, OH: number, OW: number, x: number, dy: number,
    dw: number, dwL: number, scratch: number): void;
  /** conv-pixels-grad.ts: wQ [⌈K/6⌉, O, 6] = w [O, C, KH, KW] by blocks of 6 taps, ordered (kx, c, ky), zero past K. */
  convPackTapWeights(O: number, C: number, KH: number, KW: number, w: number, wQ: number): void;
  /** conv-pixels-grad.ts: dx[n] = the input gradient (overwritten) for images [n0, n1), column stride 1, pixels in lanes, each range with its own scratch. */
  conv2dPixelInputGrad(n0: number, n1: number, C: number, H: number, W: number, O: number, KH: number, KW: number,
    SH: number, PH: number, PW: number, DH: number, DW: number, OH: number, OW: number, dy: number, wQ: number,
    dx: number, scratch: number): void;
  /** dyT[n, p, o] = dy[n, o, p] for images [n0, n1), zero for o in [O, O4). */
  convTransposeImages(n0: number, n1: number, O: number, P: number, O4: number, dy: number, dyT: number): void;
  /** dw[o, r] += Σ_n Σ_p dyT[n, p, o]·x̃[n, p, r] for taps [r0, r1), through the shared dwT [K, O4]. */
  conv2dDirectWeightGrad(r0: number, r1: number, N: number, C: number, H: number, W: number, KH: number, KW: number,
    SH: number, SW: number, PH: number, PW: number, DH: number, DW: number, OH: number, OW: number, x: number, dyT: number,
    O: number, O4: number, dw: number, dwT: number, scratch: number): void;
}

/** conv-images.ts: im2col + GEMM over a range of images, for the thread pool. */
export interface ConvImageKernels {
  /** conv-images.ts: the forward of images [n0, n1), each range with its own scratch (ops-conv.ts's layout). */
  conv2dImagesForward(n0: number, n1: number, C: number, H: number, W: number, O: number, KH: number, KW: number,
    SH: number, SW: number, PH: number, PW: number, DH: number, DW: number, OH: number, OW: number, x: number, w: number,
    bias: number, y: number, O4: number, scratch: number): void;
  /** conv-images.ts: the input gradient of images [n0, n1) (overwritten), each range with its own scratch. */
  conv2dImagesInputGrad(n0: number, n1: number, C: number, H: number, W: number, O: number, KH: number, KW: number,
    SH: number, SW: number, PH: number, PW: number, DH: number, DW: number, OH: number, OW: number, w: number, dy: number,
    dx: number, O4: number, scratch: number): void;
}

/** pool.ts: planes [p0, p1) of [N·C, H, W]. */
export interface PoolKernels {
  maxPool2dForward(p0: number, p1: number, H: number, W: number, KH: number, KW: number, SH: number, SW: number,
    PH: number, PW: number, DH: number, DW: number, OH: number, OW: number, x: number, y: number, argmax: number): void;
  maxPool2dBackward(p0: number, p1: number, H: number, W: number, OH: number, OW: number, dy: number, argmax: number, dx: number): void;
  /** D: the divisor (> 0, divisor_override), 0 = the window inside the padded image, −1 = its image pixels. */
  avgPool2dForward(p0: number, p1: number, H: number, W: number, KH: number, KW: number, SH: number, SW: number,
    PH: number, PW: number, OH: number, OW: number, D: number, x: number, y: number): void;
  avgPool2dBackward(p0: number, p1: number, H: number, W: number, KH: number, KW: number, SH: number, SW: number,
    PH: number, PW: number, OH: number, OW: number, D: number, dy: number, dx: number): void;
  /** torch's adaptive windows: output row oy averages rows [⌊oy·H/OH⌋, ⌈(oy + 1)·H/OH⌉), columns likewise. */
  adaptiveAvgPool2dForward(p0: number, p1: number, H: number, W: number, OH: number, OW: number, x: number, y: number): void;
  adaptiveAvgPool2dBackward(p0: number, p1: number, H: number, W: number, OH: number, OW: number, dy: number, dx: number): void;
}

/** norm.ts: batch norm over channels [c0, c1) of [N, C, L]; layer norm over rows of [R, D]. */
export interface NormKernels {
  batchNormStats(c0: number, c1: number, N: number, C: number, L: number, x: number, eps: number, mean: number,
    invstd: number, runningMean: number, runningVar: number, momentum: number, unbias: number): void;
  batchNormForward(c0: number, c1: number, N: number, C: number, L: number, x: number, mean: number, invstd: number,
    gamma: number, beta: number, y: number): void;
  batchNormBackward(c0: number, c1: number, N: number, C: number, L: number, x: number, dy: number, mean: number,
    invstd: number, gamma: number, dx: number, dgamma: number, dbeta: number, training: number): void;
  layerNormForward(r0: number, r1: number, D: number, x: number, gamma: number, beta: number, eps: number, y: number,
    mean: number, invstd: number): void;
  layerNormBackward(r0: number, r1: number, D: number, x: number, dy: number, gamma: number, mean: number,
    invstd: number, dx: number): void;
  layerNormParamGrad(j0: number, j1: number, R: number, D: number, x: number, dy: number, mean: number,
    invstd: number, dgamma: number, dbeta: number): void;
}

/** An activation's forward kernel: y = f(x) over n floats. */
export type ActivationForwardKernel = (n: number, x: number, y: number, p0: number, p1: number) => void;
/** An activation's backward kernel: dx = dy · f'(x) over n floats (reads x and/or y). */
export type ActivationBackwardKernel = (
  n: number, x: number, y: number, dy: number, dx: number, p0: number, p1: number) => void;
/** An elementwise loss kernel: writes the gradient, returns scale · Σ loss terms. */
export type ElementwiseLossKernel = (
  n: number, pred: number, target: number, grad: number, scale: number, p0: number) => number;

/** Names of the kernels, for tables that pick one by name. */
export type KernelName = keyof Kernels;
