// Shapes and float64 references shared by the convolution tests.
import { expect } from 'vitest';
import type { Conv2d, Tensor } from '../../src/index.js';
import { expectClose } from './heap.js';

/** [C, H, W, KH, KW, SH, SW, PH, PW, DH, DW] */
export type Geometry = [number, number, number, number, number, number, number, number, number, number, number];

/** Odd geometries: 1×1 images, kernels larger than the input with padding, stride > kernel, dilation, non-square. */
export const GEOMETRIES: Geometry[] = [
  [2, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1], // 1×1 image, 1×1 kernel
  [1, 1, 1, 3, 3, 1, 1, 1, 1, 1, 1], // 1×1 image, 3×3 kernel, padding 1
  [3, 2, 3, 5, 4, 1, 1, 2, 2, 1, 1], // kernel larger than the input, with padding
  [2, 7, 9, 2, 3, 3, 4, 0, 1, 1, 1], // stride larger than the kernel
  [2, 9, 8, 3, 2, 1, 1, 1, 2, 2, 3], // dilation
  [3, 5, 7, 3, 2, 2, 1, 1, 0, 1, 2], // non-square everything
  [1, 28, 28, 5, 5, 1, 1, 2, 2, 1, 1], // LeNet conv 1
  [6, 14, 14, 5, 5, 1, 1, 0, 0, 1, 1], // LeNet conv 2
  [4, 6, 23, 3, 3, 1, 1, 1, 1, 1, 1], // 23 columns: SIMD tails
];

export function outSize(g: Geometry): [number, number] {
  const [, H, W, KH, KW, SH, SW, PH, PW, DH, DW] = g;
  return [Math.floor((H + 2 * PH - DH * (KH - 1) - 1) / SH) + 1, Math.floor((W + 2 * PW - DW * (KW - 1) - 1) / SW) + 1];
}

/** Direct convolution in float64 from the definition: y[N, O, OH, OW]. */
export function conv64(x: ArrayLike<number>, w: ArrayLike<number>, b: ArrayLike<number> | null, N: number, O: number, g: Geometry): Float64Array {
  const [C, H, W, KH, KW, SH, SW, PH, PW, DH, DW] = g;
  const [OH, OW] = outSize(g);
  const y = new Float64Array(N * O * OH * OW);
  for (let n = 0; n < N; n++) for (let o = 0; o < O; o++) for (let oy = 0; oy < OH; oy++) for (let ox = 0; ox < OW; ox++) {
    let s = b ? b[o]! : 0;
    for (let c = 0; c < C; c++) for (let ky = 0; ky < KH; ky++) for (let kx = 0; kx < KW; kx++) {
      const iy = oy * SH - PH + ky * DH, ix = ox * SW - PW + kx * DW;
      if (iy >= 0 && iy < H && ix >= 0 && ix < W) s += x[((n * C + c) * H + iy) * W + ix]! * w[((o * C + c) * KH + ky) * KW + kx]!;
    }
    y[((n * O + o) * OH + oy) * OW + ox] = s;
  }
  return y;
}

/**
 * Runs conv.forward(x) and checks it against conv64 (shape and values): float32 sums of
 * K = C·KH·KW products of |x|, |w| ≤ 1 err by at most K·2⁻²⁴·Σ|x·w| ≤ K²·6e-8.
 */
export function expectForwardMatchesDefinition(conv: Conv2d, x: Tensor, N: number, O: number, g: Geometry): void {
  const [C, , , KH, KW] = g;
  const y = conv.forward(x);
  expect(y.shape).toEqual([N, O, ...outSize(g)]);
  const want = conv64(x.toFloat32Array(), conv.weight.toFloat32Array(), conv.bias?.toFloat32Array() ?? null, N, O, g);
  const K = C * KH * KW;
  expectClose(y.toFloat32Array(), want, { rtol: 1e-5, atol: 2 * K * K * 6e-8 }, 'forward');
}

/**
 * Conv2d(in, out, kernel, options) on an input shape, for the finite-difference checks of
 * backward: odd kernels, strides, paddings and dilations, no bias, a 1×1 image.
 */
export const GRADCHECK_CASES = [
  [2, 3, [3, 2], { padding: 1, stride: [2, 1], dilation: [1, 2] }, [2, 2, 5, 6]],
  [1, 2, 5, { padding: 2 }, [1, 1, 3, 4]], // kernel larger than the input
  [3, 2, 1, {}, [2, 3, 1, 1]], // 1×1 image
  [2, 2, 2, { stride: 3 }, [1, 2, 7, 5]], // stride larger than the kernel
  [2, 3, 3, { bias: false, padding: [0, 1] }, [2, 2, 4, 3]],
] as const;

/**
 * A Python script for runTorch: for each case { cin, cout, k, s?, p, d, groups?, bias, w, b, x, shape,
 * dy } it builds torch.nn.Conv2d with those weights, runs x forward and dy[:numel] backward, and
 * prints { shape, y, dx, dw, db, repr } per case.
 */
export const TORCH_CONV_SCRIPT = `
import json, sys, torch
out = []
for c in json.load(sys.stdin):
    tup = lambda v: tuple(v) if isinstance(v, list) else v
    m = torch.nn.Conv2d(c['cin'], c['cout'], tup(c['k']), stride=tup(c.get('s', 1)), padding=tup(c['p']), dilation=tup(c['d']),
                        groups=c.get('groups', 1), bias=c['bias'])
    with torch.no_grad():
        m.weight.copy_(torch.tensor(c['w']).reshape(m.weight.shape))
        if c['bias']: m.bias.copy_(torch.tensor(c['b']))
    x = torch.tensor(c['x']).reshape(c['shape']).requires_grad_()
    y = m(x)
    y.backward(torch.tensor(c['dy'][:y.numel()]).reshape(y.shape))
    out.append({'shape': list(y.shape), 'y': y.detach().flatten().tolist(), 'dx': x.grad.flatten().tolist(),
                'dw': m.weight.grad.flatten().tolist(), 'db': m.bias.grad.tolist() if c['bias'] else [], 'repr': repr(m)})
print(json.dumps(out))
`;
