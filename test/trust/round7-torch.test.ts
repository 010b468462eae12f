// Round 7, PyTorch's layers: the layers, activations, init functions and module API against real
// PyTorch (Debian's python3-torch 1.13), in the cases earlier rounds left out — activations at
// ±Infinity, NaN, -0 and far tails (values and gradients), max pooling's NaN ties, softmax rows
// holding +Infinity, nn.init's gains / modes / bounds, the default init of Linear and Conv2d,
// state-dict key order and load_state_dict(strict=False), and torch options wasmnn does not offer
// (refused saying so). See docs/RELIABILITY.md, "Round 7 (PyTorch's layers)". Each "differed
// before" case failed before its fix (checked with the fix stashed, the kernels with the WASM
// rebuilt without them). Skipped with one line without PyTorch (an error in CI).
import { afterEach, describe, expect, it } from 'vitest';
import {
  AvgPool2d, BCELoss, BCEWithLogitsLoss, BatchNorm1d, BatchNorm2d, Conv2d, CrossEntropyLoss, Dropout, ELU, Flatten, GELU, Generator, LayerNorm, LeakyReLU, Linear,
  LogSoftmax, MSELoss, MaxPool2d, ReLU, SGD, Sequential, ShapeError, Sigmoid, Softmax, Softplus, Tanh, Tensor, ValueError, nn, setBackend,
  type Module,
} from '../../src/index.js';
import { expectClose } from '../helpers/heap.js';
import { runTorch, torchAvailable } from '../helpers/torch.js';
import { rejects } from '../helpers/trust.js';

const hasTorch = torchAvailable();
afterEach(() => setBackend('wasm'));

/** Numbers through JSON both ways: NaN and ±Infinity travel as strings. */
const py = (values: ArrayLike<number>): string[] => Array.from(values, (v) => (Number.isNaN(v) ? 'nan' : v === Infinity ? 'inf' : v === -Infinity ? '-inf' : String(v)));
const js = (values: string[]): number[] => values.map((v) => (v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : Number(v)));
const PY_HELPERS = `
import json, math, sys, torch
num = lambda v: 'nan' if v != v else ('inf' if v == math.inf else ('-inf' if v == -math.inf else repr(float(v))))
nums = lambda t: [num(v) for v in t.flatten().tolist()]
vals = lambda a: [float(v) for v in a]
`;
const BACKENDS = ['wasm', 'reference'] as const;

// ─── Activations ─────────────────────────────────────────────────────────────────────────────

/** The inputs: a grid over [-30, 30], powers of ten up to float32's range, and the specials. */
const ACTIVATION_X: number[] = (() => {
  const xs = [NaN, Infinity, -Infinity, -0, 0, 20, 20.5, -20, 1, -1, 1e-20, -1e-20];
  for (let e = -38; e <= 38; e += 1) xs.push(Math.fround(10 ** e), Math.fround(-(10 ** e)));
  for (let v = -30; v <= 30; v += 0.37) xs.push(Math.fround(v));
  return xs;
})();

/** [name, wasmnn layer, torch layer, tolerance of values and gradients, torch's dtype (default float32)]. */
const ACTIVATIONS: Array<[string, () => Module, string, { rtol: number; atol: number }, 'float64'?]> = [
  // Differed before: ELU's gradient was y + alpha, which loses its digits as y → -alpha: 4e-4
  // off at x = -10 and 0 below x ≈ -17 (torch: alpha·e^x, 2e-9 at -20). At a NaN input torch
  // 1.13 gives NaN or passes the gradient through depending on the element's position (its
  // vectorised and scalar loops differ); wasmnn gives NaN — left out of the comparison.
  ['ELU()', () => new ELU(), 'torch.nn.ELU()', { rtol: 2e-6, atol: 1.2e-38 }],
  ['ELU(0.5)', () => new ELU(0.5), 'torch.nn.ELU(0.5)', { rtol: 2e-6, atol: 1.2e-38 }],
  ['ELU(3)', () => new ELU(3), 'torch.nn.ELU(3.0)', { rtol: 2e-6, atol: 1.2e-38 }],
  // Matched: negative and larger-than-1 slopes, the gradient at 0 and -0 (the slope), at NaN (the slope).
  ['LeakyReLU(0.2)', () => new LeakyReLU(0.2), 'torch.nn.LeakyReLU(0.2)', { rtol: 0, atol: 0 }],
  ['LeakyReLU(-1.5)', () => new LeakyReLU(-1.5), 'torch.nn.LeakyReLU(-1.5)', { rtol: 0, atol: 0 }],
  ['LeakyReLU(3)', () => new LeakyReLU(3), 'torch.nn.LeakyReLU(3.0)', { rtol: 0, atol: 0 }],
  // Matched: the threshold switch (linear above beta·x > threshold), the tails.
  ['Softplus()', () => new Softplus(), 'torch.nn.Softplus()', { rtol: 2e-6, atol: 1.2e-38 }],
  ['Softplus(2, 5)', () => new Softplus({ beta: 2, threshold: 5 }), 'torch.nn.Softplus(2.0, 5.0)', { rtol: 2e-6, atol: 1.2e-38 }],
  ['Softplus(0.5, 3)', () => new Softplus({ beta: 0.5, threshold: 3 }), 'torch.nn.Softplus(0.5, 3.0)', { rtol: 2e-6, atol: 1.2e-38 }],
  ['Sigmoid', () => new Sigmoid(), 'torch.nn.Sigmoid()', { rtol: 2e-6, atol: 1.2e-38 }],
  // Tanh's gradient is 1 - y² from the float32 output, in torch too: 1 ulp of y near ±1 is
  // 1.2e-7 of gradient, and wasmnn's rational tanh is up to 3 ulps from torch's there (it gives
  // ±1 from |x| ≈ 8.2, torch from 9.0), so the gradients differ by up to 3.6e-7 in the tails.
  ['Tanh', () => new Tanh(), 'torch.nn.Tanh()', { rtol: 2e-5, atol: 4e-7 }],
  // GELU against torch in float64: torch's float32 rounds the far negative tail to 0 where
  // wasmnn keeps ~1e-22, its erf form is 2e-7 off near x = -3 and its tanh form's gradient 10 %
  // off near x = -5 (cancellation; round 6). Subnormal outputs (< 1.2e-38) are flushed to 0 by
  // some of the SIMD kernels: that is the absolute tolerance of the others.
  ['GELU', () => new GELU(), 'torch.nn.GELU()', { rtol: 2e-6, atol: 1e-7 }, 'float64'],
  ['GELU(tanh)', () => new GELU({ approximate: 'tanh' }), "torch.nn.GELU(approximate='tanh')", { rtol: 2e-6, atol: 1e-7 }, 'float64'],
  // ReLU at a NaN input: torch passes the gradient (NaN <= 0 is false), wasmnn gives 0 — not
  // copied (see RELIABILITY); compared on the other inputs below, as ELU.
  ['ReLU', () => new ReLU(), 'torch.nn.ReLU()', { rtol: 0, atol: 0 }],
];

