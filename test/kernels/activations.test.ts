// Activation kernels (assembly/activations.ts) against the float64 reference. Forward outputs are
// compared directly; backward kernels get the same x, y and dy in both sets, so only the
// derivative formula is compared.
import { afterEach, describe, expect, it } from 'vitest';
import { onePlusErf } from '../../src/backend/reference.js';
import type { KernelName, Kernels } from '../../src/backend/kernels.js';
import { Heap, SIZES, expectClose, kernelSets, randomArray } from '../helpers/heap.js';
import { runTorch, torchAvailable } from '../helpers/torch.js';

const heap = new Heap();
afterEach(() => heap.free());

interface Case {
  name: string;
  forward: KernelName;
  backward: KernelName;
  p0: number;
  p1: number;
  /** Forward tolerance (relative, absolute). */
  tol: { rtol: number; atol: number };
}

// ReLU is exact; LeakyReLU within 2 ulp (its slope and product are rounded to float32); the
// transcendental ones within a few float32 ulp (rtol 1e-6), with an absolute floor near zero.
const CASES: Case[] = [
  { name: 'relu', forward: 'reluForward', backward: 'reluBackward', p0: 0, p1: 0, tol: { rtol: 0, atol: 0 } },
  { name: 'leakyRelu(0.1)', forward: 'leakyReluForward', backward: 'leakyReluBackward', p0: 0.1, p1: 0, tol: { rtol: 2.4e-7, atol: 0 } },
  { name: 'tanh', forward: 'tanhForward', backward: 'tanhBackward', p0: 0, p1: 0, tol: { rtol: 1e-6, atol: 1e-7 } },
  { name: 'sigmoid', forward: 'sigmoidForward', backward: 'sigmoidBackward', p0: 0, p1: 0, tol: { rtol: 1e-6, atol: 1e-7 } },
  { name: 'elu(1.5)', forward: 'eluForward', backward: 'eluBackward', p0: 1.5, p1: 0, tol: { rtol: 1e-6, atol: 2e-7 } },
  { name: 'gelu(tanh)', forward: 'geluForward', backward: 'geluBackward', p0: 0, p1: 0, tol: { rtol: 1e-6, atol: 2e-7 } },
  { name: 'gelu(erf)', forward: 'geluErfForward', backward: 'geluErfBackward', p0: 0, p1: 0, tol: { rtol: 1e-6, atol: 2e-7 } },
  { name: 'softplus(1, 20)', forward: 'softplusForward', backward: 'softplusBackward', p0: 1, p1: 20, tol: { rtol: 1e-6, atol: 1e-7 } },
  { name: 'softplus(2, 5)', forward: 'softplusForward', backward: 'softplusBackward', p0: 2, p1: 5, tol: { rtol: 1e-6, atol: 1e-7 } },
];

type Fwd = (n: number, x: number, y: number, p0: number, p1: number) => void;
type Bwd = (n: number, x: number, y: number, dy: number, dx: number, p0: number, p1: number) => void;
const fwd = (k: Kernels, name: KernelName): Fwd => k[name] as Fwd;
const bwd = (k: Kernels, name: KernelName): Bwd => k[name] as Bwd;

describe.each(CASES)('$name', ({ forward, backward, p0, p1, tol }) => {
  it.each(SIZES)('forward and backward match the reference, n = %i', (n) => {
    const { wasm, reference } = kernelSets();
    const x = randomArray(n, n + 1, -8, 8);
    const px = heap.f32(x), yw = heap.zeros(n), yr = heap.zeros(n);
    fwd(wasm, forward)(n, px, yw, p0, p1);
    fwd(reference, forward)(n, px, yr, p0, p1);
    expectClose(heap.read(yw, n), heap.read(yr, n), tol, `${forward}`);

    const pdy = heap.f32(randomArray(n, n + 2)), dxw = heap.zeros(n), dxr = heap.zeros(n);
    bwd(wasm, backward)(n, px, yw, pdy, dxw, p0, p1);
    bwd(reference, backward)(n, px, yw, pdy, dxr, p0, p1);
    expectClose(heap.read(dxw, n), heap.read(dxr, n), { rtol: 1e-5, atol: 1e-6 }, `${backward}`);
  });

  it('propagates NaN and handles ±Infinity and large inputs like the reference', () => {
    const { wasm, reference } = kernelSets();
    const x = Float32Array.from([NaN, Infinity, -Infinity, 100, -100, 0, 1e-20, -1e-20]);
    const n = x.length, px = heap.f32(x), yw = heap.zeros(n), yr = heap.zeros(n);
    fwd(wasm, forward)(n, px, yw, p0, p1);
    fwd(reference, forward)(n, px, yr, p0, p1);
    expectClose(heap.read(yw, n), heap.read(yr, n), { rtol: 1e-6, atol: 1e-7 }, `${forward} specials`);
  });

  it('backward works in place (dx = dy)', () => {
    const { wasm, reference } = kernelSets();
    const n = 17, x = randomArray(n, 5, -3, 3), dy = randomArray(n, 6);
    const px = heap.f32(x), y = heap.zeros(n);
    fwd(wasm, forward)(n, px, y, p0, p1);
    const inPlace = heap.f32(dy), separate = heap.zeros(n), pdy = heap.f32(dy);
    bwd(wasm, backward)(n, px, y, inPlace, inPlace, p0, p1);
    bwd(reference, backward)(n, px, y, pdy, separate, p0, p1);
    expectClose(heap.read(inPlace, n), heap.read(separate, n), { rtol: 1e-5, atol: 1e-6 }, 'in place');
  });
});

