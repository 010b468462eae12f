// Conv2d's `groups` (grouped and depthwise convolutions): always against the same layer built as
// separate one-group convolutions (the definition of groups; every convolution method and both
// backends), and with python3-torch also against torch.nn.Conv2d(groups=…) — output, input
// gradient, weight and bias gradients and repr, for every method. Also the arguments torch
// refuses, the weight shape, the initialisation bound and the config round trip.
import { afterEach, describe, expect, it } from 'vitest';
import { setBackend } from '../../src/backend/runtime.js';
import { setConvMethod, type ConvMethod } from '../../src/backend/ops-conv.js';
import { Conv2d, Generator, Tensor, ValueError, loadModel, saveModel, Sequential } from '../../src/index.js';
import { TORCH_CONV_SCRIPT } from '../helpers/conv.js';
import { expectClose, randomArray } from '../helpers/heap.js';
import { runTorch, torchAvailable } from '../helpers/torch.js';

const hasTorch = torchAvailable();

afterEach(() => {
  setConvMethod(null);
  setBackend('wasm');
});

interface Case { cin: number; cout: number; k: number | [number, number]; s: number | [number, number]; p: number | [number, number] | 'same';
  d: number | [number, number]; groups: number; bias: boolean; shape: number[] }

const CASES: Case[] = [
  { cin: 4, cout: 6, k: 3, s: 1, p: 1, d: 1, groups: 2, bias: true, shape: [3, 4, 7, 9] },
  { cin: 3, cout: 3, k: 3, s: 1, p: 1, d: 1, groups: 3, bias: true, shape: [2, 3, 8, 8] }, // depthwise
  { cin: 3, cout: 6, k: [3, 2], s: [2, 1], p: [1, 0], d: 1, groups: 3, bias: false, shape: [2, 3, 7, 6] }, // depthwise, multiplier 2
  { cin: 6, cout: 4, k: 2, s: 1, p: 'same', d: [2, 1], groups: 2, bias: true, shape: [1, 6, 5, 8] }, // even kernel 'same'
  { cin: 8, cout: 8, k: 5, s: 2, p: 2, d: 1, groups: 4, bias: true, shape: [2, 8, 11, 12] },
  { cin: 2, cout: 4, k: 3, s: 3, p: 0, d: 1, groups: 2, bias: true, shape: [1, 2, 3, 3] }, // 1×1 output
  { cin: 5, cout: 5, k: 1, s: 1, p: 0, d: 1, groups: 5, bias: true, shape: [4, 5, 1, 1] }, // 1×1 image, depthwise
];

const DY = Array.from(randomArray(8192, 11, -1, 1));
const layer = (c: Case, i: number): Conv2d =>
  new Conv2d(c.cin, c.cout, c.k, { stride: c.s, padding: c.p, dilation: c.d, groups: c.groups, bias: c.bias, generator: new Generator(i + 1) });
const input = (c: Case, i: number): Float32Array => randomArray(c.shape.reduce((a, b) => a * b, 1), 100 + i, -1, 1);

interface Result { shape: number[]; y: number[]; dx: number[]; dw: number[]; db: number[] }

/** Forward and backward (with DY) of case i through `conv`. */
function run(conv: Conv2d, c: Case, i: number): Result {
  const y = conv.forward(Tensor.from(input(c, i), c.shape));
  conv.zeroGrad();
  const dx = conv.backward(Tensor.from(DY.slice(0, y.size), y.shape));
  return {
    shape: [...y.shape], y: Array.from(y.toFloat32Array()), dx: Array.from(dx.toFloat32Array()),
    dw: Array.from(conv.weight.grad.toFloat32Array()), db: conv.bias ? Array.from(conv.bias.grad.toFloat32Array()) : [],
  };
}

/** The same case as G one-group layers, each on its slice of channels and weights: the definition of groups. */
function bySlices(c: Case, i: number): Result {
  const conv = layer(c, i), G = c.groups, cg = c.cin / G, og = c.cout / G;
  const [N, , H, W] = c.shape as [number, number, number, number];
  const x = input(c, i), w = conv.weight.toFloat32Array(), b = conv.bias?.toFloat32Array();
  const parts = Array.from({ length: G }, (_, g) => {
    const one = new Conv2d(cg, og, c.k, { stride: c.s, padding: c.p, dilation: c.d, bias: c.bias });
    one.weight.set(w.subarray(g * w.length / G, (g + 1) * w.length / G));
    if (b) one.bias!.set(b.subarray(g * og, (g + 1) * og));
    const xs = new Float32Array(N * cg * H * W);
    for (let n = 0; n < N; n++) xs.set(x.subarray((n * c.cin + g * cg) * H * W, (n * c.cin + (g + 1) * cg) * H * W), n * cg * H * W);
    const y = one.forward(Tensor.from(xs, [N, cg, H, W]));
    const [, , OH, OW] = y.shape as [number, number, number, number];
    const dy = new Float32Array(N * og * OH * OW);
    for (let n = 0; n < N; n++) {
      for (let o = 0; o < og * OH * OW; o++) dy[n * og * OH * OW + o] = DY[(n * c.cout + g * og) * OH * OW + o]!;
    }
    one.zeroGrad();
    const dx = one.backward(Tensor.from(dy, y.shape));
    return { y: y.toFloat32Array(), dx: dx.toFloat32Array(), dw: one.weight.grad.toFloat32Array(), db: one.bias?.grad.toFloat32Array(), OH, OW };
  });
  const { OH, OW } = parts[0]!;
  const y = new Array<number>(N * c.cout * OH * OW), dx = new Array<number>(x.length);
  parts.forEach((p, g) => {
    for (let n = 0; n < N; n++) {
      for (let o = 0; o < og * OH * OW; o++) y[(n * c.cout + g * og) * OH * OW + o] = p.y[n * og * OH * OW + o]!;
      for (let q = 0; q < cg * H * W; q++) dx[(n * c.cin + g * cg) * H * W + q] = p.dx[n * cg * H * W + q]!;
    }
  });
  return {
    shape: [N, c.cout, OH, OW], y, dx, dw: parts.flatMap((p) => Array.from(p.dw)), db: c.bias ? parts.flatMap((p) => Array.from(p.db!)) : [],
  };
}

