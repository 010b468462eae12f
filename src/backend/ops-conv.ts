/**
 * Tensor-level convolution, by one of three methods per pass (chosen by `convMethods`, conv-plan.ts):
 * - 'direct' (conv-direct.ts): products read straight from the zero-padded image, output
 *   channels in SIMD lanes; no col matrix. The input gradient of a stride-1 convolution is the
 *   forward of dy with the flipped weight.
 * - 'pixels' (conv-pixels.ts, conv-pixels-grad.ts): output pixels in SIMD lanes (column stride
 *   1); the input gradient scatters each tap's sum over the output channels into a padded dx.
 * - 'gemm' (conv-images.ts, conv.ts): im2col + the packed GEMM one image at a time, col2im for
 *   the input gradient.
 * The caller owns the scratch (scratchSize(g, pass) floats for the thread count at the time of
 * the call): the packed or padded weight and bias, one slice per thread, then what only the
 * backward uses (the flipped or tap-packed weight, dwᵀ, dyᵀ of every image).
 *
 * A grouped convolution (G > 1) runs group by group: the group's channels gathered into scratch,
 * the one-group passes above, the result scattered back (copies of N·(C + O)/G planes per group).
 *
 * With init({ threads }) the forward and the input gradient are split over the images of the
 * batch, the direct weight gradient over its taps (each dw element summed by one thread, images
 * then pixels in order), the GEMM weight gradient stays on the calling thread (images in
 * order), the bias gradient over output channels: every thread count gives the same bits.
 */
import type { TensorRef } from './storage.js';
import { kernels } from './runtime.js';
import { parallelFor, type Split } from './parallel.js';
import { ptr } from './ops-base.js';
import { groupGeometry, inputGradGeometry, plan, up4, type ConvGeometry, type ConvMethod, type Plan } from './conv-plan.js';

export { convMethods, scratchSize, setConvMethod, type ConvGeometry, type ConvMethod, type ConvMethods } from './conv-plan.js';

/** Single-thread ns per multiply-add of the convolution kernels (the dense GEMM's is NS.mac in ops-base.ts). */
const NS_MAC = 1 / 22;
const SPLIT_FORWARD: Split = { range: 0, scratch: 21 };
const SPLIT_INPUT_GRAD: Split = { range: 0, scratch: 20 };
const SPLIT_WEIGHT_GRAD: Split = { range: 0, scratch: 22 };
const SPLIT_RANGE_0: Split = { range: 0 };
const SPLIT_PIXELS: Split = { range: 0, scratch: 19 };
const SPLIT_PIXEL_GRAD: Split = { range: 0, scratch: 20 };
const SPLIT_PIXEL_INPUT_GRAD: Split = { range: 0, scratch: 18 };
/**
 * Taps per chunk of the direct weight gradient: a multiple of both register blocks' tap counts
 * (block8x4: 4, block4x8: 8), so a chunk ends in no single-tap tail block.
 */
const TAP_BLOCK = 8;

/** Pointers into the scratch (bytes), in the order of scratchSize: w4 | b4 | slices | wFlip | dwT | dyT. */
function carve(g: ConvGeometry, scratch: number, p: Plan) {
  const s = p.sizes, w4 = scratch, b4 = w4 + 4 * s.w4, slice = b4 + 4 * s.b4, wFlip = slice + 4 * p.threads * s.slice;
  const dwT = wFlip + 4 * s.wFlip, dyT = dwT + 4 * s.dwT;
  return { w4, b4, wFlip, dwT, dyT, slice, sliceBytes: 4 * s.slice, O4: up4(g.O) };
}

/** The geometry arguments every image kernel takes after its image range: C, H, W, O, KH, KW, SH, SW, PH, PW, DH, DW, OH, OW. */
const geometryArgs = (g: ConvGeometry): number[] => [g.C, g.H, g.W, g.O, g.KH, g.KW, g.SH, g.SW, g.PH, g.PW, g.DH, g.DW, g.OH, g.OW];

/** Pointers into the scratch of one call (see carve). */
type Scratch = ReturnType<typeof carve>;

/** One pass by one method; `ns` is the call's estimated single-thread time (for the split). */
type ForwardPass = (g: ConvGeometry, s: Scratch, xp: number, wp: number, bp: number, yp: number, ns: number) => void;
type InputGradPass = (g: ConvGeometry, s: Scratch, wp: number, dyp: number, dxp: number, ns: number) => void;
type WeightGradPass = (g: ConvGeometry, s: Scratch, xp: number, dyp: number, dwp: number, ns: number) => void;