describe.skipIf(!hasTorch)('activations against torch at ±Infinity, NaN, -0 and the tails', () => {
  const torch = hasTorch ? runTorch<Record<string, { y: string[]; dx: string[] }>>(`${PY_HELPERS}
inp = json.load(sys.stdin)
out = {}
for name, make, dtype in inp['layers']:
    x = torch.tensor(vals(inp['x']), dtype=getattr(torch, dtype), requires_grad=True)
    y = eval(make)(x)
    y.backward(torch.ones_like(y))
    out[name] = {'y': nums(y), 'dx': nums(x.grad)}
print(json.dumps(out))
`, { x: py(ACTIVATION_X), layers: ACTIVATIONS.map(([name, , make, , dtype]) => [name, make, dtype ?? 'float32']) }) : {};

  it.each(BACKENDS)('values and gradients match torch.nn on the %s backend', (backend) => {
    setBackend(backend);
    for (const [name, make, , tol] of ACTIVATIONS) {
      const keep = ACTIVATION_X.map((v) => !((name === 'ReLU' || name.startsWith('ELU')) && Number.isNaN(v)));
      // The reference backend computes in float64: near 0 it keeps digits torch's float32 rounds
      // away (ELU(-1e-20) = -1e-20, torch's e^x - 1 gives 0), so it is held to 1e-7 absolute there.
      const t = backend === 'wasm' ? tol : { rtol: Math.max(tol.rtol, 2e-6), atol: Math.max(tol.atol, 1e-7) };
      const pick = (a: ArrayLike<number>): number[] => Array.from(a).filter((_, i) => keep[i]);
      const layer = make();
      const x = Tensor.from(ACTIVATION_X, [ACTIVATION_X.length]);
      const y = layer.forward(x).toFloat32Array();
      const dx = layer.backward(Tensor.full([ACTIVATION_X.length], 1)).toFloat32Array();
      expectClose(pick(y), pick(js(torch[name]!.y)), t, `${backend} ${name}: output`);
      expectClose(pick(dx), pick(js(torch[name]!.dx)), t, `${backend} ${name}: gradient`);
    }
  });

  it.each(BACKENDS)('ELU\'s gradient keeps its digits in the tail on the %s backend (it was 0 below x ≈ -17, torch alpha·e^x)', (backend) => {
    setBackend(backend);
    const elu = new ELU(2);
    elu.forward(Tensor.from([-10, -20, -40, -87], [4]));
    const dx = elu.backward(Tensor.full([4], 1)).toFloat32Array();
    expectClose(dx, [-10, -20, -40, -87].map((v) => Math.fround(2 * Math.exp(v))), { rtol: 2e-6, atol: 0 }, `${backend} ELU(2) gradient`);
  });

  it('softmax / log-softmax rows holding +Infinity are NaN, as torch (they were [NaN, 0, 0] / [NaN, -Inf, -Inf])', () => {
    const rows = [[Infinity, 1, 2], [-Infinity, 1, 2], [-Infinity, -Infinity, -Infinity], [NaN, 1, 2], [1e30, 1, -1e30], [Infinity, Infinity, 0], [3, -Infinity, Infinity, 2]];
    const cases = rows.map((r) => (r.length === 3 ? r : r.slice(0, 3)));
    const want = runTorch<{ s: string[]; l: string[] }>(`${PY_HELPERS}
x = torch.tensor([vals(r) for r in json.load(sys.stdin)], dtype=torch.float32)
print(json.dumps({'s': nums(torch.softmax(x, 1)), 'l': nums(torch.log_softmax(x, 1))}))
`, cases.map((r) => py(r)));
    for (const backend of BACKENDS) {
      setBackend(backend);
      const x = Tensor.from(cases);
      expectClose(new Softmax().forward(x).toFloat32Array(), js(want.s), { rtol: 1e-6, atol: 0 }, `${backend} softmax`);
      expectClose(new LogSoftmax(1).forward(x).toFloat32Array(), js(want.l), { rtol: 1e-6, atol: 0 }, `${backend} log-softmax`);
    }
  });

  it('Softmax takes any rank and any integer dim naming the last axis, as LogSoftmax (it took [batch, classes] with dim ±1 only: torch\'s Softmax(dim=2) on [N, C, L] was refused)', () => {
    const shapes: Array<[number, number[]]> = [[-1, [5]], [2, [2, 3, 4]], [-1, [2, 1, 3, 3]], [1, [4, 7]]];
    const x = Array.from({ length: 64 }, (_, i) => Math.fround(Math.sin(i * 1.7) * 4));
    const dy = Array.from({ length: 64 }, (_, i) => Math.fround(Math.cos(i * 0.9)));
    const want = runTorch<Array<{ y: string[]; dx: string[] }>>(`${PY_HELPERS}
inp = json.load(sys.stdin)
out = []
for dim, shape in inp['cases']:
    n = math.prod(shape)
    x = torch.tensor(inp['x'][:n], dtype=torch.float32).reshape(shape).requires_grad_()
    y = torch.nn.Softmax(dim)(x)
    y.backward(torch.tensor(inp['dy'][:n], dtype=torch.float32).reshape(shape))
    out.append({'y': nums(y), 'dx': nums(x.grad)})
print(json.dumps(out))
`, { cases: shapes, x, dy });
    for (const backend of BACKENDS) {
      setBackend(backend);
      shapes.forEach(([dim, shape], i) => {
        const n = shape.reduce((a, b) => a * b, 1), s = new Softmax(dim);
        expectClose(s.forward(Tensor.from(x.slice(0, n), shape)).toFloat32Array(), js(want[i]!.y), { rtol: 2e-6, atol: 1e-7 }, `${backend} Softmax(${dim}) on [${shape}]`);
        expectClose(s.backward(Tensor.from(dy.slice(0, n), shape)).toFloat32Array(), js(want[i]!.dx), { rtol: 2e-5, atol: 2e-7 }, `${backend} Softmax(${dim}) gradient`);
      });
    }
    // Other axes are refused, naming the layer and the shape (torch computes them).
    rejects(() => new Softmax(1).forward(Tensor.zeros([2, 3, 4])), ShapeError, /Softmax\(dim=1\)\.forward: expected a non-empty input whose dim 1 is its last axis .*got \[2, 3, 4\]/);
    rejects(() => new Softmax(0).forward(Tensor.zeros([2, 3])), ShapeError, /dim 0 is its last axis/);
    rejects(() => new Softmax(1.5), ValueError, /Softmax: dim must be an integer/);
  });

  it('Softplus prints small and large numbers as torch (threshold=0.00001 was printed for 1e-05)', () => {
    const layers: Array<[Module, string]> = [
      [new Softplus({ beta: 0.5, threshold: 1e-5 }), 'torch.nn.Softplus(0.5, 1e-5)'],
      [new Softplus({ beta: 2e-7, threshold: 1e20 }), 'torch.nn.Softplus(2e-7, 1e20)'],
      [new Softplus({ threshold: 7 }), 'torch.nn.Softplus(threshold=7)'],
      [new Softplus({ beta: 1.5 }), 'torch.nn.Softplus(1.5)'],
    ];
    const want = runTorch<string[]>(`import json, torch\nprint(json.dumps([repr(m) for m in [${layers.map(([, p]) => p).join(', ')}]]))`);
    expect(layers.map(([m]) => m.toString())).toEqual(want);
  });
});

