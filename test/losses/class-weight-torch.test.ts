// NLLLoss and CrossEntropyLoss with torch's weight, ignore_index and label_smoothing against
// real PyTorch (python3-torch): the loss value and the gradient w.r.t. the prediction, both
// reductions, class indices (with ignored rows) and probability targets. Skipped with one line
// when PyTorch is missing (not in CI).
import { describe, expect, it } from 'vitest';
import { CrossEntropyLoss, LogSoftmax, NLLLoss, NonFiniteLossError, Tensor } from '../../src/index.js';
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
    if c['reduction'] == 'none':
        out.append({'rows': loss.tolist()})
        continue
    loss.backward()
    # 9 digits: float32 exactly; NaN (JSON has none) as the string 'nan'
    num = lambda v: float('%.9g' % v) if v == v else 'nan'
    out.append({'loss': num(loss.item()), 'grad': [num(g) for g in x.grad.flatten().tolist()]})
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

  it('per row (torch\'s reduction \'none\', which we do not offer: each row\'s \'sum\' alone), a batch of only ignored rows, a batch of many chunks', () => {
    const X = Array.from({ length: ROWS * C }, (_, i) => Math.fround(Math.cos(i * 0.7) * 4));
    const perRow: Case[] = [
      { kind: 'ce', reduction: 'none' as 'sum', weight: W, eps: 0.2, y: Y },
      { kind: 'nll', reduction: 'none' as 'sum', weight: W, y: Y },
    ];
    const allIgnored: Case[] = (['mean', 'sum'] as const).flatMap((reduction) => [
      { kind: 'ce', reduction, weight: W, eps: 0.1, y: new Array<number>(ROWS).fill(-100) },
      { kind: 'nll', reduction, y: new Array<number>(ROWS).fill(-100) },
    ] as Case[]);
    // 3400 × 5 = 17000 elements: more than one 16384-element chunk, so the batch-wide D comes first
    const BIG = 3400, BC = 5;
    const bigX = Array.from({ length: BIG * BC }, (_, i) => Math.fround(Math.sin(i * 0.37) * 5));
    const bigY = Array.from({ length: BIG }, (_, r) => (r % 7 === 3 ? -100 : (r * 3) % BC));
    const bigW = [1, 0.5, 2, 0.25, 3];
    const big: Case[] = (['mean', 'sum'] as const).flatMap((reduction) => [
      { kind: 'ce', reduction, weight: bigW, eps: 0.15, y: bigY }, { kind: 'nll', reduction, weight: bigW, y: bigY },
    ] as Case[]);
    const torch = runTorch<Array<{ loss?: number | 'nan'; grad?: number[]; rows?: number[] }>>(SCRIPT, [
      ...[...perRow, ...allIgnored].map((c) => ({ ...c, x: X, shape: [ROWS, C] })),
      ...big.map((c) => ({ ...c, x: bigX, shape: [BIG, BC] })),
    ]);
    const logSoftmax = new LogSoftmax(1);
    perRow.forEach((c, i) => {
      const rows = torch[i]!.rows!;
      for (let r = 0; r < ROWS; r++) {
        const x = Tensor.from(X.slice(r * C, (r + 1) * C), [1, C]);
        const options = { reduction: 'sum' as const, weight: W };
        const value = c.kind === 'nll' ? new NLLLoss(options).forward(logSoftmax.forward(x), [c.y[r]!])
          : new CrossEntropyLoss({ ...options, labelSmoothing: c.eps }).forward(x, [c.y[r]!]);
        expect(Math.abs(value - rows[r]!), `${c.kind} row ${r}: ${value} vs torch ${rows[r]}`).toBeLessThan(2e-6 * Math.max(1, Math.abs(rows[r]!)));
      }
    });
    allIgnored.forEach((c, j) => {
      const t = torch[perRow.length + j]!;
      const x = Tensor.from(X, [ROWS, C]);
      const loss = c.kind === 'nll' ? new NLLLoss({ reduction: c.reduction }) : new CrossEntropyLoss({ reduction: c.reduction, weight: W, labelSmoothing: c.eps });
      const input = c.kind === 'nll' ? logSoftmax.forward(x) : x;
      if (c.reduction === 'mean') {
        // torch returns NaN (0/0); a NaN loss throws here, with the NaN and the reason
        expect(t.loss).toBe('nan');
        let error: unknown;
        try {
          loss.forward(input, c.y);
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(NonFiniteLossError);
        expect((error as NonFiniteLossError).value).toBeNaN();
        expect((error as Error).message).toMatch(/every target is ignoreIndex \(-100\).*0\/0 \(torch returns NaN\)/);
      } else {
        expect(loss.forward(input, c.y)).toBe(t.loss);
        expect(Array.from(loss.backward().toFloat32Array())).toEqual(t.grad!.map(() => 0));
        expect(t.grad!.every((g) => g === 0)).toBe(true);
      }
    });
    big.forEach((c, j) => {
      const t = torch[perRow.length + allIgnored.length + j]!;
      const x = Tensor.from(bigX, [BIG, BC]);
      let value: number, grad: Float32Array;
      if (c.kind === 'nll') {
        const loss = new NLLLoss({ reduction: c.reduction, weight: bigW });
        value = loss.forward(logSoftmax.forward(x), bigY);
        grad = Float32Array.from(logSoftmax.backward(loss.backward()).toFloat32Array());
      } else {
        const loss = new CrossEntropyLoss({ reduction: c.reduction, weight: bigW, labelSmoothing: c.eps });
        value = loss.forward(x, bigY);
        grad = Float32Array.from(loss.backward().toFloat32Array());
      }
      const tl = t.loss as number;
      expect(Math.abs(value - tl), `big ${c.kind} ${c.reduction}: ${value} vs torch ${tl}`).toBeLessThan(5e-6 * Math.max(1, Math.abs(tl)));
      expectClose(grad, t.grad!, { rtol: 1e-5, atol: c.reduction === 'mean' ? 1e-9 : 1e-6 }, `big ${c.kind} ${c.reduction}: gradient`);
    });
  });
});
