// Reductions and data movement (assembly/reduce.ts) against the reference.
import { afterEach, describe, expect, it } from 'vitest';
import { Heap, SIZES, expectClose, kernelSets, randomArray } from '../helpers/heap.js';

const heap = new Heap();
afterEach(() => heap.free());

describe('columnSums', () => {
  it.each([[1, 1], [3, 5], [4, 4], [17, 3], [100, 25], [5, 1023], [1023, 2]])('rows=%i cols=%i, set and accumulate', (rows, cols) => {
    const { wasm, reference } = kernelSets();
    const src = heap.f32(randomArray(rows * cols, rows));
    const start = randomArray(cols, cols);
    for (const acc of [0, 1]) {
      const dw = heap.f32(start), dr = heap.f32(start);
      wasm.columnSums(rows, cols, src, dw, acc);
      reference.columnSums(rows, cols, src, dr, acc);
      // float32 sums of `rows` terms of magnitude ≤ 1: error ≤ rows·eps
      expectClose(heap.read(dw, cols), heap.read(dr, cols), { rtol: 0, atol: (rows + 1) * 1.2e-7 }, 'columnSums');
    }
  });
});

describe('argmaxRows', () => {
  it('finds the first maximum per row, NaN counting as the largest', () => {
    const { wasm, reference } = kernelSets();
    const rows = 6, cols = 5;
    const data = randomArray(rows * cols, 3);
    data[7] = 5; data[8] = 5; // row 1: first of two maxima (index 2)
    data[12] = NaN; // row 2: NaN at index 2
    const src = heap.f32(data), dw = heap.i32(new Int32Array(rows)), dr = heap.i32(new Int32Array(rows));
    wasm.argmaxRows(rows, cols, src, dw);
    reference.argmaxRows(rows, cols, src, dr);
    expect(heap.readI32(dw, rows)).toEqual(heap.readI32(dr, rows));
    expect(heap.readI32(dw, rows)[1]).toBe(2);
    expect(heap.readI32(dw, rows)[2]).toBe(2);
  });
});

describe('gatherRows, fill, copy, scale', () => {
  it('gathers rows by index', () => {
    const { wasm } = kernelSets();
    const src = heap.f32([0, 1, 10, 11, 20, 21, 30, 31]), idx = heap.i32([3, 0, 3, 2]), dst = heap.zeros(8);
    wasm.gatherRows(4, 2, src, idx, dst);
    expect(Array.from(heap.read(dst, 8))).toEqual([30, 31, 0, 1, 30, 31, 20, 21]);
  });

  it.each(SIZES)('fill / copy / scale / sumOfSquares match the reference, n = %i', (n) => {
    const { wasm, reference } = kernelSets();
    const values = randomArray(n, n);
    const a = heap.f32(values), b = heap.f32(values);
    // 0.375 is exact in float32, so both sets must agree to the bit.
    wasm.scale(n, a, 0.375);
    reference.scale(n, b, 0.375);
    expect(heap.read(a, n)).toEqual(heap.read(b, n));
    expectClose([wasm.sumOfSquares(n, a)], [reference.sumOfSquares(n, a)], { rtol: 1e-6 }, 'sumOfSquares');
    const guard = heap.f32(new Float32Array(n + 4).fill(7));
    wasm.fill(n, guard, -2);
    expect(Array.from(heap.read(guard, n + 4))).toEqual([...Array(n).fill(-2), 7, 7, 7, 7]);
    const c = heap.zeros(n);
    wasm.copy(n, a, c);
    expect(heap.read(c, n)).toEqual(heap.read(a, n));
  });
});

describe('firstNonFinite', () => {
  it.each(SIZES)('finds NaN / ±Infinity at any position, n = %i', (n) => {
    const { wasm, reference } = kernelSets();
    const values = randomArray(n, n);
    expect(wasm.firstNonFinite(n, heap.f32(values))).toBe(-1);
    for (const bad of [NaN, Infinity, -Infinity]) {
      const pos = Math.floor(n / 2);
      const v = values.slice();
      v[pos] = bad;
      v[n - 1] = bad;
      const p = heap.f32(v);
      expect(wasm.firstNonFinite(n, p)).toBe(pos);
      expect(reference.firstNonFinite(n, p)).toBe(pos);
    }
  });
});