// ─── LayerNorm on one sample ────────────────────────────────────────────────────────────────

describe.skipIf(!hasTorch)('LayerNorm on an input without leading dimensions', () => {
  it('normalises one sample [*normalizedShape] as torch (it was refused: a batch dimension was required)', () => {
    const x = [0.5, -1, 2, 3.5, 0, 1, -2, 4], dy = [1, -0.5, 0.25, 2, -1, 0.5, 3, -2];
    const want = runTorch<{ y: number[]; dx: number[]; dw: number[]; db: number[] }>(`${PY_HELPERS}
inp = json.load(sys.stdin)
m = torch.nn.LayerNorm([2, 4])
with torch.no_grad(): m.weight.copy_(torch.arange(8.).reshape(2, 4) / 4 - 0.5); m.bias.fill_(0.25)
x = torch.tensor(inp['x']).reshape(2, 4).requires_grad_()
y = m(x); y.backward(torch.tensor(inp['dy']).reshape(2, 4))
print(json.dumps({'y': y.flatten().tolist(), 'dx': x.grad.flatten().tolist(), 'dw': m.weight.grad.flatten().tolist(), 'db': m.bias.grad.flatten().tolist()}))
`, { x, dy });
    for (const backend of BACKENDS) {
      setBackend(backend);
      const ln = new LayerNorm([2, 4]);
      ln.loadStateDict({ weight: { shape: [2, 4], data: Float32Array.from({ length: 8 }, (_, i) => i / 4 - 0.5) }, bias: { shape: [2, 4], data: new Float32Array(8).fill(0.25) } });
      expectClose(ln.forward(Tensor.from(x, [2, 4])).toFloat32Array(), want.y, { rtol: 1e-5, atol: 1e-6 }, `${backend} output`);
      expectClose(ln.backward(Tensor.from(dy, [2, 4])).toFloat32Array(), want.dx, { rtol: 1e-5, atol: 1e-6 }, `${backend} input gradient`);
      expectClose(ln.weight!.grad.toFloat32Array(), want.dw, { rtol: 1e-5, atol: 1e-6 }, `${backend} weight gradient`);
      expectClose(ln.bias!.grad.toFloat32Array(), want.db, { rtol: 1e-5, atol: 1e-6 }, `${backend} bias gradient`);
    }
    rejects(() => new LayerNorm([2, 4]).forward(Tensor.zeros([4])), ShapeError, /LayerNorm.forward: input must have shape \[..., 2, 4\] \(non-empty\), got \[4\]/);
  });
});

// ─── Max pooling's NaN and ties ─────────────────────────────────────────────────────────────