/** The forward by each method; the bias (bp, or 0) is already copied into s.b4, zero-padded to O4. */
const FORWARD: Record<ConvMethod, ForwardPass> = {
  pixels(g, s, xp, wp, bp, yp, ns) {
    kernels().convPackPixelWeights(g.O, g.C * g.KH * g.KW, wp, s.w4);
    parallelFor('conv2dPixelImages', [0, g.N, g.C, g.H, g.W, g.O, g.KH, g.KW, g.SH, g.PH, g.PW, g.DH, g.DW, g.OH, g.OW,
      xp, s.w4, bp, yp, s.slice], g.N, 1, SPLIT_PIXELS, ns, s.sliceBytes, 1);
  },
  direct(g, s, xp, wp, bp, yp, ns) {
    kernels().convPackWeights(g.O, g.C, g.KH, g.KW, wp, s.w4, s.O4, 0);
    parallelFor('conv2dDirectImages', [0, g.N, ...geometryArgs(g), xp, s.w4, bp ? s.b4 : 0, yp, s.O4, s.slice], g.N, 1, SPLIT_FORWARD, ns,
      s.sliceBytes, 1);
  },
  gemm(g, s, xp, wp, bp, yp, ns) {
    // With O4 ≠ O the weight is zero-padded to O4 rows, so the GEMM runs on full 4-row bands.
    const K = g.C * g.KH * g.KW, k = kernels();
    let w4 = wp;
    if (s.O4 !== g.O) {
      k.fill(s.O4 * K, s.w4, 0);
      k.copy(g.O * K, wp, s.w4);
      w4 = s.w4;
    }
    parallelFor('conv2dImagesForward', [0, g.N, ...geometryArgs(g), xp, w4, s.O4 !== g.O ? (bp ? s.b4 : 0) : bp, yp, s.O4, s.slice], g.N, 1,
      SPLIT_FORWARD, ns, s.sliceBytes, 1);
  },
};

/** The input gradient (overwritten) by each method that has one. */
const INPUT_GRAD: Record<ConvMethod, InputGradPass> = {
  pixels(g, s, wp, dyp, dxp, ns) {
    // Each tap's sum over the output channels scattered into a padded dx (conv-pixels-grad.ts); wQ in the wFlip part.
    kernels().convPackTapWeights(g.O, g.C, g.KH, g.KW, wp, s.wFlip);
    parallelFor('conv2dPixelInputGrad', [0, g.N, g.C, g.H, g.W, g.O, g.KH, g.KW, g.SH, g.PH, g.PW, g.DH, g.DW, g.OH, g.OW,
      dyp, s.wFlip, dxp, s.slice], g.N, 1, SPLIT_PIXEL_INPUT_GRAD, ns, s.sliceBytes, 1);
  },
  direct(g, s, wp, dyp, dxp, ns) {
    // The forward of dy with the flipped weight (inputGradGeometry), stride 1.
    const t = inputGradGeometry(g), C4 = up4(g.C);
    kernels().convPackWeights(g.O, g.C, g.KH, g.KW, wp, s.wFlip, C4, 1);
    parallelFor('conv2dDirectImages', [0, g.N, t.C, t.H, t.W, t.O, t.KH, t.KW, 1, 1, t.PH, t.PW, t.DH, t.DW, t.OH, t.OW,
      dyp, s.wFlip, 0, dxp, C4, s.slice], g.N, 1, SPLIT_FORWARD, ns, s.sliceBytes, 1);
  },
  gemm(g, s, wp, dyp, dxp, ns) {
    parallelFor('conv2dImagesInputGrad', [0, g.N, g.C, g.H, g.W, g.O, g.KH, g.KW, g.SH, g.SW, g.PH, g.PW, g.DH, g.DW,
      g.OH, g.OW, wp, dyp, dxp, s.O4, s.slice], g.N, 1, SPLIT_INPUT_GRAD, ns, s.sliceBytes, 1);
  },
};

