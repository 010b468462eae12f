// assembly/pool.ts against the TypeScript reference at odd shapes: 1×1 images, windows larger
// than the image (with padding), stride larger than the window, non-square everything, dilation,
// ceil_mode's cut last windows and the three average divisor rules.
import { afterEach, describe, expect, it } from 'vitest';
import { poolOut, windowsHitImage } from '../../src/nn/pool-size.js';
import { Heap, expectClose, kernelSets, randomArray } from '../helpers/heap.js';

const heap = new Heap();
afterEach(() => heap.free());

/** [planes, H, W, KH, KW, SH, SW, PH, PW] with PH ≤ KH/2, PW ≤ KW/2 (torch's rule). */
type Case = [number, number, number, number, number, number, number, number, number];
const BASE: Case[] = [
  [1, 1, 1, 1, 1, 1, 1, 0, 0],
  [3, 1, 1, 2, 2, 2, 2, 1, 1], // 1×1 image, 2×2 window, padding 1
  [2, 2, 3, 4, 5, 1, 1, 2, 2], // window larger than the image
  [4, 7, 9, 2, 3, 3, 4, 1, 0], // stride larger than the window
  [5, 5, 7, 3, 2, 2, 1, 1, 1],
  [6, 28, 28, 2, 2, 2, 2, 0, 0], // LeNet
  [16, 10, 10, 2, 2, 2, 2, 0, 0],
  [3, 7, 19, 2, 2, 2, 2, 0, 0], // LeNet's window on odd sizes: ceil mode cuts the SIMD path's last row and column
  [3, 17, 5, 3, 3, 2, 2, 1, 1],
  [2, 1023, 1, 4, 1, 3, 1, 2, 0],
];
/** Each case with dilation [DH, DW] (max only), ceil mode and an average divisor rule D. */
const CASES: Array<[...Case, number, number, boolean, number]> = BASE.flatMap((c, i) => [
  [...c, 1, 1, false, 0], [...c, 1, 1, true, -1], [...c, 2, 1 + (i % 3), true, 0], [...c, 1 + (i % 2), 2, false, 3],
] as Array<[...Case, number, number, boolean, number]>).filter(([, H, W, KH, KW, SH, SW, PH, PW, DH, DW, ceil]) => {
  const OH = poolOut(H, KH, SH, PH, DH, ceil), OW = poolOut(W, KW, SW, PW, DW, ceil);
  // The average ignores dilation: its geometry must hold too.
  return OH > 0 && OW > 0 && windowsHitImage(H, SH, PH, DH, OH) && windowsHitImage(W, SW, PW, DW, OW) &&
    poolOut(H, KH, SH, PH, 1, ceil) > 0 && poolOut(W, KW, SW, PW, 1, ceil) > 0;
});

