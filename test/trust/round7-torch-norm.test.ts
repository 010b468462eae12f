// Round 7, PyTorch's layers (continued from round7-torch.test.ts): BatchNorm1d / BatchNorm2d
// against real PyTorch (python3-torch 1.13) over several training batches then eval batches —
// momentum 0.1, 0.7 and None (the cumulative average), affine false, track_running_stats false
// (batch statistics in eval mode too), [N, C] and [N, C, L] inputs, a batch of 1 with L = 2 —
// outputs, input gradients and every state-dict entry after each step. These matched without a
// change (see docs/RELIABILITY.md, "Round 7"); the test keeps them so. Skipped with one line
// without PyTorch (an error in CI).
import { describe, expect, it } from 'vitest';
import { BatchNorm1d, BatchNorm2d, ShapeError, Tensor } from '../../src/index.js';
import { expectClose } from '../helpers/heap.js';
import { runTorch, torchAvailable } from '../helpers/torch.js';
import { rejects } from '../helpers/trust.js';

const hasTorch = torchAvailable();

/** Deterministic inputs with a per-position offset, so channels differ in mean and spread. */
const data = (n: number, seed: number): number[] => Array.from({ length: n }, (_, i) => Math.fround(Math.sin(i * 12.9898 + seed * 78.233) * 3 + (i % 3)));

interface Case { kind: 'BatchNorm1d' | 'BatchNorm2d'; c: number; options: Record<string, number | boolean | null>; shapes: number[][] }
const CASES: Case[] = [
  { kind: 'BatchNorm1d', c: 3, options: {}, shapes: [[4, 3], [2, 3], [5, 3]] },
  { kind: 'BatchNorm1d', c: 3, options: { momentum: null }, shapes: [[4, 3], [2, 3], [5, 3, 2]] },
  { kind: 'BatchNorm1d', c: 2, options: { affine: false, eps: 1e-3 }, shapes: [[3, 2, 4], [1, 2, 2]] },
  { kind: 'BatchNorm1d', c: 2, options: { trackRunningStats: false }, shapes: [[3, 2, 4], [2, 2]] },
  { kind: 'BatchNorm2d', c: 2, options: { momentum: 0.7 }, shapes: [[2, 2, 3, 3], [1, 2, 1, 2], [3, 2, 2, 1]] },
  { kind: 'BatchNorm2d', c: 2, options: { momentum: null, affine: false }, shapes: [[2, 2, 3, 3], [1, 2, 1, 2]] },
  { kind: 'BatchNorm2d', c: 2, options: { trackRunningStats: false, momentum: null }, shapes: [[2, 2, 3, 3], [1, 2, 1, 2]] },
];

const SCRIPT = `
import json, math, sys, torch
def data(n, s): return [math.sin(i * 12.9898 + s * 78.233) * 3 + (i % 3) for i in range(n)]
snake = {'trackRunningStats': 'track_running_stats'}
out = []
for ci, c in enumerate(json.load(sys.stdin)):
    m = getattr(torch.nn, c['kind'])(c['c'], **{snake.get(k, k): v for k, v in c['options'].items()})
    steps = []
    for k, (shape, mode) in enumerate([(s, True) for s in c['shapes']] + [(s, False) for s in c['shapes']]):
        m.train(mode)
        n = math.prod(shape)
        x = torch.tensor(data(n, ci * 10 + k), dtype=torch.float32).reshape(shape).requires_grad_()
        y = m(x)
        y.backward(torch.tensor(data(n, 99 + k), dtype=torch.float32).reshape(shape))
        steps.append({'y': y.flatten().tolist(), 'dx': x.grad.flatten().tolist(),
                      'state': {key: v.flatten().tolist() for key, v in m.state_dict().items()}})
    out.append(steps)
print(json.dumps(out))
`;

describe.skipIf(!hasTorch)('BatchNorm against torch over training and eval batches', () => {
  it('outputs, input gradients and running statistics (momentum, None, affine, track_running_stats) match torch.nn.BatchNorm1d / 2d', () => {
    const torch = runTorch<Array<Array<{ y: number[]; dx: number[]; state: Record<string, number[]> }>>>(SCRIPT, CASES);
    CASES.forEach((c, ci) => {
      const Norm = c.kind === 'BatchNorm1d' ? BatchNorm1d : BatchNorm2d;
      const m = new Norm(c.c, c.options);
      const steps = [...c.shapes.map((s) => [s, true] as const), ...c.shapes.map((s) => [s, false] as const)];
      steps.forEach(([shape, training], k) => {
        const label = `${c.kind}(${c.c}, ${JSON.stringify(c.options)}) step ${k} (${training ? 'train' : 'eval'}) on [${shape.join(', ')}]`;
        m.train(training);
        const n = shape.reduce((a, b) => a * b, 1), t = torch[ci]![k]!;
        expectClose(m.forward(Tensor.from(data(n, ci * 10 + k), shape)).toFloat32Array(), t.y, { rtol: 1e-5, atol: 1e-5 }, `${label}: output`);
        // A training batch of 2 values per channel normalises to ±1: its true input gradient is ~0
        // and both libraries give float32 noise of ~1e-6 there.
        expectClose(m.backward(Tensor.from(data(n, 99 + k), shape)).toFloat32Array(), t.dx, { rtol: 1e-4, atol: 2e-6 }, `${label}: input gradient`);
        const state = m.stateDict();
        expect(Object.keys(state), label).toEqual(Object.keys(t.state));
        for (const [key, values] of Object.entries(t.state)) expectClose(state[key]!.data, values, { rtol: 1e-5, atol: 1e-6 }, `${label}: ${key}`);
      });
    });
  });

  it('a training batch with one value per channel is refused as torch refuses it', () => {
    const want = runTorch<string>(`import json, torch
try: torch.nn.BatchNorm1d(3)(torch.zeros(1, 3)); print(json.dumps(''))
except ValueError as e: print(json.dumps(str(e)))`);
    expect(want).toMatch(/Expected more than 1 value per channel when training/);
    rejects(() => new BatchNorm1d(3).forward(Tensor.zeros([1, 3])), ShapeError, /expected more than 1 value per channel in training mode, got input \[1, 3\]/);
    rejects(() => new BatchNorm2d(2, { trackRunningStats: false }).eval().forward(Tensor.zeros([1, 2, 1, 1])), ShapeError, /more than 1 value per channel with trackRunningStats: false/);
  });
});
