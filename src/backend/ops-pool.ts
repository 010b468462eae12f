/** Tensor-level pooling over [N, C, H, W] inputs, as N·C planes. */
import type { TensorRef as Tensor } from './storage.js';
import { kernels } from './runtime.js';
import { ptr } from './ops.js';

/** Window geometry of a pooling call. */
export interface PoolGeometry {
  planes: number; H: number; W: number; KH: number; KW: number; SH: number; SW: number; PH: number; PW: number;
  OH: number; OW: number;
}

/** y = max over each window; argmax (int32 storage of y's size) keeps each maximum's position. */
export function maxPool2dForward(x: Tensor, y: Tensor, argmax: Tensor, g: PoolGeometry): void {
  kernels().maxPool2dForward(0, g.planes, g.H, g.W, g.KH, g.KW, g.SH, g.SW, g.PH, g.PW, g.OH, g.OW,
    ptr(x, 'MaxPool2d.forward'), ptr(y, 'MaxPool2d.forward'), ptr(argmax, 'MaxPool2d.forward'));
}

export function maxPool2dBackward(dy: Tensor, argmax: Tensor, dx: Tensor, g: PoolGeometry): void {
  kernels().maxPool2dBackward(0, g.planes, g.H, g.W, g.OH, g.OW, ptr(dy, 'MaxPool2d.backward'),
    ptr(argmax, 'MaxPool2d.backward'), ptr(dx, 'MaxPool2d.backward'));
}

export function avgPool2dForward(x: Tensor, y: Tensor, g: PoolGeometry): void {
  kernels().avgPool2dForward(0, g.planes, g.H, g.W, g.KH, g.KW, g.SH, g.SW, g.PH, g.PW, g.OH, g.OW,
    ptr(x, 'AvgPool2d.forward'), ptr(y, 'AvgPool2d.forward'));
}

export function avgPool2dBackward(dy: Tensor, dx: Tensor, g: PoolGeometry): void {
  kernels().avgPool2dBackward(0, g.planes, g.H, g.W, g.KH, g.KW, g.SH, g.SW, g.PH, g.PW, g.OH, g.OW,
    ptr(dy, 'AvgPool2d.backward'), ptr(dx, 'AvgPool2d.backward'));
}
