// assembly/pool.ts against the TypeScript reference at odd shapes: 1×1 images, windows larger
// than the image (with padding), stride larger than the window, non-square everything.
import { afterEach, describe, expect, it } from 'vitest';
import { Heap, expectClose, kernelSets, randomArray } from '../helpers/heap.js';

const heap = new Heap();
afterEach(() => heap.free());

/** [planes, H, W, KH, KW, SH, SW, PH, PW] with PH ≤ KH/2, PW ≤ KW/2 (torch's rule). */
const CASES: Array<[number, number, number, number, number, number, number, number, number]> = [
  [1, 1, 1, 1, 1, 1, 1, 0, 0],
  [3, 1, 1, 2, 2, 2, 2, 1, 1], // 1×1 image, 2×2 window, padding 1
  [2, 2, 3, 4, 5, 1, 1, 2, 2], // window larger than the image
  [4, 7, 9, 2, 3, 3, 4, 1, 0], // stride larger than the window
  [5, 5, 7, 3, 2, 2, 1, 1, 1],
  [6, 28, 28, 2, 2, 2, 2, 0, 0], // LeNet
  [16, 10, 10, 2, 2, 2, 2, 0, 0],
];

const out = (n: number, k: number, s: number, p: number): number => Math.floor((n + 2 * p - k) / s) + 1;

describe('pool kernels', () => {
  it.each(CASES)('max and average, forward and backward: planes=%i H=%i W=%i k=%i×%i s=%i×%i p=%i×%i', (planes, H, W, KH, KW, SH, SW, PH, PW) => {
    const { wasm, reference } = kernelSets();
    const OH = out(H, KH, SH, PH), OW = out(W, KW, SW, PW), L = OH * OW;
    const x = heap.f32(randomArray(planes * H * W, H * W + planes));
    const dy = heap.f32(randomArray(planes * L, 7));
    const run = (k: typeof wasm): { y: Float32Array; arg: Int32Array; dx: Float32Array; ay: Float32Array; adx: Float32Array } => {
      const y = heap.f32(new Float32Array(planes * L).fill(NaN)), arg = heap.i32(new Int32Array(planes * L).fill(-7));
      const dx = heap.f32(new Float32Array(planes * H * W).fill(NaN));
      const ay = heap.f32(new Float32Array(planes * L).fill(NaN)), adx = heap.f32(new Float32Array(planes * H * W).fill(NaN));
      const mid = planes >> 1; // two calls: the plane range works
      for (const [p0, p1] of [[0, mid], [mid, planes]] as const) {
        k.maxPool2dForward(p0, p1, H, W, KH, KW, SH, SW, PH, PW, OH, OW, x, y, arg);
        k.maxPool2dBackward(p0, p1, H, W, OH, OW, dy, arg, dx);
        k.avgPool2dForward(p0, p1, H, W, KH, KW, SH, SW, PH, PW, OH, OW, x, ay);
        k.avgPool2dBackward(p0, p1, H, W, KH, KW, SH, SW, PH, PW, OH, OW, dy, adx);
      }
      return { y: heap.read(y, planes * L), arg: heap.readI32(arg, planes * L), dx: heap.read(dx, planes * H * W),
        ay: heap.read(ay, planes * L), adx: heap.read(adx, planes * H * W) };
    };
    const w = run(wasm), r = run(reference);
    expect(Array.from(w.y)).toEqual(Array.from(r.y));
    expect(Array.from(w.arg)).toEqual(Array.from(r.arg));
    expectClose(w.dx, r.dx, { rtol: 1e-6, atol: 1e-7 }, 'max backward');
    expectClose(w.ay, r.ay, { rtol: 1e-6, atol: 1e-7 }, 'avg forward');
    expectClose(w.adx, r.adx, { rtol: 1e-6, atol: 1e-7 }, 'avg backward');
    for (const v of w.arg) expect(v >= 0 && v < H * W).toBe(true);
  });

  it('the 2×2 stride-2 SIMD path keeps the first maximum and the NaN rule of the general loop', () => {
    const { wasm, reference } = kernelSets();
    // Two rows of 18 columns (9 outputs: two SIMD steps and a scalar tail) with ties and NaNs.
    const row0 = [1, 1, 2, 5, NaN, 3, 0, 0, 4, NaN, -1, -2, 7, 7, 0, 1, 2, 2];
    const row1 = [1, 0, 5, 2, 9, NaN, 0, 0, NaN, 4, -3, -1, 1, 7, NaN, NaN, 2, 3];
    const x = heap.f32([...row0, ...row1]);
    const out = (k: typeof wasm): [number[], number[]] => {
      const y = heap.zeros(9), arg = heap.i32(new Int32Array(9));
      k.maxPool2dForward(0, 1, 2, 18, 2, 2, 2, 2, 0, 0, 1, 9, x, y, arg);
      return [Array.from(heap.read(y, 9)), Array.from(heap.readI32(arg, 9))];
    };
    const [yw, aw] = out(wasm), [yr, ar] = out(reference);
    expect(yw).toEqual(yr);
    expect(aw).toEqual(ar);
    expect(ar).toEqual([0, 3, 4, 6, 9, 10, 12, 32, 35]);
  });

  it('max pooling propagates NaN (as torch)', () => {
    const { wasm } = kernelSets();
    const x = heap.f32([1, NaN, 3, 4]), y = heap.zeros(1), arg = heap.i32([0]);
    wasm.maxPool2dForward(0, 1, 2, 2, 2, 2, 2, 2, 0, 0, 1, 1, x, y, arg);
    expect(Number.isNaN(heap.read(y, 1)[0])).toBe(true);
    expect(heap.readI32(arg, 1)[0]).toBe(1);
  });
});