function expectResult(got: Result, want: Result, label: string, tol: { rtol: number; atol: number }): void {
  expect(got.shape, label).toEqual(want.shape);
  expectClose(Float32Array.from(got.y), want.y, tol, `${label}: output`);
  expectClose(Float32Array.from(got.dx), want.dx, tol, `${label}: input gradient`);
  expectClose(Float32Array.from(got.dw), want.dw, { rtol: tol.rtol, atol: 10 * tol.atol }, `${label}: weight gradient`);
  expectClose(Float32Array.from(got.db), want.db, { rtol: tol.rtol, atol: 10 * tol.atol }, `${label}: bias gradient`);
}

const METHODS: Array<ConvMethod | null> = [null, 'gemm', 'direct', 'pixels'];

describe('Conv2d groups', () => {
  it('equals the same layer computed as separate one-group convolutions, by every method and on the reference backend', () => {
    for (const backend of ['wasm', 'reference'] as const) {
      setBackend(backend);
      for (const method of METHODS) {
        setConvMethod(method);
        CASES.forEach((c, i) => {
          const want = bySlices(c, i);
          expectResult(run(layer(c, i), c, i), want, `${backend} ${method ?? 'auto'} ${JSON.stringify(c)}`, { rtol: 1e-6, atol: 1e-6 });
        });
      }
    }
  });

  it('has weight [out, in / groups, kh, kw], torch’s bound 1/√((in / groups)·kh·kw), and survives a saved file', () => {
    const conv = new Conv2d(6, 4, [3, 2], { groups: 2, generator: new Generator(3) });
    expect(conv.weight.shape).toEqual([4, 3, 3, 2]);
    const bound = 1 / Math.sqrt(3 * 3 * 2);
    for (const v of [...conv.weight.toFloat32Array(), ...conv.bias!.toFloat32Array()]) expect(Math.abs(v)).toBeLessThanOrEqual(bound);
    expect(Math.max(...conv.weight.toFloat32Array().map(Math.abs))).toBeGreaterThan(bound * 0.8);
    expect(conv.toString()).toBe('Conv2d(6, 4, kernel_size=(3, 2), stride=(1, 1), groups=2)');
    const back = loadModel(saveModel(new Sequential(conv)));
    const copy = (back as Sequential).at(0) as Conv2d;
    expect(copy.groups).toBe(2);
    expect(copy.weight.toFloat32Array()).toEqual(conv.weight.toFloat32Array());
    expect(new Conv2d(2, 2, 1).toConfig().args[3]).not.toHaveProperty('groups');
  });

  it('refuses what torch refuses, naming the argument, before building anything', () => {
    expect(() => new Conv2d(3, 4, 3, { groups: 2 })).toThrow(/inChannels must be divisible by groups \(2\), got 3/);
    expect(() => new Conv2d(4, 3, 3, { groups: 2 })).toThrow(/outChannels must be divisible by groups \(2\), got 3/);
    for (const groups of [0, -1, 1.5, NaN, Infinity, 1e39, '2', null]) {
      expect(() => new Conv2d(4, 4, 3, { groups: groups as number }), String(groups)).toThrow(ValueError);
      expect(() => new Conv2d(4, 4, 3, { groups: groups as number }), String(groups)).toThrow(/groups/);
    }
    const conv = new Conv2d(4, 4, 3, { groups: 4 });
    expect(() => conv.forward(Tensor.zeros([1, 2, 5, 5]))).toThrow(/\[batch, 4, height, width\].*got \[1, 2, 5, 5\]/);
  });
});

describe.skipIf(!hasTorch)('Conv2d groups against PyTorch', () => {
  it('outputs, gradients and reprs match torch.nn.Conv2d(groups=…) for every method', () => {
    const payload = CASES.map((c, i) => {
      const conv = layer(c, i);
      return { ...c, x: Array.from(input(c, i)), dy: DY, w: Array.from(conv.weight.toFloat32Array()), b: conv.bias ? Array.from(conv.bias.toFloat32Array()) : [] };
    });
    const torch = runTorch<Array<Result & { repr: string }>>(TORCH_CONV_SCRIPT, payload);
    for (const method of METHODS) {
      setConvMethod(method);
      CASES.forEach((c, i) => {
        const conv = layer(c, i);
        expectResult(run(conv, c, i), torch[i]!, `${method ?? 'auto'} ${JSON.stringify(c)}`, { rtol: 1e-5, atol: 1e-6 });
        expect(conv.toString()).toBe(torch[i]!.repr);
      });
    }
  });
});
