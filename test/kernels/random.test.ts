// Dropout kernels (assembly/random.ts) against the TypeScript reference: the same bits, any
// [begin, end) split gives the same mask, and the keep rate is 1 - p.
import { afterEach, describe, expect, it } from 'vitest';
import { dropoutUniform } from '../../src/backend/reference-dropout.js';
import { Heap, SIZES, kernelSets, randomArray } from '../helpers/heap.js';

const heap = new Heap();
afterEach(() => heap.free());

describe('dropout kernels', () => {
  it.each(SIZES)('forward and backward give the reference bits, n = %i', (n) => {
    const { wasm, reference } = kernelSets();
    for (const [p, key0, key1] of [[0.5, 1, 2], [0.1, 0xdeadbeef, 7], [0.9, 0xffffffff, 0xffffffff]] as const) {
      const scale = 1 / (1 - p);
      const px = heap.f32(randomArray(n, n)), yw = heap.zeros(n), yr = heap.zeros(n), mw = heap.zeros(n), mr = heap.zeros(n);
      wasm.dropoutForward(0, n, px, yw, mw, key0, key1, p, scale);
      reference.dropoutForward(0, n, px, yr, mr, key0, key1, p, scale);
      expect(Array.from(heap.read(mw, n))).toEqual(Array.from(heap.read(mr, n)));
      expect(Array.from(heap.read(yw, n))).toEqual(Array.from(heap.read(yr, n)));
      const pdy = heap.f32(randomArray(n, n + 1)), dw = heap.zeros(n), dr = heap.zeros(n);
      wasm.dropoutBackward(0, n, pdy, mw, dw);
      reference.dropoutBackward(0, n, pdy, mw, dr);
      expect(Array.from(heap.read(dw, n))).toEqual(Array.from(heap.read(dr, n)));
    }
  });

  it('any split of [0, n) into ranges gives the same mask as one call', () => {
    const { wasm } = kernelSets();
    const n = 1023, px = heap.f32(randomArray(n, 3)), whole = heap.zeros(n), parts = heap.zeros(n), y = heap.zeros(n);
    wasm.dropoutForward(0, n, px, y, whole, 11, 12, 0.3, 1 / 0.7);
    for (const [b, e] of [[0, 1], [1, 6], [6, 17], [17, 500], [500, 1023]]) wasm.dropoutForward(b!, e!, px, y, parts, 11, 12, 0.3, 1 / 0.7);
    expect(Array.from(heap.read(parts, n))).toEqual(Array.from(heap.read(whole, n)));
  });

  it('keeps a fraction 1 - p of the elements, scaled by 1/(1 - p); other keys give other masks', () => {
    const { wasm } = kernelSets();
    const n = 200_000, px = heap.f32(new Float32Array(n).fill(1)), y = heap.zeros(n), m = heap.zeros(n), m2 = heap.zeros(n);
    for (const p of [0.1, 0.5, 0.8]) {
      wasm.dropoutForward(0, n, px, y, m, 5, 6, p, 1 / (1 - p));
      const mask = heap.read(m, n);
      const kept = mask.filter((v) => v !== 0);
      // Binomial standard deviation √(n·p·(1-p)) ≤ 224: 5σ.
      expect(Math.abs(kept.length - n * (1 - p))).toBeLessThan(5 * Math.sqrt(n * p * (1 - p)));
      expect(new Set(kept).size).toBe(1);
      expect(kept[0]).toBe(Math.fround(1 / (1 - p)));
      wasm.dropoutForward(0, n, px, y, m2, 5, 7, p, 1 / (1 - p));
      const other = heap.read(m2, n);
      let same = 0;
      for (let i = 0; i < n; i++) if ((mask[i] === 0) === (other[i] === 0)) same++;
      // Independent masks agree on p² + (1-p)² of the elements.
      expect(Math.abs(same / n - (p * p + (1 - p) ** 2))).toBeLessThan(0.01);
    }
  });

  it('p = 0 keeps everything, p = 1 (scale 0) drops everything', () => {
    const { wasm } = kernelSets();
    const n = 17, x = randomArray(n, 9), px = heap.f32(x), y = heap.zeros(n), m = heap.zeros(n);
    wasm.dropoutForward(0, n, px, y, m, 1, 2, 0, 1);
    expect(Array.from(heap.read(y, n))).toEqual(Array.from(x));
    wasm.dropoutForward(0, n, px, y, m, 1, 2, 1, 0);
    expect(Array.from(heap.read(m, n)).every((v) => v === 0)).toBe(true);
  });

  it('the uniforms are 24-bit, in [0, 1), and not correlated between neighbours', () => {
    let sum = 0, lag = 0, prev = dropoutUniform(3, 4, 0), bad = 0;
    const n = 100_000;
    for (let i = 1; i <= n; i++) {
      const u = dropoutUniform(3, 4, i);
      if (!(u >= 0 && u < 1 && Number.isInteger(u * 2 ** 24))) bad++;
      sum += u;
      lag += (u - 0.5) * (prev - 0.5);
      prev = u;
    }
    expect(bad).toBe(0);
    expect(Math.abs(sum / n - 0.5)).toBeLessThan(0.005);
    expect(Math.abs(lag / n)).toBeLessThan(0.002); // |corr| < 0.024 (σ of the estimate: 0.0026 / 12)
  });
});
