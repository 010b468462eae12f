// fit / evaluate report torch's loss over the whole set when the batches weigh differently:
// with class weights, ignored rows (one batch entirely ignored) and label smoothing, an epoch's
// 'mean' must be Σ w[t]·loss / Σ w[t] over every kept row (not a mean of batch means, nor one
// weighted by kept rows), and 'sum' the sum — checked against torch.nn.CrossEntropyLoss /
// NLLLoss called once on all the rows (python3-torch). Skipped with one line without PyTorch.
import { describe, expect, it } from 'vitest';
import { CrossEntropyLoss, Generator, Linear, LogSoftmax, NLLLoss, SGD, Sequential, Tensor, evaluate, fit, predict } from '../../src/index.js';
import { runTorch, torchAvailable } from '../helpers/torch.js';

const hasTorch = torchAvailable();

const SCRIPT = `
import json, sys, torch
out = []
for c in json.load(sys.stdin):
    x = torch.tensor(c['x'], dtype=torch.float32).reshape(c['shape'])
    kw = {'reduction': c['reduction'], 'weight': torch.tensor(c['weight'], dtype=torch.float32)}
    y = torch.tensor(c['y'], dtype=torch.long)
    if c['kind'] == 'nll':
        loss = torch.nn.NLLLoss(**kw)(x, y)
    else:
        loss = torch.nn.CrossEntropyLoss(label_smoothing=c['eps'], **kw)(x, y)
    out.append(loss.item())
print(json.dumps(out))
`;

const N = 23, C = 4, BATCH = 5;
// Rows 10–14 (the third batch) are all ignored; the other batches keep 2–5 rows of unequal weight.
const LABELS = [0, 3, 1, -100, 2, 3, 3, 3, 0, 1, -100, -100, -100, -100, -100, 2, 0, -100, 1, 1, 3, 2, -100];
const WEIGHT = [0.25, 3, 1, 0.5];

function setup(kind: 'ce' | 'nll') {
  const gen = new Generator(11);
  const model = kind === 'ce' ? new Sequential(new Linear(3, C, { generator: gen })) : new Sequential(new Linear(3, C, { generator: gen }), new LogSoftmax(1));
  const x = Tensor.from(Array.from({ length: N * 3 }, () => gen.normal() * 2), [N, 3]);
  return { model, x, y: Tensor.from(LABELS) };
}

describe.skipIf(!hasTorch)('the loss over a set of batches of unequal weight is torch\'s loss over all its rows', () => {
  it('evaluate (batches of 5 and one call), fit\'s running loss and evaluateTrain agree with torch', () => {
    const cases = (['ce', 'nll'] as const).flatMap((kind) => (['mean', 'sum'] as const).map((reduction) => ({ kind, reduction })));
    const runs = cases.map(({ kind, reduction }) => {
      const { model, x, y } = setup(kind);
      const make = () => (kind === 'ce' ? new CrossEntropyLoss({ weight: WEIGHT, labelSmoothing: 0.1, reduction }) : new NLLLoss({ weight: WEIGHT, reduction }));
      const outputs = Array.from(predict(model, x).toFloat32Array());
      const batched = evaluate(model, { x, y, loss: make(), batchSize: BATCH });
      const whole = evaluate(model, { x, y, loss: make(), batchSize: N });
      // lr 0: the model stays as evaluated, so the running loss (before each update) is the set's loss
      const history = fit(model, { loss: make(), optimizer: new SGD(model.parameters(), { lr: 0 }), x, y, epochs: 1, batchSize: BATCH, shuffle: false });
      const trained = fit(model, { loss: make(), optimizer: new SGD(model.parameters(), { lr: 0 }), x, y, epochs: 1, batchSize: 7, evaluateTrain: true });
      return { kind, reduction, outputs, batched, whole, running: history.last!.loss, evaluated: trained.last!.loss };
    });
    const torch = runTorch<number[]>(SCRIPT, runs.map((r) => ({ kind: r.kind, reduction: r.reduction, x: r.outputs, shape: [N, C], y: LABELS, weight: WEIGHT, eps: 0.1 })));
    runs.forEach((r, i) => {
      const t = torch[i]!, tol = 3e-6 * Math.max(1, Math.abs(t)), label = `${r.kind} ${r.reduction}`;
      expect(Math.abs(r.batched.loss - t), `${label}: evaluate in batches ${r.batched.loss} vs torch ${t}`).toBeLessThan(tol);
      expect(Math.abs(r.whole.loss - t), `${label}: evaluate in one batch`).toBeLessThan(tol);
      expect(Math.abs(r.running - t), `${label}: fit's running loss ${r.running} vs torch ${t}`).toBeLessThan(tol);
      expect(Math.abs(r.evaluated - t), `${label}: fit with evaluateTrain`).toBeLessThan(tol);
      expect(r.batched.count).toBe(LABELS.filter((l) => l !== -100).length);
    });
    // The test can fail: weighting each batch's mean by its kept rows (the old rule) is off here.
    const { kind, outputs } = runs[0]!;
    expect(kind).toBe('ce');
    const loss = new CrossEntropyLoss({ weight: WEIGHT, labelSmoothing: 0.1 });
    let byRows = 0, rows = 0;
    for (let s = 0; s < N; s += BATCH) {
      const ys = LABELS.slice(s, s + BATCH), kept = ys.filter((l) => l !== -100).length;
      if (kept === 0) continue;
      byRows += loss.forward(Tensor.from(outputs.slice(s * C, (s + ys.length) * C), [ys.length, C]), ys) * kept;
      rows += kept;
    }
    expect(Math.abs(byRows / rows - torch[0]!)).toBeGreaterThan(1e-3);
  });
});
