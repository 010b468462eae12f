// Kernel benchmarks: GEMM GFLOP/s for the dense-layer shapes, elementwise / optimizer kernels in
// GB/s next to a memory-copy ceiling. WASM kernels and the pure-TS reference side by side.
// Run: npm run build && flock /work/bench.lock npm run bench -- --only gemm,elementwise
import { runtime } from '../dist/bench-internal.js';
import { measure, fmt } from './lib/stats.mjs';

function arrays(sizes) {
  const { allocator } = runtime();
  const ptrs = sizes.map((n) => allocator.alloc(n * 4));
  const f32 = allocator.f32();
  let s = 1;
  for (const b of ptrs) for (let i = 0; i < b.bytes / 4; i++) f32[(b.ptr >> 2) + i] = ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff) * 2 - 1;
  return { ptrs: ptrs.map((b) => b.ptr), free: () => ptrs.forEach((b) => allocator.free(b)) };
}

/** GEMM shapes: square sizes and the mnist network's layer products. */
export function gemmShapes(quick) {
  const shapes = [];
  for (const n of quick ? [64, 256] : [64, 128, 256, 512, 1024]) {
    shapes.push({ label: `${n}³ X·Wᵀ (forward, incl. transpose of W)`, kind: 'forward', m: n, k: n, n });
    shapes.push({ label: `${n}³ dY·W (input grad)`, kind: 'nn', m: n, k: n, n });
    shapes.push({ label: `${n}³ dYᵀ·X (weight grad)`, kind: 'tn', m: n, k: n, n });
  }
  if (!quick) {
    shapes.push({ label: 'mnist L1 fwd 128×784 · (512×784)ᵀ', kind: 'forward', m: 128, k: 784, n: 512 });
    shapes.push({ label: 'mnist L1 dX 128×512 · 512×784', kind: 'nn', m: 128, k: 512, n: 784 });
    shapes.push({ label: 'mnist L1 dW (128×512)ᵀ · 128×784', kind: 'tn', m: 512, k: 128, n: 784 });
    shapes.push({ label: 'mnist L2 fwd 128×512 · (512×512)ᵀ', kind: 'forward', m: 128, k: 512, n: 512 });
    shapes.push({ label: 'mnist L2 dW (128×512)ᵀ · 128×512', kind: 'tn', m: 512, k: 128, n: 512 });
  }
  return shapes;
}

export async function benchGemm({ quick, reps, peak }) {
  const rt = runtime();
  const rows = [];
  for (const s of gemmShapes(quick)) {
    const { m, k, n } = s;
    const { ptrs: [a, b, bt, c, packBuffer], free } = arrays([m * k, k * n, k * n, m * n, Math.max(1, rt.wasm.gemmPackSize(m, n, k))]);
    // Scratch for packing B, as src/backend/ops-gemm.ts passes it (0 where the kernel would not pack).
    const scratch = (kern, mm, nn, kk) => (kern.gemmPackSize(mm, nn, kk) ? packBuffer : 0);
    const run = (kern) => {
      if (s.kind === 'forward') {
        kern.transpose(n, k, b, bt); // W [n, k] → Wᵀ [k, n], as Linear.forward does
        kern.gemm(m, n, k, a, k, 1, bt, c, 0, 0, scratch(kern, m, n, k));
      } else if (s.kind === 'nn') kern.gemm(m, n, k, a, k, 1, b, c, 0, 0, scratch(kern, m, n, k));
      else kern.gemm(m, n, k, a, 1, m, b, c, 0, 1, scratch(kern, m, n, k)); // A stored [k, m]
    };
    const flops = 2 * m * n * k;
    const w = await measure(() => run(rt.wasm), { reps });
    const refEligible = quick ? m <= 64 : m * n * k <= 256 ** 3;
    const r = refEligible ? await measure(() => run(rt.reference), { reps, warmup: 1 }) : null;
    rows.push({
      shape: s.label, 'WASM GFLOP/s': fmt(flops / w.median / 1e6), 'ms (median)': fmt(w.median),
      '% of mul+add peak': fmt((100 * flops) / w.median / 1e6 / peak, 2),
      'pure-TS GFLOP/s': r ? fmt(flops / r.median / 1e6) : '(skipped: slow)', 'speed-up': r ? fmt(r.median / w.median) : '-',
    });
    free();
  }
  return rows;
}

export async function benchElementwise({ quick, reps }) {
  const rt = runtime();
  const rows = [];
  for (const n of quick ? [65536] : [65536, 1 << 20]) {
    const { ptrs: [x, y, g, m, v, vmax], free } = arrays([n, n, n, n, n, n]);
    const kernels = [
      ['copy (memcpy-like ceiling)', 8, (k) => k.copy(n, x, y)],
      ['ReLU forward', 8, (k) => k.reluForward(n, x, y, 0, 0)],
      ['ReLU backward', 12, (k) => k.reluBackward(n, x, y, g, m, 0, 0)],
      ['Tanh forward', 8, (k) => k.tanhForward(n, x, y, 0, 0)],
      ['Sigmoid forward', 8, (k) => k.sigmoidForward(n, x, y, 0, 0)],
      ['GELU forward', 8, (k) => k.geluForward(n, x, y, 0, 0)],
      ['SGD momentum step', 20, (k) => k.sgdStep(n, x, g, m, 1e-6, 0.9, 0, 0, 0, 0, 0)],
      ['Adam step', 28, (k) => k.adamStep(n, x, g, m, v, vmax, 1e-6, 0.9, 0.999, 1e-8, 0, 0, 0, 0, 1e-6, 1)],
      ['MSE loss + grad', 12, (k) => k.mseLoss(n, x, y, g, 1 / n, 0)],
    ];
    for (const [name, bytesPerElement, fn] of kernels) {
      const w = await measure(() => fn(rt.wasm), { reps });
      const r = await measure(() => fn(rt.reference), { reps, warmup: 1 });
      const gbs = (t) => (bytesPerElement * n) / t / 1e6;
      rows.push({ kernel: name, elements: n, 'WASM GB/s': fmt(gbs(w.median)), 'pure-TS GB/s': fmt(gbs(r.median)), 'speed-up': fmt(r.median / w.median) });
    }
    free();
  }
  return rows;
}
