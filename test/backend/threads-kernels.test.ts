// The range kernels threads run (gemmRange, gemmStridedRange, transposeRange, columnSumsRange): any split into
// tiles gives exactly the bits of one full call, on the WASM and on the reference kernels; and
// the pool's generic "kernel over [0, n) in chunks" mechanism, on 1…4 threads.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Heap, kernelSets, randomArray } from '../helpers/heap.js';
import { init } from '../../src/index.js';
import { runtime } from '../../src/backend/runtime.js';
import { parallelFor, parallelSum, setParallelThreshold } from '../../src/backend/parallel.js';
import { MAX_CHUNKS } from '../../src/backend/pool.js';

const heap = new Heap();
afterEach(() => heap.free());

/** Cuts [0, n) at `cuts` (sorted, inside (0, n)) into ranges. */
const ranges = (n: number, cuts: number[]): Array<[number, number]> =>
  [0, ...cuts, n].slice(1).map((end, i) => [[0, ...cuts][i]!, end] as [number, number]);

// Small (direct path) and packed shapes (k over one 256-step block), odd sizes.
const SHAPES: Array<[number, number, number]> = [[1, 1, 1], [5, 3, 17], [17, 23, 9], [13, 40, 9], [33, 130, 300], [9, 67, 600], [37, 1023, 17], [63, 63, 63], [35, 33, 32]];

describe.each(['wasm', 'reference'] as const)('%s range kernels', (set) => {
  it.each(SHAPES)('gemmStridedRange tiles of m=%i n=%i k=%i equal one gemm bit for bit (A and B plain or transposed, bias, accumulate)', (m, n, k) => {
    const kernels = kernelSets()[set];
    const a = randomArray(m * k, m + k), b = randomArray(k * n, n), bias = randomArray(n, 3), c0 = randomArray(m * n, 4);
    const floats = kernels.gemmPackSize(m, n, k);
    for (const [transposedA, transposedB] of [[false, false], [true, false], [false, true], [true, true]] as const) {
      const [ars, acs] = transposedA ? [1, m] : [k, 1];
      const [brs, bcs] = transposedB ? [1, k] : [n, 1];
      for (const [biasOn, acc] of [[false, 0], [true, 0], [false, 1]] as const) {
        const pa = heap.f32(a), pb = heap.f32(b), pbias = biasOn ? heap.f32(bias) : 0;
        const full = heap.f32(c0), tiled = heap.f32(c0);
        if (transposedB) kernels.gemmStrided(m, n, k, pa, ars, acs, pb, brs, bcs, full, pbias, acc, floats ? heap.zeros(floats) : 0);
        else kernels.gemm(m, n, k, pa, ars, acs, pb, full, pbias, acc, floats ? heap.zeros(floats) : 0);
        // Rows cut at a multiple of 4 and off it, columns at a multiple of 8 and off it.
        const rowCuts = [...new Set([Math.min(4, m - 1), Math.floor(m / 2)])].filter((x) => x > 0 && x < m).sort((x, y) => x - y);
        const colCuts = [...new Set([Math.min(8, n - 1), Math.floor((2 * n) / 3)])].filter((x) => x > 0 && x < n).sort((x, y) => x - y);
        for (const [i0, i1] of ranges(m, rowCuts)) {
          for (const [j0, j1] of ranges(n, colCuts)) {
            const scratch = floats ? heap.f32(new Float32Array(floats).fill(NaN)) : 0; // a thread's own, stale scratch
            if (transposedB) kernels.gemmStridedRange(m, n, k, pa, ars, acs, pb, brs, bcs, tiled, pbias, acc, scratch, i0, i1, j0, j1);
            else kernels.gemmRange(m, n, k, pa, ars, acs, pb, tiled, pbias, acc, scratch, i0, i1, j0, j1);
          }
        }
        expect(heap.read(tiled, m * n)).toEqual(heap.read(full, m * n));
      }
    }
  });

  it.each([[1, 1], [3, 5], [17, 9], [100, 25], [9, 1023]])('transposeRange and columnSumsRange pieces of %i×%i equal one call', (rows, cols) => {
    const kernels = kernelSets()[set];
    const src = heap.f32(randomArray(rows * cols, rows * cols));
    const full = heap.zeros(rows * cols), pieces = heap.zeros(rows * cols);
    kernels.transpose(rows, cols, src, full);
    for (const [b, e] of ranges(rows, rows > 3 ? [1, Math.floor(rows / 2)] : [])) kernels.transposeRange(rows, cols, src, pieces, b, e);
    expect(heap.read(pieces, rows * cols)).toEqual(heap.read(full, rows * cols));
    const start = randomArray(cols, 9);
    for (const acc of [0, 1]) {
      const sums = heap.f32(start), sumPieces = heap.f32(start);
      kernels.columnSums(rows, cols, src, sums, acc);
      for (const [b, e] of ranges(cols, cols > 5 ? [2, 4, cols - 1] : [])) kernels.columnSumsRange(rows, cols, src, sumPieces, acc, b, e);
      expect(heap.read(sumPieces, cols)).toEqual(heap.read(sums, cols));
    }
  });
});

