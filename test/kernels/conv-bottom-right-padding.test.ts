// Bottom / right padding other than the top / left one (Conv2d's padding 'same' with an even total
// padding puts the odd zero at the bottom / right, as torch): every convolution kernel takes it
// through the output size (OH, OW computed from H + top + bottom), with PH / PW the top / left
// padding. Forward, input gradient and weight + bias gradients through src/backend/ops-conv.ts by
// each method, on the WASM kernels and on their TypeScript references, against the float64
// definition with explicit (top, bottom, left, right) zeros.
import { afterEach, describe, it } from 'vitest';
import { Tensor } from '../../src/index.js';
import { conv2dBackward, conv2dForward, scratchSize, setConvMethod, type ConvGeometry, type ConvMethod } from '../../src/backend/ops-conv.js';
import { setBackend } from '../../src/backend/runtime.js';
import { expectClose, randomArray } from '../helpers/heap.js';

afterEach(() => {
  setConvMethod(null);
  setBackend('wasm');
});

/** [C, H, W, O, KH, KW, SH, SW, top, bottom, left, right, DH, DW] */
type Case = [number, number, number, number, number, number, number, number, number, number, number, number, number, number];
const CASES: Case[] = [
  [2, 5, 6, 3, 2, 2, 1, 1, 0, 1, 0, 1, 1, 1], // 'same' with a 2×2 kernel: one zero at the bottom and right only
  [1, 7, 4, 5, 4, 2, 1, 1, 1, 2, 0, 1, 1, 1], // 4×2: top 1 bottom 2, left 0 right 1
  [3, 6, 9, 7, 2, 4, 1, 1, 1, 2, 1, 2, 3, 1], // dilation 3 on a 2-row kernel: total 3 rows
  [2, 1, 1, 4, 2, 2, 1, 1, 0, 1, 0, 1, 1, 1], // a 1×1 image
  [6, 14, 14, 16, 4, 4, 1, 1, 1, 2, 1, 2, 1, 1], // LeNet-sized, 16 channels (full SIMD blocks)
  [2, 8, 9, 3, 3, 2, 2, 1, 0, 2, 0, 1, 1, 1], // row stride 2 with bottom-only padding
];

const rand = (n: number, seed: number): Float32Array => randomArray(n, seed);

function geometry(c: Case, N: number): ConvGeometry {
  const [C, H, W, O, KH, KW, SH, SW, top, bottom, left, right, DH, DW] = c;
  const OH = Math.floor((H + top + bottom - DH * (KH - 1) - 1) / SH) + 1, OW = Math.floor((W + left + right - DW * (KW - 1) - 1) / SW) + 1;
  return { N, C, H, W, O, KH, KW, SH, SW, PH: top, PW: left, DH, DW, OH, OW };
}

/** y, dx, dw, db in float64 from the definition (zeros outside the image). */
function definition(g: ConvGeometry, x: Float32Array, w: Float32Array, b: Float32Array, dy: Float32Array) {
  const { N, C, H, W, O, KH, KW, SH, SW, PH, PW, DH, DW, OH, OW } = g;
  const y = new Float64Array(N * O * OH * OW), dx = new Float64Array(N * C * H * W), dw = new Float64Array(O * C * KH * KW), db = new Float64Array(O);
  for (let n = 0; n < N; n++) for (let o = 0; o < O; o++) for (let oy = 0; oy < OH; oy++) for (let ox = 0; ox < OW; ox++) {
    const yi = ((n * O + o) * OH + oy) * OW + ox, d = dy[yi]!;
    let s = b[o]!;
    db[o] = db[o]! + d;
    for (let c = 0; c < C; c++) for (let ky = 0; ky < KH; ky++) for (let kx = 0; kx < KW; kx++) {
      const iy = oy * SH - PH + ky * DH, ix = ox * SW - PW + kx * DW;
      if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
      const xi = ((n * C + c) * H + iy) * W + ix, wi = ((o * C + c) * KH + ky) * KW + kx;
      s += x[xi]! * w[wi]!;
      dx[xi] = dx[xi]! + d * w[wi]!;
      dw[wi] = dw[wi]! + d * x[xi]!;
    }
    y[yi] = s;
  }
  return { y, dx, dw, db };
}

describe.each(['wasm', 'reference'] as const)('convolution kernels with bottom / right padding (%s)', (backend) => {
  it.each(CASES)('C=%i H=%i W=%i O=%i k=%i×%i s=%i×%i top %i bottom %i left %i right %i d=%i×%i', (...c) => {
    setBackend(backend);
    const g = geometry(c, 2);
    const { N, C, H, W, O, KH, KW, OH, OW } = g;
    const x = rand(N * C * H * W, 1), w = rand(O * C * KH * KW, 2), b = rand(O, 3), dy = rand(N * O * OH * OW, 4);
    const want = definition(g, x, w, b, dy);
    const terms = C * KH * KW + O * KH * KW + N * OH * OW;
    const tol = { rtol: 1e-5, atol: terms * 2e-7 };
    for (const method of ['direct', 'pixels', 'gemm'] as ConvMethod[]) {
      setConvMethod(method);
      const tx = Tensor.from(x, [N, C, H, W]), tw = Tensor.from(w, [O, C, KH, KW]), tb = Tensor.from(b, [O]), tdy = Tensor.from(dy, [N, O, OH, OW]);
      const y = Tensor.full([N, O, OH, OW], NaN), dx = Tensor.full([N, C, H, W], NaN), dw = Tensor.zeros([O, C, KH, KW]), db = Tensor.zeros([O]);
      const scratch = Tensor.full([scratchSize(g)], NaN);
      conv2dForward(tx, tw, tb, y, scratch, g);
      conv2dBackward(tx, tw, tdy, dw, db, dx, scratch, g);
      expectClose(y.toFloat32Array(), want.y, tol, `${method} forward`);
      expectClose(dx.toFloat32Array(), want.dx, tol, `${method} input gradient`);
      expectClose(dw.toFloat32Array(), want.dw, tol, `${method} weight gradient`);
      expectClose(db.toFloat32Array(), want.db, tol, `${method} bias gradient`);
      for (const t of [tx, tw, tb, tdy, y, dx, dw, db, scratch]) t.dispose();
    }
  });
});
