// Conv2d's padding 'same' / 'valid' against real PyTorch (python3-torch): odd and even kernels
// (torch puts the odd zero at the bottom / right), dilation, non-square everything; output,
// input gradient, weight and bias gradients for a given gradOutput, and repr. Skipped with one
// line when PyTorch is missing (not in CI).
import { describe, expect, it } from 'vitest';
import { Conv2d, Generator, Tensor } from '../../src/index.js';
import { TORCH_CONV_SCRIPT } from '../helpers/conv.js';
import { expectClose, randomArray } from '../helpers/heap.js';
import { runTorch, torchAvailable } from '../helpers/torch.js';

const hasTorch = torchAvailable();

/** [inChannels, outChannels, kernel, padding, dilation, bias, input shape]. */
const CASES: Array<[number, number, number | [number, number], 'same' | 'valid', number | [number, number], boolean, number[]]> = [
  [2, 3, 3, 'same', 1, true, [2, 2, 5, 6]],
  [2, 3, 4, 'same', 1, true, [2, 2, 5, 6]], // even kernel: one extra zero at the bottom and the right
  [1, 2, [2, 3], 'same', 1, false, [1, 1, 4, 7]], // extra zero at the bottom only
  [3, 2, [3, 4], 'same', [1, 1], true, [2, 3, 5, 5]], // at the right only
  [2, 2, 2, 'same', 2, true, [1, 2, 6, 5]], // even kernel, even dilation: symmetric again
  [2, 2, [4, 2], 'same', [3, 1], true, [1, 2, 9, 4]],
  [1, 1, 2, 'same', 1, true, [1, 1, 1, 1]], // 1×1 image
  [2, 3, [3, 2], 'valid', 1, true, [2, 2, 5, 6]],
];

describe.skipIf(!hasTorch)("Conv2d padding 'same' / 'valid' against PyTorch", () => {
  it('outputs, gradients and reprs match torch.nn.Conv2d', () => {
    const dy = Array.from(randomArray(4096, 11, -1, 1));
    const layers = CASES.map(([cin, cout, k, padding, d, bias], i) => new Conv2d(cin, cout, k, { padding, dilation: d, bias, generator: new Generator(i + 1) }));
    const inputs = CASES.map(([, , , , , , shape], i) => Array.from(randomArray(shape.reduce((a, b) => a * b, 1), 100 + i, -1, 1)));
    const payload = CASES.map(([cin, cout, k, padding, d, bias, shape], i) => ({
      cin, cout, k, p: padding, d, bias, shape, x: inputs[i], dy,
      w: Array.from(layers[i]!.weight.toFloat32Array()), b: layers[i]!.bias ? Array.from(layers[i]!.bias!.toFloat32Array()) : [],
    }));
    const torch = runTorch<Array<{ shape: number[]; y: number[]; dx: number[]; dw: number[]; db: number[]; repr: string }>>(TORCH_CONV_SCRIPT, payload);
    CASES.forEach((c, i) => {
      const label = JSON.stringify(c), conv = layers[i]!, t = torch[i]!;
      const y = conv.forward(Tensor.from(inputs[i]!, c[6]));
      expect(y.shape, label).toEqual(t.shape);
      if (c[3] === 'same') expect(y.shape.slice(2), label).toEqual(c[6].slice(2));
      expectClose(y.toFloat32Array(), t.y, { rtol: 1e-5, atol: 1e-6 }, `${label}: output`);
      conv.zeroGrad();
      const dx = conv.backward(Tensor.from(dy.slice(0, y.size), y.shape));
      expect(dx.shape, label).toEqual(c[6]);
      expectClose(dx.toFloat32Array(), t.dx, { rtol: 1e-5, atol: 1e-6 }, `${label}: input gradient`);
      expectClose(conv.weight.grad.toFloat32Array(), t.dw, { rtol: 1e-5, atol: 1e-5 }, `${label}: weight gradient`);
      if (conv.bias) expectClose(conv.bias.grad.toFloat32Array(), t.db, { rtol: 1e-5, atol: 1e-5 }, `${label}: bias gradient`);
      expect(conv.toString(), label).toBe(t.repr);
    });
  });
});