describe.skipIf(!hasTorch)('max pooling: ties, NaN and -Infinity windows against torch', () => {
  // Differed before: a window with several NaNs sent its gradient to the first NaN; torch's
  // `val > maxval || isnan(val)` keeps the last one. Ties of numbers go to the first maximum in
  // both; an all -Infinity window to its first pixel in both.
  const V = [1, 1, 1, 1, 2, 5, 5, 2, NaN, 1, 3, NaN, -Infinity, -Infinity, -Infinity, -Infinity, NaN, NaN, 7, NaN, 4, NaN, NaN, 4];
  const CASES: Array<[string, () => MaxPool2d, string, number[]]> = [
    ['2×2 (the SIMD path)', () => new MaxPool2d(2), 'torch.nn.MaxPool2d(2)', [1, 3, 2, 4]],
    ['2×2 on one row of 12 pairs', () => new MaxPool2d(2), 'torch.nn.MaxPool2d(2)', [1, 1, 2, 12]],
    ['3×3 stride 1, padding 1', () => new MaxPool2d(3, { stride: 1, padding: 1 }), 'torch.nn.MaxPool2d(3, 1, 1)', [2, 1, 3, 4]],
    ['2×3 stride (1, 2), dilation (1, 2), ceil', () => new MaxPool2d([2, 3], { stride: [1, 2], dilation: [1, 2], ceilMode: true }),
      'torch.nn.MaxPool2d((2, 3), (1, 2), dilation=(1, 2), ceil_mode=True)', [1, 2, 2, 6]],
    ['2×2 padding 1', () => new MaxPool2d(2, { padding: 1 }), 'torch.nn.MaxPool2d(2, padding=1)', [1, 2, 3, 4]],
  ];

  it.each(BACKENDS)('outputs and input gradients match torch.nn.MaxPool2d on the %s backend', (backend) => {
    const dy = Array.from({ length: 64 }, (_, i) => i + 1);
    const want = runTorch<Array<{ y: string[]; dx: string[] }>>(`${PY_HELPERS}
inp = json.load(sys.stdin)
out = []
for make, shape in inp['cases']:
    x = torch.tensor(vals(inp['v']), dtype=torch.float32).reshape(shape).requires_grad_()
    y = eval(make)(x)
    y.backward(torch.tensor(inp['dy'][:y.numel()], dtype=torch.float32).reshape(y.shape))
    out.append({'y': nums(y), 'dx': nums(x.grad)})
print(json.dumps(out))
`, { v: py(V), dy, cases: CASES.map(([, , make, shape]) => [make, shape]) });
    setBackend(backend);
    CASES.forEach(([label, make, , shape], i) => {
      const pool = make();
      const y = pool.forward(Tensor.from(V, shape));
      expectClose(y.toFloat32Array(), js(want[i]!.y), { rtol: 0, atol: 0 }, `${backend} ${label}: output`);
      const dx = pool.backward(Tensor.from(dy.slice(0, y.size), y.shape));
      expectClose(dx.toFloat32Array(), js(want[i]!.dx), { rtol: 0, atol: 0 }, `${backend} ${label}: input gradient`);
    });
  });
});

// ─── nn.init ─────────────────────────────────────────────────────────────────────────────────

