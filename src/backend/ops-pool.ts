/**
 * Tensor-level pooling over [N, C, H, W] inputs, as N·C planes. With init({ threads }) a large
 * call is split over planes: each output (forward) and each input-gradient element (backward)
 * belongs to one plane, so every split gives the single-thread result bit for bit.
 */
import type { TensorRef as Tensor } from './storage.js';
import { parallelFor, type Split } from './parallel.js';
import { ptr } from './ops-base.js';

/**
 * Window geometry of a pooling call. DH, DW: dilation (max pooling only; 1 for averages).
 * D: the average's divisor rule (> 0 a fixed divisor, 0 count_include_pad, −1 image pixels only).
 */
export interface PoolGeometry {
  planes: number; H: number; W: number; KH: number; KW: number; SH: number; SW: number; PH: number; PW: number;
  DH: number; DW: number; D: number; OH: number; OW: number;
}

/** The kernels take their plane range [p0, p1) as the first two arguments. */
const PLANES: Split = { range: 0 };
/** Single-thread ns per window element read (forward) or per element moved (backward). */
const NS_PER_ELEMENT = 0.5;

const windowNs = (g: PoolGeometry): number => g.planes * g.OH * g.OW * g.KH * g.KW * NS_PER_ELEMENT;
const planeNs = (g: PoolGeometry): number => g.planes * (g.H * g.W + g.OH * g.OW) * NS_PER_ELEMENT;

/** y = max over each window; argmax (int32 storage of y's size) keeps each maximum's position. */
export function maxPool2dForward(x: Tensor, y: Tensor, argmax: Tensor, g: PoolGeometry): void {
  const w = 'MaxPool2d.forward';
  parallelFor('maxPool2dForward', [0, g.planes, g.H, g.W, g.KH, g.KW, g.SH, g.SW, g.PH, g.PW, g.DH, g.DW, g.OH, g.OW,
    ptr(x, w), ptr(y, w), ptr(argmax, w)], g.planes, 1, PLANES, windowNs(g));
}

/** dx = dy sent back to each window's maximum (argmax from maxPool2dForward); dx is overwritten. */
export function maxPool2dBackward(dy: Tensor, argmax: Tensor, dx: Tensor, g: PoolGeometry): void {
  const w = 'MaxPool2d.backward';
  parallelFor('maxPool2dBackward', [0, g.planes, g.H, g.W, g.OH, g.OW, ptr(dy, w), ptr(argmax, w), ptr(dx, w)],
    g.planes, 1, PLANES, planeNs(g));
}

/** y = each window's sum divided by its divisor (countIncludePad, ceilMode and divisorOverride, as torch). */
export function avgPool2dForward(x: Tensor, y: Tensor, g: PoolGeometry): void {
  const w = 'AvgPool2d.forward';
  parallelFor('avgPool2dForward', [0, g.planes, g.H, g.W, g.KH, g.KW, g.SH, g.SW, g.PH, g.PW, g.OH, g.OW, g.D,
    ptr(x, w), ptr(y, w)], g.planes, 1, PLANES, windowNs(g));
}

/** dx = dy spread evenly over each window (divided by the forward's divisor); dx is overwritten. */
export function avgPool2dBackward(dy: Tensor, dx: Tensor, g: PoolGeometry): void {
  const w = 'AvgPool2d.backward';
  parallelFor('avgPool2dBackward', [0, g.planes, g.H, g.W, g.KH, g.KW, g.SH, g.SW, g.PH, g.PW, g.OH, g.OW, g.D,
    ptr(dy, w), ptr(dx, w)], g.planes, 1, PLANES, windowNs(g) + planeNs(g));
}

/** Sizes of an adaptive pooling call: N·C planes of [H, W] pooled to [OH, OW]. */
export interface AdaptivePoolGeometry { planes: number; H: number; W: number; OH: number; OW: number }

/** Single-thread ns of an adaptive pooling pass: every input pixel read about once (twice where windows overlap), every output written. */
const adaptiveNs = (g: AdaptivePoolGeometry): number =>
  g.planes * ((g.H + g.OH) * (g.W + g.OW) + g.OH * g.OW) * NS_PER_ELEMENT;

/** y = the mean of each adaptive window (torch's AdaptiveAvgPool2d bins). */
export function adaptiveAvgPool2dForward(x: Tensor, y: Tensor, g: AdaptivePoolGeometry): void {
  const w = 'AdaptiveAvgPool2d.forward';
  parallelFor('adaptiveAvgPool2dForward', [0, g.planes, g.H, g.W, g.OH, g.OW, ptr(x, w), ptr(y, w)], g.planes, 1, PLANES, adaptiveNs(g));
}

/** dx = dy spread evenly over each adaptive window; dx is overwritten. */
export function adaptiveAvgPool2dBackward(dy: Tensor, dx: Tensor, g: AdaptivePoolGeometry): void {
  const w = 'AdaptiveAvgPool2d.backward';
  parallelFor('adaptiveAvgPool2dBackward', [0, g.planes, g.H, g.W, g.OH, g.OW, ptr(dy, w), ptr(dx, w)], g.planes, 1, PLANES, adaptiveNs(g));
}
