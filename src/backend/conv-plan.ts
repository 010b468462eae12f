/**
 * The plan of a convolution: its geometry, the method of each pass (convMethods, or the one
 * forced by setConvMethod for bench/ and tests) and the floats of scratch each method needs,
 * computed once per geometry object and thread count (plan). ops-conv.ts runs the passes.
 */
import { kernels } from './runtime.js';
import { threadCount } from './parallel.js';

/**
 * Sizes of one Conv2d call: input [N, C, H, W], weight [O, C / G, KH, KW], output [N, O, OH, OW];
 * PH / PW are the top / left padding (the bottom / right one follows from OH / OW); G the groups
 * (default 1: every output channel sees every input channel). Immutable: the scratch sizes and
 * methods are kept with the object (plan).
 */
export interface ConvGeometry {
  readonly N: number; readonly C: number; readonly H: number; readonly W: number; readonly O: number;
  readonly KH: number; readonly KW: number; readonly SH: number; readonly SW: number; readonly PH: number; readonly PW: number;
  readonly DH: number; readonly DW: number; readonly OH: number; readonly OW: number; readonly G?: number;
}

const groupGeometries = new WeakMap<ConvGeometry, ConvGeometry>();

/**
 * One group of a grouped convolution (C / G input channels → O / G output channels, G = 1), kept
 * with `g` so that its plan is computed once too; `g` itself when it has one group.
 */
export function groupGeometry(g: ConvGeometry): ConvGeometry {
  const G = g.G ?? 1;
  if (G === 1) return g;
  let one = groupGeometries.get(g);
  if (!one) {
    one = { ...g, C: g.C / G, O: g.O / G, G: 1 };
    groupGeometries.set(g, one);
  }
  return one;
}

/**
 * Floats a grouped convolution gathers its groups into, ahead of one group's own scratch: the
 * group's input channels of every image (or their gradient: the two take turns) and its output
 * (or output gradient). 0 with one group, which runs on the tensors in place.
 */
export function groupBufferSize(g: ConvGeometry): number {
  const G = g.G ?? 1;
  if (G === 1) return 0;
  return up4(g.N * (g.C / G) * g.H * g.W) + up4(g.N * (g.O / G) * g.OH * g.OW);
}

/**
 * How a pass is computed: conv-direct.ts (output channels in lanes), conv-pixels.ts (output
 * pixels in lanes: forward and weight gradient), or im2col + GEMM.
 */
export type ConvMethod = 'direct' | 'pixels' | 'gemm';
/** The method of each pass of one layer (convMethods' choice). */
export interface ConvMethods { forward: ConvMethod; inputGrad: ConvMethod; weightGrad: ConvMethod }

/** Channels rounded up to the 4 lanes of a SIMD vector (and the GEMM's 4-row bands). */
export const up4 = (n: number): number => Math.ceil(n / 4) * 4;

let forced: ConvMethod | null = null;
/**
 * @internal For bench/ and tests: every pass by `method` where it applies ('pixels' needs column
 * stride 1, and its weight gradient OW a multiple of 4: elsewhere 'direct' runs, or 'gemm' for the
 * input gradient), or null for the rule of convMethods.
 */
export function setConvMethod(method: ConvMethod | null): void {
  forced = method;
}

/**
 * The method of each pass (bench/conv.mjs measures both on the LeNet layers). Direct keeps
 * output channels in SIMD lanes, so it wastes the lanes past O (C for the input gradient) up to
 * a multiple of 4: forward and weight gradient use it when at least half the lanes are real.
 * The input gradient runs first by pixel lanes (conv-pixels-grad.ts: each tap's Σ_o w·dy over
 * output pixels in the lanes, scattered into a padded dx — exactly the useful products) whenever
 * the column stride is 1 and at least half the lanes of an output row are real pixels: LeNet's
 * conv2 took 2.45 ms against 3.22 by col2im(wᵀ·dy) side by side (round 4, under load; round 3's
 * similar scatter lost to the GEMM until its taps were ordered so that a block's writes never
 * overlap and dy was re-laid to be read as one stream). Otherwise the direct input gradient,
 * the full correlation of dy padded by D·(K−1) − P — mostly zeros on small images (LeNet's conv2:
 * 2.6× the useful work) — runs with stride 1 when that waste stays under 1.5×; else col2im.
 */
