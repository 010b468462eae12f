// Every built-in layer's toString() against torch's repr() for the same constructor arguments
// (python3-torch): Linear's bias=True/False, Conv2d, pools, norms, Dropout, Flatten, the
// activations and Sequential's nesting. Skipped with one line when PyTorch is missing (not in CI).
import { describe, expect, it } from 'vitest';
import {
  AdaptiveAvgPool2d, AvgPool2d, BatchNorm1d, BatchNorm2d, Conv2d, Dropout, ELU, Flatten, GELU, LayerNorm, LeakyReLU, Linear, LogSoftmax, MaxPool2d,
  ReLU, Sequential, Sigmoid, Softmax, Softplus, Tanh, type Module,
} from '../../src/index.js';
import { runTorch, torchAvailable } from '../helpers/torch.js';

const hasTorch = torchAvailable();

/** [the wasmnn layer, the same layer in Python]. */
const PAIRS: Array<[() => Module, string]> = [
  [() => new Linear(2, 3), 'nn.Linear(2, 3)'],
  [() => new Linear(2, 3, { bias: false }), 'nn.Linear(2, 3, bias=False)'],
  [() => new Conv2d(3, 4, 3), 'nn.Conv2d(3, 4, 3)'],
  [() => new Conv2d(1, 6, 5, { padding: 2 }), 'nn.Conv2d(1, 6, 5, padding=2)'],
  [() => new Conv2d(3, 4, [3, 2], { stride: 2, padding: 1, dilation: 2, bias: false }), 'nn.Conv2d(3, 4, (3, 2), stride=2, padding=1, dilation=2, bias=False)'],
  [() => new Conv2d(2, 2, 3, { stride: [1, 2], padding: [0, 1] }), 'nn.Conv2d(2, 2, 3, stride=(1, 2), padding=(0, 1))'],
  [() => new MaxPool2d(2), 'nn.MaxPool2d(2)'],
  [() => new MaxPool2d([3, 2], { stride: 1, padding: [1, 0], dilation: [1, 2], ceilMode: true }), 'nn.MaxPool2d((3, 2), stride=1, padding=(1, 0), dilation=(1, 2), ceil_mode=True)'],
  [() => new AvgPool2d(2), 'nn.AvgPool2d(2)'],
  [() => new AdaptiveAvgPool2d(1), 'nn.AdaptiveAvgPool2d(1)'],
  [() => new AdaptiveAvgPool2d([5, 7]), 'nn.AdaptiveAvgPool2d((5, 7))'],
  [() => new AdaptiveAvgPool2d([null, 7]), 'nn.AdaptiveAvgPool2d((None, 7))'],
  [() => new Conv2d(4, 8, 3, { groups: 4, bias: false }), 'nn.Conv2d(4, 8, 3, groups=4, bias=False)'],
  [() => new AvgPool2d([3, 2], { stride: [2, 1], padding: 1, ceilMode: true, countIncludePad: false, divisorOverride: 3 }), 'nn.AvgPool2d((3, 2), stride=(2, 1), padding=1, ceil_mode=True, count_include_pad=False, divisor_override=3)'],
  [() => new BatchNorm2d(3), 'nn.BatchNorm2d(3)'],
  [() => new BatchNorm1d(4, { eps: 1e-3, momentum: 0.2, affine: false, trackRunningStats: false }), 'nn.BatchNorm1d(4, eps=1e-3, momentum=0.2, affine=False, track_running_stats=False)'],
  [() => new BatchNorm1d(4, { momentum: null }), 'nn.BatchNorm1d(4, momentum=None)'],
  [() => new LayerNorm(5), 'nn.LayerNorm(5)'],
  [() => new LayerNorm([2, 3], { eps: 1e-6, elementwiseAffine: false }), 'nn.LayerNorm((2, 3), eps=1e-6, elementwise_affine=False)'],
  [() => new Dropout(), 'nn.Dropout()'],
  [() => new Dropout(0.25), 'nn.Dropout(0.25)'],
  [() => new Dropout(0), 'nn.Dropout(0.0)'],
  [() => new Flatten(), 'nn.Flatten()'],
  [() => new Flatten(0, 2), 'nn.Flatten(0, 2)'],
  [() => new LogSoftmax(1), 'nn.LogSoftmax(1)'],
  [() => new ReLU(), 'nn.ReLU()'],
  [() => new Sigmoid(), 'nn.Sigmoid()'],
  [() => new Tanh(), 'nn.Tanh()'],
  [() => new LeakyReLU(), 'nn.LeakyReLU()'],
  [() => new LeakyReLU(0.2), 'nn.LeakyReLU(0.2)'],
  [() => new ELU(), 'nn.ELU()'],
  [() => new ELU(0.5), 'nn.ELU(0.5)'],
  [() => new GELU(), 'nn.GELU()'],
  [() => new GELU({ approximate: 'tanh' }), "nn.GELU(approximate='tanh')"],
  [() => new Softplus(), 'nn.Softplus()'],
  [() => new Softmax(), 'nn.Softmax(dim=-1)'],
  [() => new Sequential(new Conv2d(1, 2, 3), new BatchNorm2d(2), new ReLU(), new MaxPool2d(2), new Flatten(), new Sequential(new Linear(8, 4), new Dropout(0.1)), new LogSoftmax(1)),
    'nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Sequential(nn.Linear(8, 4), nn.Dropout(0.1)), nn.LogSoftmax(1))'],
];

describe.skipIf(!hasTorch)('toString() against torch repr()', () => {
  it('every built-in layer prints as torch prints the same layer', () => {
    const script = `import json, torch.nn as nn\nprint(json.dumps([repr(m) for m in [${PAIRS.map(([, py]) => py).join(', ')}]]))`;
    const torch = runTorch<string[]>(script);
    expect(torch).toHaveLength(PAIRS.length);
    const ours = PAIRS.map(([make]) => make().toString());
    expect(ours).toEqual(torch);
  });
});
