// dense-small.ts (a small Linear's forward + ReLU and backward + ReLU's in one call each): against
// the float64 reference within the GEMM's float32 bound, and bit for bit against the unfused WASM
// kernels it replaces (transpose + gemm + reluForward; reluBackward + gemm + columnSums + gemm),
// at odd sizes that hit every block shape, column tail and the transposed weight gradient.
import { afterEach, describe, expect, it } from 'vitest';
import { Heap, kernelSets, randomArray } from '../helpers/heap.js';

const heap = new Heap();
afterEach(() => heap.free());

const EPS32 = 2 ** -24;
const SIZES = [1, 2, 3, 5, 17, 25, 33];
// [m (rows), k (in), n (out)]: every in/out pair of SIZES at a few row counts, plus the seed layers.
const SHAPES: Array<[number, number, number]> = [];
for (const k of SIZES) for (const n of SIZES) SHAPES.push([[1, 3, 5, 17, 100][(k + n) % 5]!, k, n]);
SHAPES.push([100, 2, 25], [100, 25, 25], [100, 25, 2], [4, 8, 8], [8, 4, 16], [33, 33, 1]);
// Widths of dense-panel.ts's whole-row panels (21..32 columns: 6, 7, 8 vectors, every tail), as
// C's columns of the forward (n), of dW and dx (k), and of dWᵀ (n with k < 4), with short and long sums.
for (const w of [21, 22, 23, 24, 28, 29, 30, 32]) SHAPES.push([w % 5 === 0 ? 2 : 7, 3, w], [3, w, 2], [64, w, 5], [100, w, w], [1, 1, w], [37, 33, w]);

/** |got - want| ≤ 2(k+1)·eps·(|init| + Σ|a||b|) + tiny, element by element. */
function expectClose(got: Float32Array, want: Float32Array, bound: Float64Array, what: string): void {
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i]! - want[i]!) <= bound[i]! + 1e-30)) throw new Error(`${what}[${i}]: got ${got[i]}, want ${want[i]}, bound ${bound[i]}`);
  }
}

/** Scratch filled with NaN (stale scratch must not leak into results). */
const scratch = (m: number, n: number, k: number): number =>
  heap.f32(new Float32Array(kernelSets().wasm.denseScratchSize(m, n, k)).fill(NaN));

/** out[i, j] = 2(K+1)·eps·(|init| + Σ_p |a(i,p)·b(p,j)|) for the bound of a float32 sum of K terms. */
function bounds(rows: number, cols: number, K: number, a: (i: number, p: number) => number, b: (p: number, j: number) => number,
  init: (i: number, j: number) => number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      let s = Math.abs(init(i, j));
      for (let p = 0; p < K; p++) s += Math.abs(a(i, p) * b(p, j));
      out[i * cols + j] = 2 * (K + 1) * EPS32 * s;
    }
  }
  return out;
}

describe('denseForward', () => {
  it.each(SHAPES)('m=%i k=%i n=%i: z = x·Wᵀ + b and ReLU(z), as the reference and bit for bit as transpose + gemm + reluForward', (m, k, n) => {
    const { wasm, reference } = kernelSets();
    const x = randomArray(m * k, m + 3 * k), w = randomArray(n * k, 7 * n + k), b = randomArray(n, n + 1);
    const px = heap.f32(x), pw = heap.f32(w), pb = heap.f32(b);
    for (const withBias of [true, false]) {
      const bias = withBias ? pb : 0;
      const z = heap.zeros(m * n), y = heap.zeros(m * n), zr = heap.zeros(m * n), yr = heap.zeros(m * n);
      wasm.denseForward(m, n, k, px, pw, bias, z, y, scratch(m, n, k));
      reference.denseForward(m, n, k, px, pw, bias, zr, yr, 0);
      const tol = bounds(m, n, k, (i, p) => x[i * k + p]!, (p, j) => w[j * k + p]!, (_i, j) => (withBias ? b[j]! : 0));
      expectClose(heap.read(z, m * n), heap.read(zr, m * n), tol, 'z');
      expectClose(heap.read(y, m * n), heap.read(yr, m * n), tol, 'y');
      // The unfused kernels the fused call replaces.
      const wT = heap.zeros(n * k), z2 = heap.zeros(m * n), y2 = heap.zeros(m * n);
      wasm.transpose(n, k, pw, wT);
      wasm.gemm(m, n, k, px, k, 1, wT, z2, bias, 0, 0);
      wasm.reluForward(m * n, z2, y2, 0, 0);
      expect(heap.read(z, m * n)).toEqual(heap.read(z2, m * n));
      expect(heap.read(y, m * n)).toEqual(heap.read(y2, m * n));
      // Without y, only z is written.
      const z3 = heap.zeros(m * n);
      wasm.denseForward(m, n, k, px, pw, bias, z3, 0, scratch(m, n, k));
      expect(heap.read(z3, m * n)).toEqual(heap.read(z2, m * n));
    }
  });

  it('writes nothing outside z and y, and keeps NaN as NaN through the ReLU', () => {
    const { wasm } = kernelSets();
    const m = 5, k = 3, n = 7;
    const x = randomArray(m * k, 1);
    x[4] = NaN;
    const px = heap.f32(x), pw = heap.f32(randomArray(n * k, 2));
    const gz = heap.f32(new Float32Array(m * n + 8).fill(42)), gy = heap.f32(new Float32Array(m * n + 8).fill(42));
    wasm.denseForward(m, n, k, px, pw, 0, gz + 16, gy + 16, scratch(m, n, k));
    for (const g of [gz, gy]) {
      const all = heap.read(g, m * n + 8);
      expect(Array.from(all.slice(0, 4))).toEqual([42, 42, 42, 42]);
      expect(Array.from(all.slice(4 + m * n))).toEqual([42, 42, 42, 42]);
    }
    const y = heap.read(gy + 16, m * n);
    expect(Number.isNaN(y[1 * n])).toBe(true); // row 1 reads x[4]
  });
});