/** dw += the weight gradient, by each method. */
const WEIGHT_GRAD: Record<ConvMethod, WeightGradPass> = {
  pixels(g, s, xp, dyp, dwp, ns) {
    const K = g.C * g.KH * g.KW;
    parallelFor('conv2dPixelWeightGrad', [0, K, g.N, g.C, g.H, g.W, g.O, g.KH, g.KW, g.SH, g.PH, g.PW, g.DH, g.DW, g.OH, g.OW,
      xp, dyp, dwp, s.dwT, s.slice], K, 2, SPLIT_PIXEL_GRAD, ns, s.sliceBytes, 2);
  },
  direct(g, s, xp, dyp, dwp, ns) {
    const K = g.C * g.KH * g.KW, P = g.OH * g.OW;
    parallelFor('convTransposeImages', [0, g.N, g.O, P, s.O4, dyp, s.dyT], g.N, 1, SPLIT_RANGE_0, g.N * P * s.O4 * 0.5);
    parallelFor('conv2dDirectWeightGrad', [0, K, g.N, g.C, g.H, g.W, g.KH, g.KW, g.SH, g.SW, g.PH, g.PW, g.DH, g.DW, g.OH, g.OW,
      xp, s.dyT, g.O, s.O4, dwp, s.dwT, s.slice], K, TAP_BLOCK, SPLIT_WEIGHT_GRAD, ns, s.sliceBytes, 2);
  },
  gemm: (g, s, xp, dyp, dwp) => gemmWeightGrad(g, xp, dyp, dwp, s),
};

/** y[N, O, OH, OW] = conv(x, w) + bias. */
export function conv2dForward(x: TensorRef, w: TensorRef, bias: TensorRef | null, y: TensorRef, scratch: TensorRef, g: ConvGeometry): void {
  const what = 'Conv2d.forward', xp = ptr(x, what), yp = ptr(y, what), sp = ptr(scratch, what);
  const wp = ptr(w, what), bp = bias ? ptr(bias, what) : 0;
  const G = g.G ?? 1;
  if (G === 1) {
    forwardAt(g, sp, xp, wp, bp, yp);
    return;
  }
  // Each group on its own channels: gathered into contiguous images, convolved as a one-group
  // layer with its slice of the weight and bias, its output scattered back.
  const one = groupGeometry(g), b = groupBuffers(g, sp), plane = g.H * g.W, outPlane = g.OH * g.OW;
  for (let gi = 0; gi < G; gi++) {
    copyChannels(g.N, one.C, plane, xp, g.C, gi * one.C, b.channels, one.C, 0);
    forwardAt(one, b.rest, b.channels, wp + groupWeightBytes(one) * gi, bp ? bp + 4 * gi * one.O : 0, b.y);
    copyChannels(g.N, one.O, outPlane, b.y, one.O, 0, yp, g.O, gi * one.O);
  }
}

/**
 * Given dy[N, O, OH, OW]: dw += Σ_n dy_n·x̃_n, db += Σ dy, and the input gradient dx
 * (overwritten); each only when given.
 */
export function conv2dBackward(
  x: TensorRef, w: TensorRef, dy: TensorRef, dw: TensorRef | null, db: TensorRef | null, dx: TensorRef | null, scratch: TensorRef, g: ConvGeometry,
): void {
  const what = 'Conv2d.backward', sp = ptr(scratch, what);
  const xp = ptr(x, what), wp = ptr(w, what), dyp = ptr(dy, what), dwp = dw ? ptr(dw, what) : 0;
  const dbp = db ? ptr(db, what) : 0, dxp = dx ? ptr(dx, what) : 0;
  // The bias gradient sums each output channel, whatever the groups.
  if (dbp) parallelFor('convBiasGrad', [0, g.O, g.N, g.O, g.OH * g.OW, dyp, dbp], g.O, 1, SPLIT_RANGE_0, g.N * g.O * g.OH * g.OW * 0.25);
  const G = g.G ?? 1;
  if (G === 1) {
    backwardAt(g, sp, xp, wp, dyp, dwp, dxp);
    return;
  }
  // Per group: dy's channels gathered; the input gradient into the channel buffer, scattered to
  // dx; then x's channels gathered into the same buffer for the weight gradient (the order of
  // backwardAt's two passes, so the same bits).
  const one = groupGeometry(g), b = groupBuffers(g, sp), plane = g.H * g.W, wBytes = groupWeightBytes(one);
  for (let gi = 0; gi < G; gi++) {
    copyChannels(g.N, one.O, g.OH * g.OW, dyp, g.O, gi * one.O, b.y, one.O, 0);
    if (dxp) {
      backwardAt(one, b.rest, 0, wp + gi * wBytes, b.y, 0, b.channels);
      copyChannels(g.N, one.C, plane, b.channels, one.C, 0, dxp, g.C, gi * one.C);
    }
    if (dwp) {
      copyChannels(g.N, one.C, plane, xp, g.C, gi * one.C, b.channels, one.C, 0);
      backwardAt(one, b.rest, b.channels, wp + gi * wBytes, b.y, dwp + gi * wBytes, 0);
    }
  }
}