describe.skipIf(!hasTorch)('nn.init against torch.nn.init', () => {
  const NAMES = ['linear', 'conv1d', 'conv2d', 'conv3d', 'conv_transpose1d', 'conv_transpose2d', 'conv_transpose3d', 'sigmoid', 'tanh', 'relu', 'leaky_relu', 'selu'] as const;

  it('calculateGain knows every nonlinearity torch knows, with the same gains (conv1d … conv_transpose3d were refused)', () => {
    const want = runTorch<{ gains: number[]; slopes: number[]; unknown: string }>(`${PY_HELPERS}
from torch.nn import init
names = json.load(sys.stdin)
try: init.calculate_gain('gelu'); unknown = ''
except ValueError as e: unknown = str(e)
print(json.dumps({'gains': [init.calculate_gain(n) for n in names], 'slopes': [init.calculate_gain('leaky_relu', a) for a in [0, 0.2, 1, -3, 5 ** 0.5]], 'unknown': unknown}))
`, NAMES);
    expect(NAMES.map((n) => nn.init.calculateGain(n))).toEqual(want.gains);
    expectClose([0, 0.2, 1, -3, Math.sqrt(5)].map((a) => nn.init.calculateGain('leaky_relu', a)), want.slopes, { rtol: 1e-15 }, 'leaky_relu slopes');
    expect(want.unknown).toMatch(/Unsupported nonlinearity gelu/);
    rejects(() => nn.init.calculateGain('gelu' as never), ValueError, /nonlinearity must be one of .*'conv_transpose3d'.*got 'gelu'/);
  });

  it('kaiming / xavier bounds and deviations match torch\'s for every mode, nonlinearity, a and gain (statistics, not RNG bits); torch\'s mode spellings fan_in / fan_out are accepted (they were refused)', () => {
    // [function, options (ours), torch kwargs, shape]
    const CASES: Array<['kaimingUniform' | 'kaimingNormal' | 'xavierUniform' | 'xavierNormal', Record<string, unknown>, string, number[]]> = [
      ['kaimingUniform', {}, '', [300, 200]],
      ['kaimingUniform', { a: 0.5, mode: 'fan_out', nonlinearity: 'leaky_relu' }, "a=0.5, mode='fan_out', nonlinearity='leaky_relu'", [400, 30, 3, 3]],
      ['kaimingUniform', { a: 3, mode: 'fanIn', nonlinearity: 'relu' }, "a=3, mode='fan_in', nonlinearity='relu'", [200, 300, 2]],
      ['kaimingUniform', { a: Math.sqrt(5) }, 'a=5 ** 0.5', [64, 16, 5, 5]],
      ['kaimingNormal', { mode: 'fan_out', nonlinearity: 'tanh' }, "mode='fan_out', nonlinearity='tanh'", [300, 400]],
      ['kaimingNormal', { nonlinearity: 'selu', mode: 'fan_in' }, "nonlinearity='selu', mode='fan_in'", [100, 50, 3, 3]],
      ['kaimingNormal', { nonlinearity: 'conv2d' }, "nonlinearity='conv2d'", [100, 50, 3, 3]],
      ['xavierUniform', { gain: 2 }, 'gain=2', [300, 500, 2]],
      ['xavierNormal', { gain: nn.init.calculateGain('tanh') }, "gain=init.calculate_gain('tanh')", [250, 400]],
    ];
    const snake = { kaimingUniform: 'kaiming_uniform_', kaimingNormal: 'kaiming_normal_', xavierUniform: 'xavier_uniform_', xavierNormal: 'xavier_normal_' };
    const want = runTorch<Array<{ max: number; std: number; mean: number }>>(`${PY_HELPERS}
from torch.nn import init
torch.manual_seed(0)
out = []
for fn, kw, shape in json.load(sys.stdin):
    t = torch.empty(shape)
    eval('init.' + fn + '(t, ' + kw + ')')
    out.append({'max': t.abs().max().item(), 'std': t.std().item(), 'mean': t.mean().item()})
print(json.dumps(out))
`, CASES.map(([fn, , kw, shape]) => [snake[fn], kw, shape]));
    CASES.forEach(([fn, options, kw, shape], i) => {
      const t = Tensor.zeros(shape);
      (nn.init[fn] as (t: Tensor, o: object) => Tensor)(t, { ...options, generator: new Generator(i + 1) });
      const v = t.toFloat32Array(), n = v.length;
      let max = 0, sum = 0, sq = 0;
      for (const x of v) { max = Math.max(max, Math.abs(x)); sum += x; }
      for (const x of v) sq += (x - sum / n) ** 2;
      const std = Math.sqrt(sq / (n - 1)), label = `${fn}(${kw}) on [${shape.join(', ')}]`;
      // Over ≥ 25 000 draws each sample deviation is within 0.5 % of the true one (one standard
      // error; 2 % is > 3 of the difference's), a uniform's maximum within 0.05 % of its bound,
      // a mean within 4 standard errors of 0.
      expect(Math.abs(std / want[i]!.std - 1), `${label}: std ${std} vs torch ${want[i]!.std}`).toBeLessThan(0.02);
      if (fn.endsWith('Uniform')) expect(Math.abs(max / want[i]!.max - 1), `${label}: bound ${max} vs torch ${want[i]!.max}`).toBeLessThan(2e-3);
      expect(Math.abs(sum / n), `${label}: mean`).toBeLessThan(4 * want[i]!.std / Math.sqrt(n));
    });
  });

  it('errors as torch\'s: fewer than 2 dimensions, an unknown mode, low > high, std < 0 (each naming the function)', () => {
    const want = runTorch<string[]>(`${PY_HELPERS}
from torch.nn import init
out = []
for f in [lambda: init.kaiming_uniform_(torch.empty(3)), lambda: init.xavier_normal_(torch.empty(3)), lambda: init.kaiming_normal_(torch.empty(3, 4), mode='fanin'),
          lambda: init.uniform_(torch.empty(3), 1, 0), lambda: init.normal_(torch.empty(3), 0, -1)]:
    try: f(); out.append('')
    except (ValueError, RuntimeError) as e: out.append(str(e))
print(json.dumps(out))
`);
    expect(want[0]).toMatch(/Fan in and fan out can not be computed for tensor with fewer than 2 dimensions/);
    rejects(() => nn.init.kaimingUniform(Tensor.zeros([3])), ShapeError, /^init\.kaimingUniform: fan in and fan out can not be computed for a tensor with fewer than 2 dimensions .*got \[3\]/);
    rejects(() => nn.init.xavierNormal(Tensor.zeros([3])), ShapeError, /^init\.xavierNormal: fan in and fan out can not be computed/);
    expect(want[2]).toMatch(/Mode fanin not supported, please use one of \['fan_in', 'fan_out'\]/);
    rejects(() => nn.init.kaimingNormal(Tensor.zeros([3, 4]), { mode: 'fanin' as never }), ValueError, /mode must be one of 'fanIn', 'fanOut', 'fan_in', 'fan_out', got 'fanin'/);
    expect(want[3]).toMatch(/from=1 > to=0/);
    rejects(() => nn.init.uniform(Tensor.zeros([3]), 1, 0), ValueError, /low \(1\) must be ≤ high \(0\)/);
    expect(want[4]).toMatch(/std >= 0.0/);
    rejects(() => nn.init.normal(Tensor.zeros([3]), 0, -1), ValueError, /std must be ≥ 0/);
    // Matched: low = high and std = 0 fill with the one value, as torch.
    expect(Array.from(nn.init.uniform(Tensor.zeros([3]), 1, 1).toFloat32Array())).toEqual([1, 1, 1]);
    expect(Array.from(nn.init.normal(Tensor.zeros([3]), 2, 0).toFloat32Array())).toEqual([2, 2, 2]);
  });

  it('Linear and Conv2d (groups, bias false, rectangular kernels) draw from torch\'s default bounds 1/√fanIn', () => {
    // [wasmnn layer, torch layer]: bounds compared through the largest |weight| / |bias| of large layers.
    const CASES: Array<[() => Linear | Conv2d, string]> = [
      [() => new Linear(300, 400), 'torch.nn.Linear(300, 400)'],
      [() => new Conv2d(64, 96, [3, 2], { groups: 4 }), 'torch.nn.Conv2d(64, 96, (3, 2), groups=4)'],
      [() => new Conv2d(32, 640, 5, { groups: 32, bias: false }), 'torch.nn.Conv2d(32, 640, 5, groups=32, bias=False)'],
      [() => new Conv2d(3, 4096, 1), 'torch.nn.Conv2d(3, 4096, 1)'],
    ];
    const want = runTorch<Array<{ w: number; b: number | null; n: number }>>(`${PY_HELPERS}
torch.manual_seed(0)
out = []
for make in json.load(sys.stdin):
    m = eval(make)
    out.append({'w': m.weight.abs().max().item(), 'b': None if m.bias is None else m.bias.abs().max().item(), 'n': m.weight.numel()})
print(json.dumps(out))
`, CASES.map(([, p]) => p));
    CASES.forEach(([make, label], i) => {
      const m = make();
      expect(m.weight.size, label).toBe(want[i]!.n);
      const w = Math.max(...Array.from(m.weight.toFloat32Array(), Math.abs));
      expect(Math.abs(w / want[i]!.w - 1), `${label}: weight bound ${w} vs torch ${want[i]!.w}`).toBeLessThan(5e-3);
      if (want[i]!.b === null) expect(m.bias, label).toBeNull();
      else {
        const b = Math.max(...Array.from(m.bias!.toFloat32Array(), Math.abs));
        // The bias has out values only: its maximum is near the bound, not at it — same scale.
        expect(b, label).toBeLessThanOrEqual(w * 1.0001);
        expect(b / want[i]!.w, label).toBeGreaterThan(0.5);
      }
    });
  });
});