describe('denseBackward', () => {
  it.each(SHAPES)('m=%i k=%i n=%i: ReLU mask, db, dW (accumulated), dx as the reference and bit for bit as the unfused kernels', (m, k, n) => {
    const { wasm, reference } = kernelSets();
    const x = randomArray(m * k, m + k), w = randomArray(n * k, n + 2 * k), dy = randomArray(m * n, 3 * m + n);
    const zv = randomArray(m * n, 5 * m + n); // about half negative: the mask matters
    const dw0 = randomArray(n * k, 11 * n + k), db0 = randomArray(n, 13 + n);
    const px = heap.f32(x), pw = heap.f32(w), pdy = heap.f32(dy), pz = heap.f32(zv);
    for (const relu of [true, false]) {
      const g = Float32Array.from(dy, (v, i) => (relu ? (zv[i]! > 0 ? v : 0) : v));
      const outs = () => ({ dz: heap.zeros(m * n), dw: heap.f32(dw0), db: heap.f32(db0), dx: heap.zeros(m * k) });
      const a = outs(), r = outs();
      wasm.denseBackward(m, n, k, px, pw, pdy, relu ? pz : 0, a.dz, a.dw, a.db, a.dx, scratch(m, n, k));
      reference.denseBackward(m, n, k, px, pw, pdy, relu ? pz : 0, r.dz, r.dw, r.db, r.dx, 0);
      if (relu) expect(heap.read(a.dz, m * n)).toEqual(heap.read(r.dz, m * n));
      expectClose(heap.read(a.db, n), heap.read(r.db, n), bounds(1, n, m, () => 1, (i, j) => g[i * n + j]!, (_i, j) => db0[j]!), 'db');
      expectClose(heap.read(a.dw, n * k), heap.read(r.dw, n * k),
        bounds(n, k, m, (j, i) => g[i * n + j]!, (i, c) => x[i * k + c]!, (j, c) => dw0[j * k + c]!), 'dW');
      expectClose(heap.read(a.dx, m * k), heap.read(r.dx, m * k), bounds(m, k, n, (i, j) => g[i * n + j]!, (j, c) => w[j * k + c]!, () => 0), 'dx');
      // The unfused kernels, on the same inputs.
      const u = outs();
      let pg = pdy;
      if (relu) {
        wasm.reluBackward(m * n, pz, 0, pdy, u.dz, 0, 0);
        pg = u.dz;
      }
      wasm.gemm(n, k, m, pg, 1, n, px, u.dw, 0, 1, 0);
      wasm.columnSums(m, n, pg, u.db, 1);
      wasm.gemm(m, k, n, pg, n, 1, pw, u.dx, 0, 0, 0);
      if (relu) expect(heap.read(a.dz, m * n)).toEqual(heap.read(u.dz, m * n));
      expect(heap.read(a.dw, n * k)).toEqual(heap.read(u.dw, n * k));
      expect(heap.read(a.db, n)).toEqual(heap.read(u.db, n));
      expect(heap.read(a.dx, m * k)).toEqual(heap.read(u.dx, m * k));
      // db 0 and dx 0 skip those outputs; dW is the same.
      const s = outs();
      wasm.denseBackward(m, n, k, px, pw, pdy, relu ? pz : 0, s.dz, s.dw, 0, 0, scratch(m, n, k));
      expect(heap.read(s.dw, n * k)).toEqual(heap.read(u.dw, n * k));
      expect(heap.read(s.dx, m * k)).toEqual(new Float32Array(m * k));
    }
  });
});

describe('denseScratchSize', () => {
  it('is what ops-dense.ts computes without calling into WASM', async () => {
    const { denseScratchFloats } = await import('../../src/backend/ops-dense.js');
    const { wasm, reference } = kernelSets();
    for (const [m, k, n] of SHAPES) {
      expect(denseScratchFloats(m, n, k)).toBe(wasm.denseScratchSize(m, n, k));
      expect(reference.denseScratchSize(m, n, k)).toBe(wasm.denseScratchSize(m, n, k));
    }
  });
});