describe('the pool: a kernel over [0, n) in chunks', () => {
  afterAll(async () => {
    setParallelThreshold();
    await init({ threads: 1 });
  });

  it.each([1, 2, 3, 4])('splits outputs and sums chunks in a fixed order with %i threads', async (threads) => {
    await init({ threads });
    setParallelThreshold(0);
    expect(runtime().pool?.threads ?? 1).toBe(threads);
    const n = 100_003;
    const x = randomArray(n, 1);
    const px = heap.f32(x), py = heap.zeros(n);
    // (count, pointers…) form: y = relu(x) over any n, chunks of 16 elements at least.
    parallelFor('reluForward', [n, px, py, 0, 0], n, 16, { count: 0, offsets: [[1, 4], [2, 4]] }, 1e9);
    expect(heap.read(py, n)).toEqual(x.map((v) => (v < 0 ? 0 : v)));
    // [begin, end) form, with a unit (column) that is not an element.
    const rows = 7, cols = 1001, src = heap.f32(randomArray(rows * cols, 2)), dst = heap.zeros(cols);
    parallelFor('columnSumsRange', [rows, cols, src, dst, 0, 0, cols], cols, 4, { range: 5 }, 1e9);
    const want = heap.zeros(cols);
    kernelSets().wasm.columnSums(rows, cols, src, want, 0);
    expect(heap.read(dst, cols)).toEqual(heap.read(want, cols));
    // A reduction: Σ x² per chunk of 1000 elements, chunks summed in order — the same bits on
    // every thread count, and the float64 sum of those chunk sums.
    const total = parallelSum('sumOfSquares', [n, px], n, 1000, { count: 0, offsets: [[1, 4]] }, 1e9);
    let expected = 0;
    for (let c = 0; c < n; c += 1000) expected += kernelSets().wasm.sumOfSquares(Math.min(1000, n - c), px + 4 * c);
    expect(total).toBe(expected);
    // More chunks than the pool keeps results for: the chunk grows, by the size alone.
    expect(parallelSum('sumOfSquares', [n, px], n, 1, { count: 0, offsets: [[1, 4]] }, 1e9))
      .toBe(parallelSum('sumOfSquares', [n, px], n, Math.ceil(n / MAX_CHUNKS), { count: 0, offsets: [[1, 4]] }, 0));
  });
});

/** A wasm binary's sections by id (the payload bytes; custom sections skipped). */
function sections(bytes: Uint8Array): Map<number, Uint8Array> {
  const out = new Map<number, Uint8Array>();
  let at = 8;
  while (at < bytes.length) {
    const id = bytes[at++]!;
    let size = 0, shift = 0, b: number;
    do {
      b = bytes[at++]!;
      size |= (b & 0x7f) << shift;
      shift += 7;
    } while (b & 0x80);
    if (id !== 0) out.set(id, bytes.subarray(at, at + size));
    at += size;
  }
  return out;
}

describe('the threads build', () => {
  it('has the same code and data as the default build: only the memory is declared differently', async () => {
    const { wasmBytes, wasmThreadsBytes } = await import('../../src/backend/wasm.js');
    const single = sections(wasmBytes()), threads = sections(wasmThreadsBytes());
    for (const id of [1, 3, 10, 11]) expect(threads.get(id), `section ${id}`).toEqual(single.get(id)); // types, functions, code, data
    expect(single.has(5)).toBe(true); // its own memory …
    expect(threads.has(5)).toBe(false);
    expect(new TextDecoder().decode(threads.get(2))).toContain('memory'); // … the threads build imports env.memory
  });
});