/** conv2dForward of a one-group geometry on pointers (bytes); `sp` the scratch of scratchSize(g, 'forward'). */
function forwardAt(g: ConvGeometry, sp: number, xp: number, wp: number, bp: number, yp: number): void {
  const K = g.C * g.KH * g.KW, P = g.OH * g.OW, k = kernels();
  const p = plan(g), s = carve(g, sp, p);
  if (bp) {
    k.fill(s.O4, s.b4, 0);
    k.copy(g.O, bp, s.b4);
  }
  FORWARD[p.methods.forward](g, s, xp, wp, bp, yp, g.N * s.O4 * P * K * NS_MAC);
}

/** conv2dBackward of a one-group geometry on pointers (bytes, 0 = not wanted), without the bias gradient. */
function backwardAt(g: ConvGeometry, sp: number, xp: number, wp: number, dyp: number, dwp: number, dxp: number): void {
  const K = g.C * g.KH * g.KW, P = g.OH * g.OW, p = plan(g), methods = p.methods;
  const s = carve(g, sp, p);
  const ns = g.N * s.O4 * P * K * NS_MAC;
  if (dxp) INPUT_GRAD[methods.inputGrad](g, s, wp, dyp, dxp, ns);
  if (dwp) WEIGHT_GRAD[methods.weightGrad](g, s, xp, dyp, dwp, ns);
}

/**
 * The group buffers at the start of a grouped convolution's scratch (groupBufferSize): one
 * group's input channels (or input gradient) and its output (or output gradient) for every image,
 * then one group's own scratch.
 */
function groupBuffers(g: ConvGeometry, sp: number) {
  const one = groupGeometry(g), cFloats = up4(g.N * one.C * g.H * g.W), yFloats = up4(g.N * one.O * g.OH * g.OW);
  return { channels: sp, y: sp + 4 * cFloats, rest: sp + 4 * (cFloats + yFloats) };
}

/** Bytes of one group's weight slice [O / G, C / G, KH, KW] (`one`: groupGeometry). */
const groupWeightBytes = (one: ConvGeometry): number => 4 * one.O * one.C * one.KH * one.KW;

/**
 * Copies `count` channels of `plane` floats from each of N images: from channels [sFirst, …) of
 * images of sChannels planes at src to channels [dFirst, …) of images of dChannels planes at dst
 * (a group's gather into contiguous images, or its scatter back).
 */
function copyChannels(N: number, count: number, plane: number, src: number, sChannels: number, sFirst: number,
  dst: number, dChannels: number, dFirst: number): void {
  const k = kernels(), block = count * plane;
  for (let n = 0; n < N; n++) k.copy(block, src + 4 * (n * sChannels + sFirst) * plane, dst + 4 * (n * dChannels + dFirst) * plane);
}

/** dw[O, K] += dy_n[O, P]·col_nᵀ[P, K], images in order on this thread (in the calling thread's slice). */
function gemmWeightGrad(g: ConvGeometry, xp: number, dyp: number, dwp: number, s: Scratch): void {
  const K = g.C * g.KH * g.KW, P = g.OH * g.OW, image = g.C * g.H * g.W, k = kernels();
  const padded = s.O4 !== g.O;
  const col = s.slice, y4 = col + 4 * K * P, packed = y4 + (padded ? 4 * s.O4 * P : 0);
  // Padded: dw accumulates in w4 (rows past O stay zero), dy_n is copied into the first rows of y4.
  if (padded) {
    k.fill(s.O4 * K, s.w4, 0);
    k.copy(g.O * K, dwp, s.w4);
    k.fill(s.O4 * P, y4, 0);
  }
  for (let n = 0; n < g.N; n++) {
    const dyn = dyp + 4 * n * g.O * P;
    k.im2col(0, g.C, g.C, g.H, g.W, g.KH, g.KW, g.SH, g.SW, g.PH, g.PW, g.DH, g.DW, g.OH, g.OW, xp + 4 * n * image, col, 1);
    if (padded) {
      k.copy(g.O * P, dyn, y4);
      k.gemm(s.O4, K, P, y4, P, 1, col, s.w4, 0, 1, packed);
    } else {
      k.gemm(g.O, K, P, dyn, P, 1, col, dwp, 0, 1, packed);
    }
  }
  if (padded) k.copy(g.O * K, s.w4, dwp);
}
