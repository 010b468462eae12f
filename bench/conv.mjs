// Convolution kernels on the LeNet layers (batch 64): im2col + the packed GEMM, per image as
// src/backend/ops-conv.ts runs them (forward; backward = weight + bias + input gradient), against
// the direct SIMD kernel (forward), in GFLOP/s and % of the measured SIMD mul+add ceiling; the
// pure-TS reference for scale.
import { runtime } from '../dist/bench-internal.js';
import { measure, fmt } from './lib/stats.mjs';

/** The LeNet convolutions: [label, inChannels, outChannels, kernel, padding, H]. */
export const LENET_CONVS = [
  ['conv1 1→6 5×5 pad 2, 28×28', 1, 6, 5, 2, 28],
  ['conv2 6→16 5×5, 14×14', 6, 16, 5, 0, 14],
];

function arrays(sizes) {
  const { allocator } = runtime();
  const blocks = sizes.map((n) => allocator.alloc(Math.max(n, 1) * 4));
  const f32 = allocator.f32();
  let s = 1;
  for (const b of blocks) for (let i = 0; i < b.bytes / 4; i++) f32[(b.ptr >> 2) + i] = ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff) * 2 - 1;
  return { ptrs: blocks.map((b) => b.ptr), free: () => blocks.forEach((b) => allocator.free(b)) };
}

export async function benchConv({ reps, peak, batch = 64 }) {
  const rt = runtime(), k = rt.wasm;
  const rows = [];
  for (const [label, C, O, KS, pad, hw] of LENET_CONVS) {
    const out = hw + 2 * pad - KS + 1, P = out * out, K = C * KS * KS, image = C * hw * hw;
    const packFloats = Math.max(k.gemmPackSize(O, P, K), k.gemmPackSize(O, K, P), k.gemmPackSize(K, P, O));
    const { ptrs: [x, w, b, y, dy, dw, db, dx, col, pack], free } = arrays([batch * image, O * K, O, batch * O * P, batch * O * P, O * K, O, batch * image, K * P, packFloats]);
    const sc = (m, n, kk) => (k.gemmPackSize(m, n, kk) ? pack : 0);
    const im2col = (n, t) => k.im2col(0, C, C, hw, hw, KS, KS, 1, 1, pad, pad, 1, 1, out, out, x + 4 * n * image, col, t);
    const forward = () => {
      k.convBiasInit(0, batch * O, O, P, b, y);
      for (let n = 0; n < batch; n++) {
        im2col(n, 0);
        k.gemm(O, P, K, w, K, 1, col, y + 4 * n * O * P, 0, 1, sc(O, P, K));
      }
    };
    const backward = () => {
      k.convBiasGrad(0, O, batch, O, P, dy, db);
      k.fill(batch * image, dx, 0);
      for (let n = 0; n < batch; n++) {
        const dyn = dy + 4 * n * O * P;
        im2col(n, 1);
        k.gemm(O, K, P, dyn, P, 1, col, dw, 0, 1, sc(O, K, P));
        k.gemm(K, P, O, w, 1, K, dyn, col, 0, 0, sc(K, P, O));
        k.col2im(0, C, C, hw, hw, KS, KS, 1, 1, pad, pad, 1, 1, out, out, col, dx + 4 * n * image);
      }
    };
    const direct = (kern) => kern.conv2dDirect(0, batch * O, C, hw, hw, O, KS, KS, 1, 1, pad, pad, 1, 1, out, out, x, w, b, y);
    const flops = 2 * batch * O * P * K;
    const row = (what, ms, f = flops) => ({
      layer: label, pass: what, 'ms (median)': fmt(ms), 'GFLOP/s': fmt(f / ms / 1e6),
      '% of SIMD mul+add ceiling': fmt((100 * f) / ms / 1e6 / peak, 2),
    });
    // Side by side in one run: alternate the two forward methods.
    const f1 = await measure(forward, { reps });
    const d1 = await measure(() => direct(k), { reps });
    const f2 = await measure(forward, { reps });
    const d2 = await measure(() => direct(k), { reps });
    rows.push(row('forward, im2col + GEMM (what Conv2d runs)', Math.min(f1.median, f2.median)));
    rows.push(row('forward, direct SIMD (conv2dDirect)', Math.min(d1.median, d2.median)));
    const bw = await measure(backward, { reps });
    rows.push(row('backward: dW + db + dX, im2col + GEMM', bw.median, 2 * flops));
    const ref = await measure(() => direct(rt.reference), { reps: 1, warmup: 0 });
    rows.push(row('forward, pure-TS reference', ref.median));
    free();
  }
  return rows;
}