export function convMethods(g: ConvGeometry): ConvMethods {
  const channelLanes = g.O / up4(g.O);
  // conv-pixels: lanes idle past OW in the last vector of a row, channels idle past O in the last block of 6.
  const pixelLanes = g.SW === 1 ? (g.OW / up4(g.OW)) * (g.O / (6 * Math.ceil(g.O / 6))) : 0;
  const waste = (g.H * g.W * up4(g.C)) / (g.OH * g.OW * g.C);
  let forward: ConvMethod = pixelLanes > channelLanes ? 'pixels' : 'direct';
  if (Math.max(pixelLanes, channelLanes) < 0.5) forward = 'gemm';
  if (forced === 'gemm' || (forced === 'direct' && forward !== 'direct')) forward = forced;
  if (forced === 'pixels') forward = g.SW === 1 ? 'pixels' : 'direct';
  // The pixel-lane weight gradient needs every lane to be a real pixel (OW a multiple of 4).
  const pixelGrad = g.SW === 1 && g.OW % 4 === 0;
  let weightGrad: ConvMethod = pixelGrad && pixelLanes > channelLanes ? 'pixels' : 'direct';
  if (Math.max(pixelGrad ? pixelLanes : 0, channelLanes) < 0.5) weightGrad = 'gemm';
  if (forced === 'gemm' || (forced === 'direct' && weightGrad !== 'direct')) weightGrad = forced;
  if (forced === 'pixels') weightGrad = pixelGrad ? 'pixels' : 'direct';
  // The input gradient: pixel lanes (exactly the useful products) when half the lanes of a row are real pixels.
  let inputGrad: ConvMethod = g.SW === 1 && g.OW / up4(g.OW) >= 0.5 ? 'pixels' : g.SH === 1 && g.SW === 1 && waste <= 1.5 ? 'direct' : 'gemm';
  if (forced === 'gemm') inputGrad = 'gemm';
  if (forced === 'direct') inputGrad = g.SH === 1 && g.SW === 1 ? 'direct' : 'gemm';
  if (forced === 'pixels') inputGrad = g.SW === 1 ? 'pixels' : 'gemm';
  return { forward, inputGrad, weightGrad };
}

/** The input gradient as a forward: dy [N, O, OH, OW] → dx [N, C, H, W], stride 1, flipped weight. */
export function inputGradGeometry(g: ConvGeometry): ConvGeometry {
  return {
    N: g.N, C: g.O, H: g.OH, W: g.OW, O: g.C, KH: g.KH, KW: g.KW, SH: 1, SW: 1,
    PH: g.DH * (g.KH - 1) - g.PH, PW: g.DW * (g.KW - 1) - g.PW, DH: g.DH, DW: g.DW, OH: g.H, OW: g.W,
  };
}

/** Floats of one direct slice: tap table, pixel table, O4 zeros, the padded image. */
function directSlice(g: ConvGeometry): number {
  const K = g.C * g.KH * g.KW, P = g.OH * g.OW;
  const Hp = (g.OH - 1) * g.SH + (g.KH - 1) * g.DH + 1, Wp = (g.OW - 1) * g.SW + (g.KW - 1) * g.DW + 1;
  const padded = g.PH !== 0 || g.PW !== 0 || Hp > g.H || Wp > g.W;
  return up4(K) + up4(P) + up4(g.O) + (padded ? up4(g.C * Hp * Wp) : 0);
}

/** Floats of one conv-pixels slice: tap table, vector table, the padded image. */
function pixelSlice(g: ConvGeometry): number {
  const OWv = up4(g.OW), Hp = (g.OH - 1) * g.SH + (g.KH - 1) * g.DH + 1, Wp = OWv + (g.KW - 1) * g.DW;
  return up4(g.C * g.KH * g.KW) + up4(3 * g.OH * (OWv / 4)) + up4(g.C * Hp * Wp);
}

/** Floats of one conv-pixels weight-gradient slice: the forward's, then each image's dy interleaved by blocks of 6 channels. */
function pixelWeightGradSlice(g: ConvGeometry): number {
  return g.OW % 4 === 0 ? pixelSlice(g) + 6 * Math.ceil(g.O / 6) * g.OH * g.OW : 0;
}