// ─── Module API ──────────────────────────────────────────────────────────────────────────────

describe.skipIf(!hasTorch)('module API against torch.nn.Module', () => {
  const build = (): Sequential => new Sequential(
    new Conv2d(1, 2, 3, { bias: false }), new BatchNorm2d(2), new ReLU(),
    new Sequential(new MaxPool2d(2), new Sequential(new BatchNorm2d(2, { affine: false }), new BatchNorm2d(2, { trackRunningStats: false }))),
    new Flatten(), new Linear(8, 3), new LayerNorm([3], { elementwiseAffine: false }), new Dropout(0.1), new Sequential(new Linear(3, 2), new BatchNorm1d(2)),
  );
  const TORCH_MODEL = `torch.nn.Sequential(
    torch.nn.Conv2d(1, 2, 3, bias=False), torch.nn.BatchNorm2d(2), torch.nn.ReLU(),
    torch.nn.Sequential(torch.nn.MaxPool2d(2), torch.nn.Sequential(torch.nn.BatchNorm2d(2, affine=False), torch.nn.BatchNorm2d(2, track_running_stats=False))),
    torch.nn.Flatten(), torch.nn.Linear(8, 3), torch.nn.LayerNorm([3], elementwise_affine=False), torch.nn.Dropout(0.1), torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.BatchNorm1d(2)))`;

  const torch = hasTorch ? runTorch<{
    state: string[]; params: string[]; buffers: string[]; children: string[]; repr: string; modes: boolean[];
    modules: Array<[string, string]>; under: string[]; nchildren: number; applied: string[];
    loose: { missing: string[]; unexpected: string[]; weight: number[] }; strict: string;
    tied: { state: string[]; params: string[]; loaded: number[]; missing: string[] };
    bufs: { state: string[]; buffers: string[]; strict: string };
  }>(`${PY_HELPERS}
m = ${TORCH_MODEL}
sd = m.state_dict()
out = {'state': list(sd.keys()), 'params': [n for n, _ in m.named_parameters()], 'buffers': [n for n, _ in m.named_buffers()],
       'children': [n for n, _ in m.named_children()], 'repr': repr(m),
       'modules': [[n, type(x).__name__] for n, x in m.named_modules()], 'under': [n for n, _ in m[3].named_modules(prefix='features')],
       'nchildren': len(list(m.children())), 'applied': []}
m.apply(lambda x: out['applied'].append(type(x).__name__))
m.eval(); m[3][1].train()
out['modes'] = [x.training for x in m.modules()]
loose = {k: v for k, v in sd.items() if k not in ('1.running_var', '8.1.running_mean')}
loose['5.weight'] = torch.full((3, 8), 0.25)
loose['9.weight'] = torch.zeros(1)
loose['3.1.0.extra'] = torch.zeros(2)
r = m.load_state_dict(loose, strict=False)
out['loose'] = {'missing': r.missing_keys, 'unexpected': r.unexpected_keys, 'weight': m[5].weight.flatten().tolist()}
try: m.load_state_dict(loose); out['strict'] = ''
except RuntimeError as e: out['strict'] = str(e)
class Bufs(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer('scale', torch.ones(2))
        self.register_buffer('cache', torch.zeros(3), persistent=False)
        self.lin = torch.nn.Linear(2, 2)
        self.lin.register_buffer('steps', torch.zeros(()), persistent=False)
b = Bufs()
out['bufs'] = {'state': list(b.state_dict().keys()), 'buffers': [n for n, _ in b.named_buffers()],
               'strict': str(b.load_state_dict({**b.state_dict(), 'cache': torch.zeros(3)}, strict=False))}
class Tied(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.a = torch.nn.Linear(2, 2); self.b = torch.nn.Linear(2, 3); self.w = self.a.weight
t = Tied()
sd = t.state_dict()
out['tied'] = {'state': list(sd.keys()), 'params': [n for n, _ in t.named_parameters()]}
t.load_state_dict({**sd, 'w': torch.zeros(2, 2), 'a.weight': torch.tensor([[1., 2], [3, 4]])})
out['tied']['loaded'] = t.a.weight.flatten().tolist()
out['tied']['missing'] = t.load_state_dict({k: v for k, v in sd.items() if k != 'a.weight'}, strict=False).missing_keys
print(json.dumps(out))
`) : null;

  it('state-dict keys, namedParameters, namedBuffers, children and repr of nested Sequentials are torch\'s, in torch\'s order', () => {
    const m = build();
    expect(Object.keys(m.stateDict())).toEqual(torch!.state);
    expect(m.namedParameters().map(([n]) => n)).toEqual(torch!.params);
    expect(m.namedBuffers().map(([n]) => n)).toEqual(torch!.buffers);
    expect(m.namedChildren().map(([n]) => n)).toEqual(torch!.children);
    expect(m.toString()).toBe(torch!.repr);
  });

  it('namedModules(), modules(), children() and apply(fn) are torch\'s named_modules, modules, children and apply (they did not exist)', () => {
    const m = build();
    expect(m.namedModules().map(([n, x]) => [n, x.typeName])).toEqual(torch!.modules);
    expect(m.modules().map((x) => x.typeName)).toEqual(torch!.modules.map(([, t]) => t));
    expect((m.at(3) as Sequential).namedModules('features').map(([n]) => n)).toEqual(torch!.under);
    expect(m.children()).toHaveLength(torch!.nchildren);
    expect(m.children()[5]).toBe(m.at(5));
    const applied: string[] = [];
    expect(m.apply((x) => applied.push(x.typeName))).toBe(m);
    expect(applied).toEqual(torch!.applied);
    rejects(() => m.apply('init' as never), ValueError, /Sequential\.apply: fn must be a function/);
    rejects(() => m.namedModules(3 as never), ValueError, /namedModules: prefix must be a string/);
  });

  it('train() / eval() recurse as torch\'s, and a child set apart keeps its own mode', () => {
    const m = build();
    m.eval();
    (m.at(3) as Sequential).at(1).train();
    const modes: boolean[] = [];
    const visit = (mod: Module): void => { modes.push(mod.training); for (const [, c] of mod.namedChildren()) visit(c); };
    visit(m);
    expect(modes).toEqual(torch!.modes);
  });

  it('loadStateDict(dict, { strict: false }) loads the keys both have and reports the rest as torch (the option was ignored: every such dict was refused)', () => {
    const m = build();
    const sd = m.stateDict();
    const loose: Record<string, { shape: number[]; data: Float32Array }> = { ...sd };
    delete loose['1.running_var'];
    delete loose['8.1.running_mean'];
    loose['5.weight'] = { shape: [3, 8], data: new Float32Array(24).fill(0.25) };
    loose['9.weight'] = { shape: [1], data: new Float32Array(1) };
    loose['3.1.0.extra'] = { shape: [2], data: new Float32Array(2) };
    const before = Array.from((m.at(1) as BatchNorm2d).runningVar!.toFloat32Array());
    const keys = m.loadStateDict(loose, { strict: false });
    expect(keys).toEqual({ missingKeys: torch!.loose.missing, unexpectedKeys: torch!.loose.unexpected });
    expect(Array.from((m.at(5) as Linear).weight.toFloat32Array())).toEqual(torch!.loose.weight);
    expect(Array.from((m.at(1) as BatchNorm2d).runningVar!.toFloat32Array())).toEqual(before);
    // The strict load (the default) refuses it, naming what torch names.
    expect(torch!.strict).toMatch(/Missing key\(s\) in state_dict: "1.running_var", "8.1.running_mean"/);
    expect(torch!.strict).toMatch(/Unexpected key\(s\) in state_dict: "9.weight", "3.1.0.extra"/);
    rejects(() => m.loadStateDict(loose), ValueError, /missing keys '1.running_var', '8.1.running_mean'; unexpected keys '9.weight', '3.1.0.extra'.*strict: false/);
    expect(m.loadStateDict(sd)).toEqual({ missingKeys: [], unexpectedKeys: [] });
  });

  it('a parameter registered under two names (tied weights) is in the state dict under both, as torch\'s (it was saved once: torch\'s strict load of the file failed, and torch\'s file was refused)', () => {
    // Differed before: stateDict() kept the first name only, like namedParameters().
    class Tied extends nn.Module {
      readonly a = this.registerModule('a', new Linear(2, 2));
      readonly b = this.registerModule('b', new Linear(2, 3));
      constructor() {
        super();
        this.registerParameter('w', this.a.weight);
      }
      forward(x: Tensor): Tensor { return x; }
      backward(g: Tensor): Tensor { return g; }
    }
    const m = new Tied();
    expect(Object.keys(m.stateDict())).toEqual(torch!.tied.state);
    expect(m.namedParameters().map(([n]) => n)).toEqual(torch!.tied.params);
    expect(m.parameters()).toHaveLength(4);
    const sd = m.stateDict();
    const w = { shape: [2, 2], data: Float32Array.from([1, 2, 3, 4]) };
    // Both keys write the one tensor, in order: the last wins, as torch's copy_ per key.
    m.loadStateDict({ ...sd, w: { shape: [2, 2], data: new Float32Array(4) }, 'a.weight': w });
    expect(Array.from(m.a.weight.toFloat32Array())).toEqual(torch!.tied.loaded);
    const partial: Record<string, unknown> = { ...sd };
    delete partial['a.weight'];
    expect(m.loadStateDict(partial as never, { strict: false })).toEqual({ missingKeys: torch!.tied.missing, unexpectedKeys: [] });
  });

  it('a buffer registered with persistent: false is in namedBuffers() but not in the state dict, as torch\'s register_buffer(persistent=False) (there was no way to keep one out)', () => {
    class Steps extends Linear {
      constructor() {
        super(2, 2);
        this.registerBuffer('steps', Tensor.zeros([]), { dtype: 'I64', persistent: false });
      }
    }
    class Bufs extends nn.Module {
      readonly scale = this.registerBuffer('scale', Tensor.full([2], 1));
      readonly cache = this.registerBuffer('cache', Tensor.zeros([3]), { persistent: false });
      readonly lin = this.registerModule('lin', new Steps());
      forward(x: Tensor): Tensor { return x; }
      backward(g: Tensor): Tensor { return g; }
    }
    const m = new Bufs();
    expect(Object.keys(m.stateDict())).toEqual(torch!.bufs.state);
    expect(m.namedBuffers().map(([n]) => n)).toEqual(torch!.bufs.buffers);
    // A non-persistent buffer's key in a dict is unexpected, as in torch.
    expect(torch!.bufs.strict).toMatch(/unexpected_keys=\['cache'\]/);
    expect(m.loadStateDict({ ...m.stateDict(), cache: { shape: [3], data: new Float32Array(3) } }, { strict: false })).toEqual({ missingKeys: [], unexpectedKeys: ['cache'] });
    class Bad extends nn.Module {
      constructor(options: unknown, min?: number) { super(); this.registerBuffer('b', Tensor.zeros([1]), options as never, min); }
      forward(x: Tensor): Tensor { return x; }
      backward(g: Tensor): Tensor { return g; }
    }
    rejects(() => new Bad({ persistent: 'no' }), ValueError, /buffer 'b'.*persistent must be true or false/);
    rejects(() => new Bad({ persist: false }), ValueError, /unknown option 'persist'/);
    rejects(() => new Bad({ min: 0 }, 0), ValueError, /give min inside the options object/);
    rejects(() => new Bad({ dtype: 'F16' }), ValueError, /dtype of buffer 'b'/);
  });

  it('a non-strict load still checks every key it loads first (torch: "size mismatch"), changing nothing; options are checked', () => {
    const m = build();
    const w = Array.from((m.at(5) as Linear).weight.toFloat32Array());
    const bad = { '5.weight': { shape: [3, 8], data: new Float32Array(24).fill(0.5) }, '5.bias': { shape: [4], data: new Float32Array(4) } };
    rejects(() => m.loadStateDict(bad, { strict: false }), ShapeError, /'5.bias' has shape \[4\], the module expects \[3\]/);
    expect(Array.from((m.at(5) as Linear).weight.toFloat32Array())).toEqual(w);
    rejects(() => m.loadStateDict(m.stateDict(), { strict: 'no' as never }), ValueError, /strict must be true or false/);
    rejects(() => m.loadStateDict(m.stateDict(), { strct: false } as never), ValueError, /unknown option 'strct'/);
  });
});

