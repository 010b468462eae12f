import type { Kernels } from './kernels.js';

/**
 * Every kernel of the Kernels interface with its parameter count. The type ties each count to
 * the interface's signature (a wrong number, a missing or an extra kernel does not compile), and
 * checkKernels() ties the WASM exports and the reference kernels to this table at run time: the
 * exports are no longer cast to Kernels unchecked.
 */
export const KERNEL_ARITY: { readonly [K in keyof Kernels]: Parameters<Kernels[K]>['length'] } = {
  gemm: 11, gemmRange: 15, gemmPackSize: 3, transpose: 4, transposeRange: 6,
  denseForward: 9, denseBackward: 12, denseScratchSize: 3,
  reluForward: 5, reluBackward: 7, leakyReluForward: 5, leakyReluBackward: 7,
  tanhForward: 5, tanhBackward: 7, sigmoidForward: 5, sigmoidBackward: 7,
  eluForward: 5, eluBackward: 7, geluForward: 5, geluBackward: 7, geluErfForward: 5, geluErfBackward: 7,
  softplusForward: 5, softplusBackward: 7, softmaxForward: 4, softmaxBackward: 5,
  mseLoss: 6, l1Loss: 6, huberLoss: 6, bceLoss: 6, bceWithLogitsLoss: 6,
  crossEntropySoftLoss: 6, crossEntropySoftWeighted: 9,
  sgdStep: 11, adamStep: 16, adagradStep: 8, rmspropStep: 13,
  columnSums: 5, columnSumsRange: 7, argmaxRows: 4, gatherRows: 5, fill: 3, copy: 3, scale: 3, sumOfSquares: 2, firstNonFinite: 2,
  vexp: 3, vlog: 3, vtanh: 3,
  im2col: 18, col2im: 17, convBiasInit: 6, convBiasGrad: 7,
  conv2dImagesForward: 22, conv2dImagesInputGrad: 21,
  convPackWeights: 8, conv2dDirectImages: 22, convTransposeImages: 7, conv2dDirectWeightGrad: 23,
  convPackPixelWeights: 4, conv2dPixelImages: 20, conv2dPixelWeightGrad: 21,
  convPackTapWeights: 6, conv2dPixelInputGrad: 19,
  maxPool2dForward: 17, maxPool2dBackward: 9, avgPool2dForward: 15, avgPool2dBackward: 15,
  adaptiveAvgPool2dForward: 8, adaptiveAvgPool2dBackward: 8,
  batchNormStats: 13, batchNormForward: 11, batchNormBackward: 14,
  layerNormForward: 10, layerNormBackward: 9, layerNormParamGrad: 10,
  logSoftmaxForward: 4, logSoftmaxBackward: 5, dropoutForward: 9, dropoutBackward: 5,
  gemmStrided: 13, gemmStridedRange: 17,
  // class-index.ts (loss)
  classIndexWeightSum: 6, crossEntropyIndices: 12, nllIndices: 11,
};

/**
 * The ways `candidate` differs from the kernel table: a missing kernel, one that is not a
 * function, or one taking another number of arguments. Empty when it implements Kernels.
 */
export function kernelMismatches(candidate: object): string[] {
  const problems: string[] = [];
  for (const [name, arity] of Object.entries(KERNEL_ARITY)) {
    const fn = (candidate as Record<string, unknown>)[name];
    if (typeof fn !== 'function') problems.push(`${name} is missing`);
    else if (fn.length !== arity) problems.push(`${name} takes ${fn.length} arguments, the interface ${arity}`);
  }
  return problems;
}
