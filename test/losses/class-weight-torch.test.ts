// NLLLoss and CrossEntropyLoss with torch's weight, ignore_index and label_smoothing against
// real PyTorch (python3-torch): the loss value and the gradient w.r.t. the prediction, both
// reductions, class indices (with ignored rows) and probability targets. Skipped with one line
// when PyTorch is missing (not in CI).
import { describe, expect, it } from 'vitest';
import { CrossEntropyLoss, LogSoftmax, NLLLoss, Tensor } from '../../src/index.js';
import { expectClose } from '../helpers/heap.js';
import { runTorch, torchAvailable } from '../helpers/torch.js';

const hasTorch = torchAvailable();

const SCRIPT = `
import json, sys, torch
out = []
for c in json.load(sys.stdin):
    x = torch.tensor(c['x'], dtype=torch.float32).reshape(c['shape']).requires_grad_()
    kw = {'reduction': c['reduction']}
    if c.get('weight') is not None: kw['weight'] = torch.tensor(c['weight'], dtype=torch.float32)
    if c.get('ignore') is not None: kw['ignore_index'] = c['ignore']
    if c['kind'] == 'nll':
        loss = torch.nn.NLLLoss(**kw)(x.log_softmax(1), torch.tensor(c['y'], dtype=torch.long))
    else:
        if c.get('eps') is not None: kw['label_smoothing'] = c['eps']
        y = torch.tensor(c['y'], dtype=torch.float32).reshape(c['shape']) if c.get('soft') else torch.tensor(c['y'], dtype=torch.long)
        loss = torch.nn.CrossEntropyLoss(**kw)(x, y)
    loss.backward()
    out.append({'loss': loss.item(), 'grad': x.grad.flatten().tolist()})
print(json.dumps(out))
`;

interface Case { kind: 'nll' | 'ce'; reduction: 'mean' | 'sum'; weight?: number[]; ignore?: number; eps?: number; soft?: boolean; y: number[] }
const ROWS = 7, C = 4;
const Y = [0, 3, -100, 1, 3, 2, -100];
const Y2 = [0, 3, 2, 1, 3, 2, 2]; // ignore_index = 2, a real class
const W = [0.5, 2, 1.25, 0];
const SOFT = Array.from({ length: ROWS * C }, (_, i) => Math.fround((Math.sin(i) + 1.2) / 8));
const CASES: Case[] = (['mean', 'sum'] as const).flatMap((reduction) => [
  { kind: 'nll', reduction, y: Y },
  { kind: 'nll', reduction, weight: W, y: Y },
  { kind: 'nll', reduction, weight: W, ignore: 2, y: Y2 },
  { kind: 'ce', reduction, y: Y },
  { kind: 'ce', reduction, weight: W, y: Y },
  { kind: 'ce', reduction, eps: 0.2, y: Y },
  { kind: 'ce', reduction, weight: W, eps: 0.1, y: Y },
  { kind: 'ce', reduction, weight: W, eps: 1, ignore: 2, y: Y2 },
  { kind: 'ce', reduction, weight: W, soft: true, y: SOFT },
  { kind: 'ce', reduction, eps: 0.3, soft: true, y: SOFT },
  { kind: 'ce', reduction, weight: W, eps: 0.05, soft: true, y: SOFT },
] as Case[]);

describe.skipIf(!hasTorch)('class weights, ignored targets and label smoothing against PyTorch', () => {
  it('value and gradient match torch.nn.NLLLoss / CrossEntropyLoss', () => {
    const X = Array.from({ length: ROWS * C }, (_, i) => Math.fround(Math.cos(i * 1.3) * 3));
    const torch = runTorch<Array<{ loss: number; grad: number[] }>>(SCRIPT, CASES.map((c) => ({ ...c, x: X, shape: [ROWS, C] })));
    const logSoftmax = new LogSoftmax(1);
    CASES.forEach((c, i) => {
      const label = JSON.stringify({ ...c, y: c.soft ? 'probabilities' : c.y });
      const options = { reduction: c.reduction, ...(c.weight ? { weight: c.weight } : {}), ...(c.ignore !== undefined ? { ignoreIndex: c.ignore } : {}) };
      const x = Tensor.from(X, [ROWS, C]);
      let value: number, grad: Float32Array;
      if (c.kind === 'nll') {
        const loss = new NLLLoss(options);
        const logp = logSoftmax.forward(x);
        value = loss.forward(logp, c.y);
        grad = Float32Array.from(logSoftmax.backward(loss.backward()).toFloat32Array());
      } else {
        const loss = new CrossEntropyLoss({ ...options, ...(c.eps !== undefined ? { labelSmoothing: c.eps } : {}) });
        value = loss.forward(x, c.soft ? Tensor.from(c.y, [ROWS, C]) : c.y);
        grad = Float32Array.from(loss.backward().toFloat32Array());
      }
      expect(Math.abs(value - torch[i]!.loss), `${label}: loss ${value} vs torch ${torch[i]!.loss}`).toBeLessThan(2e-6 * Math.max(1, Math.abs(torch[i]!.loss)));
      expectClose(grad, torch[i]!.grad, { rtol: 1e-5, atol: 1e-6 }, `${label}: gradient`);
    });
  });
});
