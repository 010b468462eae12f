// The vectorised exp / log / tanh (assembly/simdmath.ts) against Math.* in float64.
import { afterEach, describe, expect, it } from 'vitest';
import { Heap, SIZES, expectClose, kernelSets, randomArray } from '../helpers/heap.js';

const heap = new Heap();
afterEach(() => heap.free());

function run(kernel: 'vexp' | 'vlog' | 'vtanh', input: Float32Array): Float32Array {
  const x = heap.f32(input), y = heap.zeros(input.length);
  kernelSets().wasm[kernel](input.length, x, y);
  return heap.read(y, input.length);
}

// Relative tolerances: 4 float32 ulp (1 ulp = 2^-23 ≈ 1.2e-7 relative).
const ULP4 = 4.8e-7;

describe('exp', () => {
  it.each(SIZES)('matches Math.exp on [-87, 88] within 4 ulp, n = %i', (n) => {
    const x = randomArray(n, n, -87, 88);
    expectClose(run('vexp', x), Array.from(x, Math.exp), { rtol: ULP4 }, 'exp');
  });

  it('handles denormal results, overflow and special values like Math.exp', () => {
    const x = Float32Array.from([-100, -103, -104.5, -200, 88.7, 88.8, 1000, 0, -0, Infinity, -Infinity, NaN]);
    const expected = Array.from(x, (v) => Math.fround(Math.exp(v)));
    // Denormals keep fewer significant bits: allow one unit of the smallest denormal.
    expectClose(run('vexp', x), expected, { rtol: ULP4, atol: 1.5e-45 }, 'exp specials');
  });
});

describe('log', () => {
  it.each(SIZES)('matches Math.log on (0, 1e6] within 4 ulp + 1e-7 absolute, n = %i', (n) => {
    const x = randomArray(n, 100 + n, 1e-6, 1e6);
    expectClose(run('vlog', x), Array.from(x, Math.log), { rtol: ULP4, atol: 1e-7 }, 'log');
  });

  it('handles denormals, 0, negatives, Infinity and NaN', () => {
    const x = Float32Array.from([1e-40, 1e-45, 1.17549435e-38, 0, -1, Infinity, NaN, 1]);
    expectClose(run('vlog', x), Array.from(x, Math.log), { rtol: ULP4, atol: 1e-7 }, 'log specials');
  });
});

describe('tanh', () => {
  it.each(SIZES)('matches Math.tanh on [-10, 10] within 4 ulp + 1e-7 absolute, n = %i', (n) => {
    const x = randomArray(n, 200 + n, -10, 10);
    expectClose(run('vtanh', x), Array.from(x, Math.tanh), { rtol: ULP4, atol: 1e-7 }, 'tanh');
  });

  it('is accurate near 0 and saturates to ±1', () => {
    const x = Float32Array.from([1e-30, -1e-5, 0.0003, 0.0005, 0.01, 8, -8, 50, Infinity, -Infinity, NaN, 0]);
    const out = run('vtanh', x);
    expectClose(out, Array.from(x, Math.tanh), { rtol: ULP4 }, 'tanh specials');
    expect(Object.is(out[11], 0)).toBe(true);
  });
});