describe('softmax', () => {
  it.each([[1, 1], [1, 3], [4, 4], [3, 5], [17, 10], [2, 1023], [64, 17]])('rows=%i cols=%i', (rows, cols) => {
    const { wasm, reference } = kernelSets();
    const n = rows * cols;
    const px = heap.f32(randomArray(n, n, -20, 20)), yw = heap.zeros(n), yr = heap.zeros(n);
    wasm.softmaxForward(rows, cols, px, yw);
    reference.softmaxForward(rows, cols, px, yr);
    expectClose(heap.read(yw, n), heap.read(yr, n), { rtol: 2e-6, atol: 1e-9 }, 'softmax');
    const pdy = heap.f32(randomArray(n, n + 1)), dxw = heap.zeros(n), dxr = heap.zeros(n);
    wasm.softmaxBackward(rows, cols, yw, pdy, dxw);
    reference.softmaxBackward(rows, cols, yw, pdy, dxr);
    expectClose(heap.read(dxw, n), heap.read(dxr, n), { rtol: 1e-5, atol: 1e-6 }, 'softmax backward');
  });

  it('is stable for huge logits and keeps -Infinity entries at 0', () => {
    const { wasm } = kernelSets();
    const px = heap.f32([1000, 999, -Infinity, 998]), y = heap.zeros(4);
    wasm.softmaxForward(1, 4, px, y);
    const e = [1, Math.exp(-1), 0, Math.exp(-2)], s = e[0]! + e[1]! + e[3]!;
    expectClose(heap.read(y, 4), e.map((v) => v / s), { rtol: 1e-6 }, 'stable softmax');
  });
});

describe("the exact GELU's erf", () => {
  it("onePlusErf matches Python's math.erfc(−z) to 1e-13 (it is the float64 oracle of the exact GELU)", () => {
    const zs = [-27, -10, -6, -4, -3.0001, -3, -2.9999, -1, -0.1, -1e-5, 0, 1e-5, 0.5, 1, 2.5, 2.99, 3, 5, 30];
    const want = runTorch<number[]>('import json, math, sys\nprint(json.dumps([math.erfc(-z) for z in json.load(sys.stdin)]))', zs);
    zs.forEach((z, i) => expect(Math.abs(onePlusErf(z) - want[i]!), `z = ${z}`).toBeLessThanOrEqual(1e-13 * want[i]!));
  });

  it('keeps the relative accuracy of the tiny outputs of negative inputs (against the float64 reference)', () => {
    const { wasm, reference } = kernelSets();
    const x = Float32Array.from({ length: 151 }, (_, i) => -12 + i * 0.06), n = x.length, px = heap.f32(x);
    const yw = heap.zeros(n), yr = heap.zeros(n), ones = heap.f32(new Float32Array(n).fill(1)), dw = heap.zeros(n), dr = heap.zeros(n);
    fwd(wasm, 'geluErfForward')(n, px, yw, 0, 0);
    fwd(reference, 'geluErfForward')(n, px, yr, 0, 0);
    bwd(wasm, 'geluErfBackward')(n, px, yw, ones, dw, 0, 0);
    bwd(reference, 'geluErfBackward')(n, px, yr, ones, dr, 0, 0);
    // Values from −1e-30 (x = −11.6) to −4e-3 (x = −3): erfcc's 1.2e-7 plus float32 rounding in the polynomial and the exps.
    expectClose(heap.read(yw, n), heap.read(yr, n), { rtol: 2e-6, atol: 1e-37 }, 'GELU on negative x');
    expectClose(heap.read(dw, n), heap.read(dr, n), { rtol: 2e-6, atol: 1e-37 }, 'GELU gradient on negative x');
  });
});

describe.skipIf(!torchAvailable())('the exact GELU against PyTorch', () => {
  it("nn.GELU()'s and nn.GELU(approximate='tanh')'s values and gradients, tiny negative outputs included", () => {
    const x = Float32Array.from({ length: 401 }, (_, i) => -12 + i * 0.06);
    const n = x.length, px = heap.f32(x), ones = heap.f32(new Float32Array(n).fill(1));
    // torch in float64 on the same float32 inputs: its float32 kernels round 1 + erf(z) (and the
    // tanh form's 1 + tanh u) to 0 below x ≈ −5, an absolute error of up to 8e-7 that would hide
    // ours; in float64 it is the function itself.
    const torch = runTorch<Record<string, { y: number[]; dx: number[] }>>(`
import json, sys, torch
x = torch.tensor(json.load(sys.stdin), dtype=torch.float64)
out = {}
for a in ['none', 'tanh']:
    v = x.clone().requires_grad_()
    y = torch.nn.GELU(approximate=a)(v)
    y.sum().backward()
    out[a] = {'y': y.detach().tolist(), 'dx': v.grad.tolist()}
print(json.dumps(out))
`, Array.from(x));
    const { wasm } = kernelSets();
    for (const [approximate, forward, backward] of [['none', 'geluErfForward', 'geluErfBackward'], ['tanh', 'geluForward', 'geluBackward']] as const) {
      const y = heap.zeros(n), dx = heap.zeros(n);
      fwd(wasm, forward)(n, px, y, 0, 0);
      bwd(wasm, backward)(n, px, y, ones, dx, 0, 0);
      expectClose(heap.read(y, n), torch[approximate]!.y, { rtol: 2e-6, atol: 1e-7 }, `GELU(approximate='${approximate}')`);
      expectClose(heap.read(dx, n), torch[approximate]!.dx, { rtol: 2e-6, atol: 1e-7 }, `GELU(approximate='${approximate}') gradient`);
    }
  });


});