/** Floats of one conv-pixels-grad slice: tap table, vector table, dy by pairs of pixel vectors, the padded dx. */
function pixelGradSlice(g: ConvGeometry): number {
  const OWv = up4(g.OW), Hp = (g.OH - 1) * g.SH + (g.KH - 1) * g.DH + 1, Wp = OWv + (g.KW - 1) * g.DW;
  return up4(g.C * g.KH * g.KW) + up4(3 * g.OH * (OWv / 4)) + 8 * g.O * Math.ceil((g.OH * OWv) / 8) + up4(g.C * Hp * Wp);
}

/** Floats of the shared parts of the scratch (by name) and of each thread's slice. */
export interface Sizes { w4: number; b4: number; wFlip: number; dwT: number; dyT: number; slice: number }

/** What a geometry needs, computed once per geometry object, kernel set, thread count and forced method (plan). */
export interface Plan { kernels: object; threads: number; forced: ConvMethod | null; sizes: Sizes; methods: ConvMethods }
const plans = new WeakMap<ConvGeometry, Plan>();

/**
 * The sizes (three WASM calls) and methods of `g`, kept with the geometry object: a layer that
 * passes the same object while its input shape stays (Conv2d does) computes them once.
 */
export function plan(g: ConvGeometry): Plan {
  // The GEMM's packing scratch differs between the kernel sets (the reference packs nothing).
  const threads = threadCount(), k = kernels();
  let p = plans.get(g);
  if (!p || p.kernels !== k || p.threads !== threads || p.forced !== forced) {
    const methods = convMethods(g);
    p = { kernels: k, threads, forced, sizes: sizes(g, methods), methods };
    plans.set(g, p);
  }
  return p;
}

/**
 * Floats of the shared part (by name) and of each thread's slice: the largest slice of the three
 * methods `methods` chose (one slice layout serves both passes: a workspace grown for backward
 * serves the forward). Sizing for every method instead took the im2col matrix K·P whatever ran:
 * 167 MB per thread for a 64-channel 3×3 layer on 224×224 images, where direct and pixel slices
 * need ≈ 13 MB.
 */
function sizes(g: ConvGeometry, methods: ConvMethods): Sizes {
  const K = g.C * g.KH * g.KW, P = g.OH * g.OW, O4 = up4(g.O), k = kernels();
  const gemmSlice = (): number => {
    const packs = Math.max(k.gemmPackSize(O4, P, K), k.gemmPackSize(O4, K, P), k.gemmPackSize(K, P, g.O));
    return K * P + (O4 !== g.O ? O4 * P : 0) + up4(packs);
  };
  const forward: Record<ConvMethod, () => number> = { gemm: gemmSlice, direct: () => directSlice(g), pixels: () => pixelSlice(g) };
  const inputGrad: Record<ConvMethod, () => number> = { gemm: gemmSlice, direct: () => directSlice(inputGradGeometry(g)), pixels: () => pixelGradSlice(g) };
  const weightGrad: Record<ConvMethod, () => number> = { gemm: gemmSlice, direct: () => directSlice(g), pixels: () => pixelWeightGradSlice(g) };
  const slice = up4(Math.max(forward[methods.forward](), inputGrad[methods.inputGrad](), weightGrad[methods.weightGrad]()));
  return { w4: up4(Math.max(O4, 6 * Math.ceil(g.O / 6)) * K), b4: O4, wFlip: up4(Math.max(g.O * g.KH * g.KW * up4(g.C), 4 * Math.ceil(K / 4) * g.O)), dwT: up4(K * Math.max(O4, 24 * Math.ceil(g.O / 6))), dyT: g.N * P * O4, slice };
}

/**
 * Floats of scratch conv2dForward (`pass` 'forward') or conv2dBackward ('backward', the default,
 * enough for both) need with the current thread count. The forward's part comes first, so a
 * Workspace grown for backward serves the forward too, and inference never allocates the rest.
 * The forward splits over the N images, so at most min(threads, N) threads take part and use a
 * slice (pool slots: pool-worker.ts); the backward's weight gradient splits over taps: all.
 */
export function scratchSize(g: ConvGeometry, pass: 'forward' | 'backward' = 'backward'): number {
  const p = plan(groupGeometry(g)), s = p.sizes, weights = groupBufferSize(g) + s.w4 + s.b4;
  if (pass === 'forward') return weights + Math.min(p.threads, g.N) * s.slice;
  return weights + p.threads * s.slice + s.wFlip + s.dwT + s.dyT;
}
