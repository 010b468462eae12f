// Conv2d through the three convolution methods of src/backend/ops-conv.ts (conv-direct.ts,
// conv-pixels.ts and conv-pixels-grad.ts, im2col + GEMM), each forced for every pass: forward against the float64 definition at the odd
// geometries, backward against finite differences, and the two methods against each other.
import { afterEach, describe, expect, it } from 'vitest';
import { Conv2d, Generator, Tensor, gradcheck, init, memoryStats } from '../../src/index.js';
import { setBackend } from '../../src/backend/runtime.js';
import { convMethods, scratchSize, setConvMethod, type ConvMethod } from '../../src/backend/ops-conv.js';
import { GEOMETRIES, GRADCHECK_CASES, expectForwardMatchesDefinition } from '../helpers/conv.js';
import { expectClose, randomArray } from '../helpers/heap.js';

const rand = (shape: number[], seed: number): Tensor => Tensor.from(randomArray(shape.reduce((a, b) => a * b, 1), seed), shape);
afterEach(() => setConvMethod(null));

describe.each(['direct', 'pixels', 'gemm'] as const)('Conv2d computed by %s', (method: ConvMethod) => {
  it.each(GEOMETRIES)('forward = the float64 definition: C=%i H=%i W=%i k=%i×%i s=%i×%i p=%i×%i d=%i×%i', (...g) => {
    setConvMethod(method);
    const [C, H, W, KH, KW, SH, SW, PH, PW, DH, DW] = g;
    for (const [N, O, bias] of [[1, 1, true], [2, 6, false], [3, 9, true], [1, 16, true]] as const) {
      const conv = new Conv2d(C, O, [KH, KW], { stride: [SH, SW], padding: [PH, PW], dilation: [DH, DW], bias, generator: new Generator(N + O) });
      expectForwardMatchesDefinition(conv, rand([N, C, H, W], 3), N, O, g);
      conv.dispose();
    }
  });

  it.each([
    ...GRADCHECK_CASES,
    [3, 5, 3, { padding: 4, dilation: 2 }, [1, 3, 2, 3]], // padding past the kernel's reach: the input gradient crops
    [4, 6, [2, 3], { padding: [1, 0] }, [2, 4, 3, 5]],
  ] as const)('backward matches finite differences: Conv2d(%i, %i, %j, %j) on %j', (cin, cout, k, options, shape) => {
    setConvMethod(method);
    const conv = new Conv2d(cin, cout, k as number, { ...(options as object), generator: new Generator(5) });
    const r = gradcheck(conv, rand([...shape], 9));
    expect(r.ok, JSON.stringify(r.worst)).toBe(true);
    conv.dispose();
  });
});

