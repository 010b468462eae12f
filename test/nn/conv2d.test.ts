// Conv2d: forward against a float64 direct convolution at odd geometries, backward against
// finite differences (gradcheck), validation of every argument and input, repr and config.
import { describe, expect, it } from 'vitest';
import { Conv2d, Generator, Sequential, ShapeError, StateError, Tensor, ValueError, gradcheck, loadModel, memoryStats, saveModel } from '../../src/index.js';
import { GEOMETRIES, GRADCHECK_CASES, expectForwardMatchesDefinition } from '../helpers/conv.js';
import { expectClose, randomArray } from '../helpers/heap.js';

const rand = (shape: number[], seed: number): Tensor => Tensor.from(randomArray(shape.reduce((a, b) => a * b, 1), seed), shape);

describe('Conv2d', () => {
  it.each(GEOMETRIES)('forward = the float64 definition: C=%i H=%i W=%i k=%i×%i s=%i×%i p=%i×%i d=%i×%i', (...g) => {
    const [C, H, W, KH, KW, SH, SW, PH, PW, DH, DW] = g;
    for (const [N, O, bias] of [[1, 1, true], [3, 5, false], [2, 8, true]] as const) {
      const conv = new Conv2d(C, O, [KH, KW], { stride: [SH, SW], padding: [PH, PW], dilation: [DH, DW], bias, generator: new Generator(N + O) });
      expectForwardMatchesDefinition(conv, rand([N, C, H, W], 3), N, O, g);
    }
  });

  it.each(GRADCHECK_CASES)('backward matches finite differences: Conv2d(%i, %i, %j, %j) on %j', (cin, cout, k, options, shape) => {
    const conv = new Conv2d(cin, cout, k as number, { ...(options as object), generator: new Generator(5) });
    const r = gradcheck(conv, rand([...shape], 9));
    expect(r.ok, JSON.stringify(r.worst)).toBe(true);
    expect(r.checked).toBe((shape as readonly number[]).reduce((a, b) => a * b, 1) + conv.parameters().reduce((a, p) => a + p.size, 0));
  });

  it('accumulates parameter gradients over calls, as every module does', () => {
    const conv = new Conv2d(1, 2, 3, { generator: new Generator(1) });
    const x = rand([2, 1, 4, 4], 1), dy = rand([2, 2, 2, 2], 2);
    conv.forward(x);
    conv.backward(dy);
    const once = conv.weight.grad.toFloat32Array();
    conv.forward(x);
    conv.backward(dy);
    expectClose(conv.weight.grad.toFloat32Array(), once.map((v) => 2 * v), { rtol: 1e-6, atol: 1e-7 }, 'twice');
  });

  it('has torch default init bounds, parameter names, repr and config', () => {
    const conv = new Conv2d(6, 16, 5, { generator: new Generator(2) });
    const bound = 1 / Math.sqrt(6 * 25);
    expect(Math.max(...conv.weight.toFloat32Array().map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...conv.bias!.toFloat32Array().map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(conv.namedParameters().map(([n, p]) => [n, p.shape])).toEqual([['weight', [16, 6, 5, 5]], ['bias', [16]]]);
    expect(conv.toString()).toBe('Conv2d(6, 16, kernel_size=(5, 5), stride=(1, 1))');
    const other = new Conv2d(1, 6, [5, 3], { padding: 2, stride: [1, 2], dilation: 2, bias: false });
    expect(other.toString()).toBe('Conv2d(1, 6, kernel_size=(5, 3), stride=(1, 2), padding=(2, 2), dilation=(2, 2), bias=False)');
    const { args } = other.toConfig();
    expect(args).toEqual([1, 6, [5, 3], { stride: [1, 2], padding: 2, dilation: 2, bias: false }]);
    expect(new Conv2d(...args).toString()).toBe(other.toString());
    expect(JSON.parse(JSON.stringify(args))).toEqual(args);
  });

  it('rejects bad constructor arguments with a ValueError naming them', () => {
    const bad: Array<[unknown[], RegExp]> = [
      [[null, 2, 3], /inChannels must be a finite number, got null/],
      [[1, NaN, 3], /outChannels must be a finite number, got NaN/],
      [[1.5, 2, 3], /inChannels must be an integer, got 1.5/],
      [[1, -1, 3], /outChannels must be ≥ 1, got -1/],
      [[1, 1e39, 3], /outChannels must .*1e\+39/],
      [[1, 2 ** 25, 3], /outChannels must be ≤ 16777216, got 33554432/],
      [[1, 2, 0], /kernelSize\[0\] must be ≥ 1, got 0/],
      [[1, 2, [3]], /kernelSize must be a number or a pair \[height, width\], got an array of length 1/],
      [[1, 2, [3, 3, 3]], /array of length 3/],
      [[1, 2, [3, 'a']], /kernelSize\[1\] must be a finite number, got 'a'/],
      [[1, 2, 3, { stride: 0 }], /stride\[0\] must be ≥ 1/],
      [[1, 2, 3, { padding: -1 }], /padding\[0\] must be ≥ 0/],
      [[1, 2, 3, { dilation: [1, 1.5] }], /dilation\[1\] must be an integer/],
      [[1, 2, 3, { bias: 'yes' }], /bias must be true or false/],
      [[1, 2, 3, { paddingMode: 'reflect' }], /option 'paddingMode' \(torch's padding_mode\) is not offered beyond torch's default 'zeros', got 'reflect': wasmnn pads with zeros only/],
      [[1, 2, 3, null], /options must be an object, got null/],
      [[4096, 4096, 4096], /at most 2\^28/],
    ];
    for (const [args, message] of bad) {
      expect(() => new (Conv2d as unknown as new (...a: unknown[]) => Conv2d)(...args), String(args)).toThrow(ValueError);
      expect(() => new (Conv2d as unknown as new (...a: unknown[]) => Conv2d)(...args)).toThrow(message);
    }
  });

  it('rejects wrong inputs and gradients with errors naming the layer, the expected and the actual shape', () => {
    const conv = new Conv2d(3, 4, [3, 5], { padding: [1, 0] });
    expect(() => conv.forward(Tensor.zeros([2, 3, 8]))).toThrow(/Conv2d.forward: input must have shape \[batch, 3, height, width\].*got \[2, 3, 8\]/);
    expect(() => conv.forward(Tensor.zeros([2, 2, 8, 8]))).toThrow(ShapeError);
    expect(() => conv.forward(Tensor.zeros([0, 3, 8, 8]))).toThrow(ShapeError);
    expect(() => conv.forward(Tensor.zeros([1, 3, 1, 4]))).toThrow(/Conv2d.forward: input \[1, 3, 1, 4\] is too small.*width ≥ 5/);
    expect(() => conv.forward(null as unknown as Tensor)).toThrow(ValueError);
    expect(() => conv.backward(Tensor.zeros([1, 4, 1, 1]))).toThrow(StateError);
    const y = conv.forward(Tensor.zeros([2, 3, 4, 6]));
    expect(y.shape).toEqual([2, 4, 4, 2]);
    expect(() => conv.backward(Tensor.zeros([2, 4, 4, 3]))).toThrow(/gradOutput must have the shape of the last output \[2, 4, 4, 2\].*got \[2, 4, 4, 3\]/);
    const x = Tensor.zeros([1, 3, 4, 6]);
    conv.forward(x);
    x.dispose();
    expect(() => conv.backward(Tensor.zeros([1, 4, 4, 2]))).toThrow(/disposed/);
  });

  it('allocates nothing per step once the shapes are known', () => {
    const conv = new Conv2d(3, 8, 3, { padding: 1 });
    const x = rand([4, 3, 9, 9], 1), dy = rand([4, 8, 9, 9], 2);
    conv.forward(x);
    conv.backward(dy);
    const before = memoryStats();
    for (let i = 0; i < 5; i++) {
      conv.forward(x);
      conv.backward(dy);
    }
    const after = memoryStats();
    expect(after.blocksInUse).toBe(before.blocksInUse);
    expect(after.bytesInUse).toBe(before.bytesInUse);
  });

  it("padding 'same' keeps the size (odd zero at the bottom / right), matches finite differences, round-trips its config", () => {
    for (const [k, d] of [[3, 1], [4, 1], [[2, 3], 1], [2, 2], [[4, 2], [3, 1]]] as Array<[number | [number, number], number | [number, number]]>) {
      const conv = new Conv2d(2, 3, k, { padding: 'same', dilation: d, generator: new Generator(4) });
      const x = rand([2, 2, 5, 4], 9);
      expect(conv.forward(x).shape).toEqual([2, 3, 5, 4]);
      const r = gradcheck(conv, x);
      expect(r.ok, `${JSON.stringify([k, d])} ${JSON.stringify(r.worst)}`).toBe(true);
      const again = new Conv2d(...conv.toConfig().args);
      expect(again.toString()).toBe(conv.toString());
      expect(conv.toConfig().args[3].padding).toBe('same');
    }
    // 'same' with a 4×4 kernel = padding 1 plus one zero row / column at the end: compare with an explicit pad.
    const same = new Conv2d(1, 1, 4, { padding: 'same', bias: false, generator: new Generator(2) });
    const plain = new Conv2d(1, 1, 4, { padding: 1, bias: false, generator: new Generator(2) });
    const x = rand([1, 1, 3, 3], 5), xv = x.toFloat32Array();
    const padded = Tensor.from([xv[0]!, xv[1]!, xv[2]!, 0, xv[3]!, xv[4]!, xv[5]!, 0, xv[6]!, xv[7]!, xv[8]!, 0, 0, 0, 0, 0], [1, 1, 4, 4]);
    expect(Array.from(same.forward(x).toFloat32Array())).toEqual(Array.from(plain.forward(padded).toFloat32Array()));
    expect(new Conv2d(1, 1, 3, { padding: 'valid' }).forward(rand([1, 1, 5, 4], 1)).shape).toEqual([1, 1, 3, 2]);
    const loaded = loadModel(saveModel(new Sequential(same)));
    expect(Array.from(loaded.forward(x).toFloat32Array())).toEqual(Array.from(same.forward(x).toFloat32Array()));
    expect(loaded.toString()).toContain('padding=same');
  });

  it("refuses 'same' with a stride, other strings, and allocates nothing per step", () => {
    expect(() => new Conv2d(1, 1, 3, { padding: 'same', stride: 2 })).toThrow(/padding 'same' needs stride 1 \(as torch\), got stride \(2, 2\)/);
    expect(() => new Conv2d(1, 1, 3, { padding: 'same', stride: [1, 2] })).toThrow(ValueError);
    expect(() => new Conv2d(1, 1, 3, { padding: 'full' as 'same' })).toThrow(/padding must be a number, a pair \[height, width\], 'same' or 'valid', got 'full'/);
    expect(() => new Conv2d(1, 1, 3, { padding: 'SAME' as 'same' })).toThrow(ValueError);
    const conv = new Conv2d(2, 2, 4, { padding: 'same' });
    const x = rand([2, 2, 6, 6], 3), dy = rand([2, 2, 6, 6], 4);
    conv.forward(x);
    conv.backward(dy);
    const before = memoryStats().bytesInUse;
    for (let i = 0; i < 3; i++) {
      conv.forward(x);
      conv.backward(dy);
    }
    expect(memoryStats().bytesInUse).toBe(before);
  });
});