describe('pool kernels', () => {
  it('the case list exercises dilation, ceil mode and every divisor rule', () => {
    expect(CASES.length).toBeGreaterThan(30);
    expect(CASES.some((c) => c[9] > 1 && c[11])).toBe(true);
  });

  it.each(CASES)('max and average, forward and backward: planes=%i H=%i W=%i k=%i×%i s=%i×%i p=%i×%i d=%i×%i ceil=%s D=%i', (planes, H, W, KH, KW, SH, SW, PH, PW, DH, DW, ceil, D) => {
    const { wasm, reference } = kernelSets();
    const OH = poolOut(H, KH, SH, PH, DH, ceil), OW = poolOut(W, KW, SW, PW, DW, ceil), L = OH * OW;
    const AH = poolOut(H, KH, SH, PH, 1, ceil), AW = poolOut(W, KW, SW, PW, 1, ceil), AL = AH * AW;
    const ady = heap.f32(randomArray(planes * AL, 9));
    const x = heap.f32(randomArray(planes * H * W, H * W + planes));
    const dy = heap.f32(randomArray(planes * L, 7));
    const run = (k: typeof wasm): { y: Float32Array; arg: Int32Array; dx: Float32Array; ay: Float32Array; adx: Float32Array } => {
      const y = heap.f32(new Float32Array(planes * L).fill(NaN)), arg = heap.i32(new Int32Array(planes * L).fill(-7));
      const dx = heap.f32(new Float32Array(planes * H * W).fill(NaN));
      const ay = heap.f32(new Float32Array(planes * AL).fill(NaN)), adx = heap.f32(new Float32Array(planes * H * W).fill(NaN));
      const mid = planes >> 1; // two calls: the plane range works
      for (const [p0, p1] of [[0, mid], [mid, planes]] as const) {
        k.maxPool2dForward(p0, p1, H, W, KH, KW, SH, SW, PH, PW, DH, DW, OH, OW, x, y, arg);
        k.maxPool2dBackward(p0, p1, H, W, OH, OW, dy, arg, dx);
        k.avgPool2dForward(p0, p1, H, W, KH, KW, SH, SW, PH, PW, AH, AW, D, x, ay);
        k.avgPool2dBackward(p0, p1, H, W, KH, KW, SH, SW, PH, PW, AH, AW, D, ady, adx);
      }
      return { y: heap.read(y, planes * L), arg: heap.readI32(arg, planes * L), dx: heap.read(dx, planes * H * W),
        ay: heap.read(ay, planes * AL), adx: heap.read(adx, planes * H * W) };
    };
    const w = run(wasm), r = run(reference);
    expect(Array.from(w.y)).toEqual(Array.from(r.y));
    expect(Array.from(w.arg)).toEqual(Array.from(r.arg));
    expectClose(w.dx, r.dx, { rtol: 1e-6, atol: 1e-7 }, 'max backward');
    expectClose(w.ay, r.ay, { rtol: 1e-6, atol: 1e-7 }, 'avg forward');
    expectClose(w.adx, r.adx, { rtol: 1e-6, atol: 1e-7 }, 'avg backward');
    for (const v of w.arg) expect(v >= 0 && v < H * W).toBe(true);
    for (const v of w.ay) expect(Number.isFinite(v)).toBe(true);
  });

  it.each([
    [1, 1, 1, 1, 1], [3, 5, 4, 3, 2], [2, 7, 9, 2, 4], [4, 6, 6, 6, 6], [2, 3, 2, 5, 7], [5, 14, 13, 1, 1], [1, 1023, 3, 7, 2],
  ])('adaptive average pooling, forward and backward: planes=%i H=%i W=%i → %i×%i', (planes, H, W, OH, OW) => {
    const { wasm, reference } = kernelSets();
    const x = heap.f32(randomArray(planes * H * W, H * W + planes)), dy = heap.f32(randomArray(planes * OH * OW, 5));
    const run = (k: typeof wasm): { y: Float32Array; dx: Float32Array } => {
      const y = heap.f32(new Float32Array(planes * OH * OW).fill(NaN)), dx = heap.f32(new Float32Array(planes * H * W).fill(NaN));
      const mid = planes >> 1; // two calls: the plane range works
      for (const [p0, p1] of [[0, mid], [mid, planes]] as const) {
        k.adaptiveAvgPool2dForward(p0, p1, H, W, OH, OW, x, y);
        k.adaptiveAvgPool2dBackward(p0, p1, H, W, OH, OW, dy, dx);
      }
      return { y: heap.read(y, planes * OH * OW), dx: heap.read(dx, planes * H * W) };
    };
    const w = run(wasm), r = run(reference);
    expectClose(w.y, r.y, { rtol: 1e-6, atol: 1e-7 }, 'adaptive forward');
    expectClose(w.dx, r.dx, { rtol: 1e-6, atol: 1e-7 }, 'adaptive backward');
    for (const v of w.y) expect(Number.isFinite(v)).toBe(true);
    // The windows cover the image: a gradient of ones reaches every input pixel (dx > 0 everywhere).
    const ones = heap.f32(new Float32Array(planes * OH * OW).fill(1)), cover = heap.f32(new Float32Array(planes * H * W).fill(NaN));
    wasm.adaptiveAvgPool2dBackward(0, planes, H, W, OH, OW, ones, cover);
    for (const v of heap.read(cover, planes * H * W)) expect(v).toBeGreaterThan(0);
  });

  it('adaptive windows are torch\'s: 5 → 3 averages [0, 2), [1, 4), [3, 5)', () => {
    const { wasm, reference } = kernelSets();
    const x = heap.f32([1, 2, 3, 4, 5]);
    for (const k of [wasm, reference]) {
      const y = heap.zeros(3), dx = heap.zeros(5);
      k.adaptiveAvgPool2dForward(0, 1, 1, 5, 1, 3, x, y);
      expect(Array.from(heap.read(y, 3))).toEqual([1.5, 3, 4.5]);
      k.adaptiveAvgPool2dBackward(0, 1, 1, 5, 1, 3, heap.f32([2, 3, 4]), dx);
      expect(Array.from(heap.read(dx, 5))).toEqual([1, 2, 1, 3, 2]);
    }
  });

  it('divide by torch\'s divisors: ceil mode\'s cut window, count_include_pad false, divisor_override', () => {
    const { wasm, reference } = kernelSets();
    // One row [1 … 5], window 1×3, stride 2, padding 1, ceil mode: windows [-1, 1], [1, 3], [3, 5]
    // (the last one cut: 5 is the right padding, 6 outside the padded image).
    const x = heap.f32([1, 2, 3, 4, 5]);
    for (const k of [wasm, reference]) {
      const avg = (D: number): number[] => {
        const y = heap.zeros(3);
        k.avgPool2dForward(0, 1, 1, 5, 1, 3, 1, 2, 0, 1, 1, 3, D, x, y);
        return Array.from(heap.read(y, 3));
      };
      expect(avg(0)).toEqual([1, 3, 3].map(Math.fround)); // torch's output: [1., 3., 3.]
      expect(avg(-1)).toEqual([1.5, 3, 4.5]);
      expect(avg(4)).toEqual([0.75, 2.25, 2.25]);
    }
  });

  it('the 2×2 stride-2 SIMD path keeps the first maximum and the last-NaN rule of the general loop', () => {
    const { wasm, reference } = kernelSets();
    // Two rows of 18 columns (9 outputs: two SIMD steps and a scalar tail) with ties and NaNs.
    const row0 = [1, 1, 2, 5, NaN, 3, 0, 0, 4, NaN, -1, -2, 7, 7, 0, 1, 2, 2];
    const row1 = [1, 0, 5, 2, 9, NaN, 0, 0, NaN, 4, -3, -1, 1, 7, NaN, NaN, 2, 3];
    const x = heap.f32([...row0, ...row1]);
    const out = (k: typeof wasm): [number[], number[]] => {
      const y = heap.zeros(9), arg = heap.i32(new Int32Array(9));
      k.maxPool2dForward(0, 1, 2, 18, 2, 2, 2, 2, 0, 0, 1, 1, 1, 9, x, y, arg);
      return [Array.from(heap.read(y, 9)), Array.from(heap.readI32(arg, 9))];
    };
    const [yw, aw] = out(wasm), [yr, ar] = out(reference);
    expect(yw).toEqual(yr);
    expect(aw).toEqual(ar);
    // A window with several NaNs gives its last NaN the gradient, as torch (round 7; it was the first).
    expect(ar).toEqual([0, 3, 23, 6, 26, 10, 12, 33, 35]);
  });

  it('max pooling propagates NaN (as torch)', () => {
    const { wasm } = kernelSets();
    const x = heap.f32([1, NaN, 3, 4]), y = heap.zeros(1), arg = heap.i32([0]);
    wasm.maxPool2dForward(0, 1, 2, 2, 2, 2, 2, 2, 0, 0, 1, 1, 1, 1, x, y, arg);
    expect(Number.isNaN(heap.read(y, 1)[0])).toBe(true);
    expect(heap.readI32(arg, 1)[0]).toBe(1);
  });
});