describe('the two convolution methods', () => {
  it.each([
    [1, 6, 5, 2, 28, 1], [6, 16, 5, 0, 14, 1], [3, 7, 3, 1, 9, 1], [5, 4, 3, 1, 6, 2], [2, 3, 3, 1, 8, 1],
  ])('agree on forward, input and parameter gradients: Conv2d(%i, %i, %i, padding %i) on %i×%i, stride %i', (C, O, k, pad, hw, stride) => {
    const results: Record<string, Float32Array[]> = {};
    for (const method of ['direct', 'pixels', 'gemm'] as const) {
      setConvMethod(method);
      const conv = new Conv2d(C, O, k, { padding: pad, stride, generator: new Generator(3) });
      const x = rand([3, C, hw, hw], 4);
      const y = conv.forward(x);
      const dx = conv.backward(rand(y.shape as number[], 5));
      results[method] = [y.toFloat32Array(), dx.toFloat32Array(), conv.weight.grad.toFloat32Array(), conv.bias!.grad.toFloat32Array()];
      conv.dispose();
    }
    const K = C * k * k;
    for (const method of ['direct', 'pixels']) results[method]!.forEach((a, i) => expectClose(a, results.gemm![i]!, { rtol: 1e-5, atol: 1e-5 * K }, `${method} part ${i}`));
  });

  it('are chosen per pass as documented for the LeNet layers', () => {
    const conv1 = { N: 64, C: 1, H: 28, W: 28, O: 6, KH: 5, KW: 5, SH: 1, SW: 1, PH: 2, PW: 2, DH: 1, DW: 1, OH: 28, OW: 28 };
    const conv2 = { ...conv1, C: 6, H: 14, W: 14, O: 16, PH: 0, PW: 0, OH: 10, OW: 10 };
    expect(convMethods(conv1)).toEqual({ forward: 'pixels', inputGrad: 'pixels', weightGrad: 'pixels' });
    expect(convMethods(conv2)).toEqual({ forward: 'direct', inputGrad: 'pixels', weightGrad: 'direct' });
    // Pixel lanes for the input gradient need column stride 1 and half a vector of real pixels per row.
    expect(convMethods({ ...conv2, W: 5, OW: 1 }).inputGrad).toBe('gemm');
    expect(convMethods({ ...conv2, W: 6, OW: 2 }).inputGrad).toBe('pixels');
    expect(convMethods({ ...conv2, O: 1 }).forward).toBe('gemm'); // a quarter of either kind of lane
    expect(convMethods({ ...conv1, O: 4, OW: 14 }).forward).toBe('direct');
    expect(convMethods({ ...conv1, C: 8, SW: 2 }).inputGrad).toBe('gemm');
  });

  it('the scratch size kept with a geometry follows the kernel set and the thread count', async () => {
    // Stride 2: the input gradient takes the GEMM (col2im), whose packing scratch the WASM set has.
    const g = { N: 2, C: 64, H: 32, W: 32, O: 64, KH: 3, KW: 3, SH: 2, SW: 2, PH: 1, PW: 1, DH: 1, DW: 1, OH: 16, OW: 16 };
    expect(convMethods(g).inputGrad).toBe('gemm');
    const fresh = (): number => scratchSize({ ...g });
    try {
      setBackend('reference');
      const reference = scratchSize(g);
      expect(reference).toBe(fresh());
      setBackend('wasm');
      expect(scratchSize(g)).toBe(fresh());
      expect(scratchSize(g)).toBeGreaterThan(reference); // the WASM GEMM packs, the reference does not
      await init({ threads: 2 });
      expect(scratchSize(g)).toBe(fresh());
    } finally {
      setBackend('wasm');
      await init({ threads: 1 });
    }
    expect(scratchSize(g)).toBe(fresh());
  });

  it('the slice of each thread is what the chosen methods need: no im2col matrix when no pass runs the GEMM', () => {
    // 64 channels, 3×3, 224×224: direct forward and weight gradient, pixel-lane input gradient. The
    // im2col matrix alone is K·P = 576·50 176 floats (115 MB), which every slice held before.
    const g = { N: 1, C: 64, H: 224, W: 224, O: 64, KH: 3, KW: 3, SH: 1, SW: 1, PH: 1, PW: 1, DH: 1, DW: 1, OH: 224, OW: 224 };
    expect(convMethods(g)).toEqual({ forward: 'direct', inputGrad: 'pixels', weightGrad: 'direct' });
    const im2col = 576 * 224 * 224;
    expect(scratchSize(g)).toBeLessThan(im2col); // the whole backward scratch: weights, one slice, dyᵀ, …
    // Forcing the GEMM brings the matrix back (the plan follows the forced method).
    try {
      setConvMethod('gemm');
      expect(scratchSize({ ...g })).toBeGreaterThan(im2col);
    } finally {
      setConvMethod(null);
    }
  });

  it('a forward alone allocates only the forward part of the scratch (inference never holds dyᵀ)', () => {
    const conv = new Conv2d(1, 6, 5, { padding: 2, generator: new Generator(1) });
    const g = { N: 16, C: 1, H: 28, W: 28, O: 6, KH: 5, KW: 5, SH: 1, SW: 1, PH: 2, PW: 2, DH: 1, DW: 1, OH: 28, OW: 28 };
    // The training scratch also holds dyᵀ [N, P, O4] = 16·784·8 floats that a forward never needs.
    expect(scratchSize(g) - scratchSize(g, 'forward')).toBeGreaterThanOrEqual(16 * 784 * 8);
    const x = rand([16, 1, 28, 28], 1), dy = rand([16, 6, 28, 28], 2);
    const before = memoryStats().bytesInUse;
    conv.forward(x);
    const afterForward = memoryStats().bytesInUse;
    conv.backward(dy);
    const afterBackward = memoryStats().bytesInUse;
    expect(afterBackward - afterForward).toBeGreaterThanOrEqual(4 * (scratchSize(g) - scratchSize(g, 'forward')));
    expect(afterForward - before).toBeLessThan(4 * scratchSize(g));
    // Training after that: the forward fits in the grown workspace, nothing more is allocated.
    conv.forward(x);
    conv.backward(dy);
    expect(memoryStats().bytesInUse).toBe(afterBackward);
    conv.dispose();
  });
});

