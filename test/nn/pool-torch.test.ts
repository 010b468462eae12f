// MaxPool2d / AvgPool2d options (ceil_mode, dilation, count_include_pad, divisor_override) and
// AdaptiveAvgPool2d (overlapping, 1-pixel and None-sized windows)
// against real PyTorch (python3-torch): output shape, output, input gradient for a given
// gradOutput, and repr, over configurations chosen to hit ceil mode's cut and dropped windows.
// Skipped with one line when PyTorch is missing (not in CI).
import { describe, expect, it } from 'vitest';
import { AdaptiveAvgPool2d, AvgPool2d, MaxPool2d, Tensor } from '../../src/index.js';
import { expectClose } from '../helpers/heap.js';
import { runTorch, torchAvailable } from '../helpers/torch.js';

const hasTorch = torchAvailable();

const SCRIPT = `
import json, sys, torch
cases = json.load(sys.stdin)
out = []
for c in cases:
    Pool = {'max': torch.nn.MaxPool2d, 'avg': torch.nn.AvgPool2d, 'adaptive': torch.nn.AdaptiveAvgPool2d}[c['kind']]
    tup = lambda v: tuple(v) if isinstance(v, list) else v
    m = Pool(*[tup(a) for a in c['args']], **{k: tup(v) for k, v in c['kwargs'].items()})
    x = torch.tensor(c['x'], dtype=torch.float32).reshape(c['shape']).requires_grad_()
    y = m(x)
    g = torch.tensor(c['dy'][:y.numel()], dtype=torch.float32).reshape(y.shape)
    y.backward(g)
    out.append({'shape': list(y.shape), 'y': y.detach().flatten().tolist(), 'dx': x.grad.flatten().tolist(), 'repr': repr(m)})
print(json.dumps(out))
`;

type Kw = Record<string, unknown>;
/** [kind, kernel, torch kwargs, input shape]; our options are the camelCase of torch's. */
const CASES: Array<['max' | 'avg' | 'adaptive', number | [number | null, number | null], Kw, number[]]> = [
  ['max', 3, { stride: 2, padding: 1, ceil_mode: true }, [2, 3, 8, 7]],
  ['max', 2, { ceil_mode: true }, [1, 2, 5, 7]],
  ['max', 2, { stride: 2, padding: 1, ceil_mode: true }, [1, 1, 5, 6]], // last window would start in the padding: dropped
  ['max', 3, { stride: 1, dilation: 2 }, [1, 2, 7, 8]],
  ['max', [3, 2], { stride: [2, 1], padding: [1, 1], dilation: [2, 3], ceil_mode: true }, [2, 1, 9, 9]],
  ['max', 3, { ceil_mode: true }, [1, 1, 1, 2]],
  ['avg', 3, { stride: 2, padding: 1, ceil_mode: true }, [2, 3, 8, 7]],
  ['avg', 3, { stride: 2, padding: 1, ceil_mode: true, count_include_pad: false }, [2, 2, 6, 5]],
  ['avg', [2, 3], { stride: [2, 2], ceil_mode: true }, [1, 2, 5, 6]],
  ['avg', 2, { padding: 1, count_include_pad: false }, [1, 2, 5, 4]],
  ['avg', [3, 2], { stride: 1, padding: [1, 0], divisor_override: 5 }, [1, 2, 4, 5]],
  ['avg', 3, { stride: 2, padding: 1, ceil_mode: true, divisor_override: 2 }, [1, 1, 6, 6]],
  ['avg', 2, { stride: 2, padding: 1, ceil_mode: true }, [1, 1, 5, 6]],
  ['adaptive', 1, {}, [2, 3, 5, 7]], // global average pooling
  ['adaptive', [3, 2], {}, [2, 2, 5, 7]], // overlapping windows
  ['adaptive', [4, 9], {}, [1, 2, 3, 4]], // more outputs than pixels: repeated 1-pixel windows
  ['adaptive', [null, 3], {}, [1, 2, 4, 10]],
  ['adaptive', 7, {}, [2, 1, 14, 14]],
];

const camel = (k: string): string => k.replace(/_(\w)/g, (_, c: string) => c.toUpperCase());

describe.skipIf(!hasTorch)('pooling options against PyTorch', () => {
  it('outputs, input gradients and reprs match torch.nn.MaxPool2d / AvgPool2d / AdaptiveAvgPool2d', () => {
    const inputs = CASES.map(([, , , shape], i) => {
      const n = shape.reduce((a, b) => a * b, 1);
      // Distinct values (no max ties) in a scrambled order.
      return Array.from({ length: n }, (_, j) => Math.fround(((j * 7919 + i * 31) % (2 * n + 1)) / 8 - n / 8));
    });
    const dy = Array.from({ length: 4096 }, (_, j) => Math.fround(Math.cos(j * 0.7)));
    const payload = CASES.map(([kind, k, kwargs, shape], i) => ({
      kind, args: [k], kwargs, shape, x: inputs[i], dy,
    }));
    const torch = runTorch<Array<{ shape: number[]; y: number[]; dx: number[]; repr: string }>>(SCRIPT, payload);
    CASES.forEach(([kind, k, kwargs, shape], i) => {
      const options = Object.fromEntries(Object.entries(kwargs).map(([key, v]) => [camel(key), v]));
      const pool = kind === 'adaptive' ? new AdaptiveAvgPool2d(k) : kind === 'max' ? new MaxPool2d(k as number, options) : new AvgPool2d(k as number, options);
      const label = `${kind} ${JSON.stringify(k)} ${JSON.stringify(kwargs)} on ${JSON.stringify(shape)}`;
      const y = pool.forward(Tensor.from(inputs[i]!, shape));
      expect(y.shape, label).toEqual(torch[i]!.shape);
      expectClose(y.toFloat32Array(), torch[i]!.y, { rtol: 1e-6, atol: 1e-6 }, `${label}: output`);
      const n = y.shape.reduce((a, b) => a * b, 1);
      const dx = pool.backward(Tensor.from(dy.slice(0, n), y.shape));
      expectClose(dx.toFloat32Array(), torch[i]!.dx, { rtol: 1e-6, atol: 1e-6 }, `${label}: input gradient`);
      expect(pool.toString(), label).toBe(torch[i]!.repr);
    });
  });
});
