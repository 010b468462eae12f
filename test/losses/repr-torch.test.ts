// Every loss's toString() against torch's repr() for the same options (python3-torch 1.13): torch
// prints a loss as its bare class name, `CrossEntropyLoss()`, whatever its reduction, weight,
// ignore_index, label_smoothing, delta or beta, and so does wasmnn. Skipped with one line when
// PyTorch is missing (not in CI).
import { describe, expect, it } from 'vitest';
import {
  BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HuberLoss, L1Loss, MSELoss, NLLLoss, SmoothL1Loss, type Loss,
} from '../../src/index.js';
import { runTorch, torchAvailable } from '../helpers/torch.js';

const hasTorch = torchAvailable();

/** [the wasmnn loss, the same loss in Python]. */
const PAIRS: Array<[() => Loss, string]> = [
  [() => new CrossEntropyLoss(), 'nn.CrossEntropyLoss()'],
  [() => new CrossEntropyLoss({ weight: [1, 2, 3], ignoreIndex: 1, labelSmoothing: 0.1, reduction: 'sum' }),
    "nn.CrossEntropyLoss(weight=torch.tensor([1., 2., 3.]), ignore_index=1, label_smoothing=0.1, reduction='sum')"],
  [() => new NLLLoss(), 'nn.NLLLoss()'],
  [() => new NLLLoss({ weight: [0.5, 2], ignoreIndex: -1 }), 'nn.NLLLoss(weight=torch.tensor([0.5, 2.]), ignore_index=-1)'],
  [() => new MSELoss({ reduction: 'sum' }), "nn.MSELoss(reduction='sum')"],
  [() => new L1Loss(), 'nn.L1Loss()'],
  [() => new HuberLoss({ delta: 2 }), 'nn.HuberLoss(delta=2.0)'],
  [() => new SmoothL1Loss({ beta: 0.5 }), 'nn.SmoothL1Loss(beta=0.5)'],
  [() => new BCELoss(), 'nn.BCELoss()'],
  [() => new BCEWithLogitsLoss({ reduction: 'sum' }), "nn.BCEWithLogitsLoss(reduction='sum')"],
];

describe.skipIf(!hasTorch)('loss toString() against torch repr()', () => {
  it('every loss prints as torch prints the same loss with the same options', () => {
    const script = `import json, torch, torch.nn as nn\nprint(json.dumps([repr(m) for m in [${PAIRS.map(([, py]) => py).join(', ')}]]))`;
    const torch = runTorch<string[]>(script);
    expect(torch).toHaveLength(PAIRS.length);
    expect(PAIRS.map(([make]) => make().toString())).toEqual(torch);
    expect(String(new CrossEntropyLoss({ ignoreIndex: 0 }))).toBe('CrossEntropyLoss()');
  });
});