// ─── torch options not offered ──────────────────────────────────────────────────────────────

describe('torch options wasmnn does not offer are refused saying so, and snake_case names the spelling', () => {
  // Differed before: each was "unknown option 'x'; allowed: …", as for a typo; reduction 'none'
  // listed 'mean' and 'sum' without saying why.
  it.each([
    [() => new Conv2d(1, 1, 3, { padding_mode: 'reflect' } as never), /Conv2d: option 'padding_mode' \(torch's padding_mode\) is not offered beyond torch's default 'zeros', got 'reflect': wasmnn pads with zeros only/],
    [() => new Conv2d(1, 1, 3, { paddingMode: 'circular' } as never), /Conv2d: option 'paddingMode' \(torch's padding_mode\) is not offered beyond torch's default 'zeros'/],
    [() => new MaxPool2d(2, { returnIndices: true } as never), /MaxPool2d: option 'returnIndices' \(torch's return_indices\) is not offered beyond torch's default false, got true: the argmax is kept for backward/],
    [() => new MaxPool2d(2, { return_indices: true } as never), /MaxPool2d: option 'return_indices' \(torch's return_indices\) is not offered/],
    [() => new AvgPool2d(2, { divisor: 2 } as never), /AvgPool2d: unknown option 'divisor'; allowed: stride, padding, ceilMode, countIncludePad, divisorOverride$/],
    [() => new Dropout(0.5, { inplace: true } as never), /Dropout: option 'inplace' \(torch's inplace\) is not offered beyond torch's default false/],
    [() => new BCEWithLogitsLoss({ pos_weight: [3] } as never), /BCEWithLogitsLoss: option 'pos_weight' \(torch's pos_weight\) is not offered: positive examples weigh as negative ones/],
    [() => new BCEWithLogitsLoss({ weight: [3] } as never), /BCEWithLogitsLoss: option 'weight' \(torch's weight\) is not offered/],
    [() => new BCELoss({ weight: [3] } as never), /BCELoss: option 'weight' \(torch's weight\) is not offered/],
    [() => new MSELoss({ reduction: 'none' } as never), /MSELoss: reduction 'none' \(torch's per-element losses\) is not offered: forward\(\) returns one number/],
    [() => new CrossEntropyLoss({ reduction: 'none' } as never), /CrossEntropyLoss: reduction 'none'.*is not offered/],
    [() => new CrossEntropyLoss({ label_smoothing: 0.1 } as never), /CrossEntropyLoss: unknown option 'label_smoothing'; torch's label_smoothing is spelt 'labelSmoothing' here/],
    [() => new CrossEntropyLoss({ ignore_index: 0 } as never), /torch's ignore_index is spelt 'ignoreIndex' here/],
    [() => new BatchNorm1d(3, { track_running_stats: false } as never), /torch's track_running_stats is spelt 'trackRunningStats' here/],
    [() => new LayerNorm(3, { elementwise_affine: false } as never), /torch's elementwise_affine is spelt 'elementwiseAffine' here/],
    [() => new MaxPool2d(2, { ceil_mode: true } as never), /torch's ceil_mode is spelt 'ceilMode' here/],
    [() => new SGD(new Linear(1, 1).parameters(), { lr: 0.1, weight_decay: 0.1 } as never), /SGD: unknown option 'weight_decay'; torch's weight_decay is spelt 'weightDecay' here/],
  ])('%#', (make, message) => {
    rejects(make, ValueError, message);
  });

  it('torch\'s defaults of those options are accepted, in either spelling (they are what wasmnn does)', () => {
    expect(new Conv2d(1, 2, 3, { paddingMode: 'zeros' }).toString()).toBe(new Conv2d(1, 2, 3).toString());
    expect(new Conv2d(1, 2, 3, { padding_mode: 'zeros' } as never).toConfig()).toEqual(new Conv2d(1, 2, 3).toConfig());
    expect(new MaxPool2d(2, { returnIndices: false }).toString()).toBe('MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)');
    expect(new Dropout(0.5, { inplace: false }).toString()).toBe('Dropout(p=0.5, inplace=False)');
  });
});