describe('ops-dense denseBackward', () => {
  it('refuses a ReLU input z without its gradient dz (the kernel would write dz through address 0)', async () => {
    const { denseBackward } = await import('../../src/backend/ops-dense.js');
    const { Tensor, StateError } = await import('../../src/index.js');
    const x = Tensor.zeros([2, 3]), w = Tensor.zeros([4, 3]), dy = Tensor.zeros([2, 4]), z = Tensor.zeros([2, 4]);
    const dw = Tensor.zeros([4, 3]), scratch = Tensor.zeros([64]);
    expect(() => denseBackward(x, w, dy, z, null, dw, null, null, scratch)).toThrow(StateError);
    expect(() => denseBackward(x, w, dy, null, z, dw, null, null, scratch)).toThrow(StateError);
  });
});

describe('dense-small scratch', () => {
  it.each(SHAPES)('m=%i k=%i n=%i: each pass stays inside its own part (forward k·⌈n⌉₄, backward 4·max(m, n) floats)', async (m, k, n) => {
    const { denseForwardScratch, denseBackwardScratch } = await import('../../src/backend/ops-dense.js');
    const { wasm } = kernelSets();
    const px = heap.f32(randomArray(m * k, 1)), pw = heap.f32(randomArray(n * k, 2)), pdy = heap.f32(randomArray(m * n, 3));
    for (const [floats, run] of [
      [denseForwardScratch(n, k), (s: number) => wasm.denseForward(m, n, k, px, pw, 0, heap.zeros(m * n), heap.zeros(m * n), s)],
      [denseBackwardScratch(m, n), (s: number) => wasm.denseBackward(m, n, k, px, pw, pdy, pdy, heap.zeros(m * n), heap.zeros(n * k), heap.zeros(n), heap.zeros(m * k), s)],
    ] as const) {
      const guarded = heap.f32(new Float32Array(floats + 4).fill(42));
      run(guarded);
      expect(Array.from(heap.read(guarded + 4 * floats, 4))).toEqual([42, 42, 42, 42]);
    }
  });
});

describe('denseBackward with B at the end of the memory', () => {
  // dense-panel.ts's panels read each row of B in whole vectors, up to 12 bytes past B's last row;
  // when that would leave the memory, the 4×8 blocks (zero-padded tail copy) take the product. A
  // module instance of its own, so that x, g and W can sit at the very end of its memory.
  it.each([[100, 25, 25], [7, 22, 30], [64, 29, 5], [3, 2, 23]] as Array<[number, number, number]>)(
    'm=%i k=%i n=%i: the same bits as with B in the middle of the memory', async (m, k, n) => {
      const { wasmBytes } = await import('../../src/backend/wasm.js');
      const e = new WebAssembly.Instance(new WebAssembly.Module(wasmBytes()), {}).exports as unknown as {
        memory: WebAssembly.Memory; denseBackward: (...a: number[]) => void; denseScratchSize: (m: number, n: number, k: number) => number;
      };
      e.memory.grow(4);
      const f = (): Float32Array => new Float32Array(e.memory.buffer);
      const top = e.memory.buffer.byteLength;
      const x = randomArray(m * k, 1), w = randomArray(n * k, 2), dy = randomArray(m * n, 3), z = randomArray(m * n, 4);
      const run = (px: number, pw: number, pg: number, base: number): Float32Array[] => {
        const s = base, pz = s + 4 * e.denseScratchSize(m, n, k) + 64, dz = pz + 4 * m * n + 64, dw = dz + 4 * m * n + 64;
        const db = dw + 4 * n * k + 64, dx = db + 4 * n + 64;
        f().set(x, px >> 2); f().set(w, pw >> 2); f().set(dy, pg >> 2); f().set(z, pz >> 2);
        f().fill(0, dw >> 2, (dw >> 2) + n * k); f().fill(0, db >> 2, (db >> 2) + n);
        // g = dy (no ReLU) is B of the transposed weight gradient; with the ReLU, dz is.
        e.denseBackward(m, n, k, px, pw, pg, 0, 0, dw, db, dx, s);
        const out = [f().slice(dw >> 2, (dw >> 2) + n * k), f().slice(db >> 2, (db >> 2) + n), f().slice(dx >> 2, (dx >> 2) + m * k)];
        e.denseBackward(m, n, k, px, pw, pg, pz, dz, dw, db, dx, s);
        return out.concat([f().slice(dw >> 2, (dw >> 2) + n * k), f().slice(dx >> 2, (dx >> 2) + m * k)]);
      };
      const middle = run(1 << 16, 2 << 16, 3 << 16, 4 << 16);
      // Each of x, W and dy ends exactly at the end of the memory in turn.
      const end = (floats: number): number => top - 4 * floats;
      for (const [px, pw, pg] of [[end(m * k), 2 << 16, 3 << 16], [1 << 16, end(n * k), 3 << 16], [1 << 16, 2 << 16, end(m * n)]]) {
        const got = run(px!, pw!, pg!, 4 << 16);
        got.forEach((a, i) => expect(a).toEqual(middle[i]));
      }
    });
});
