import type { Kernels } from './kernels.js';
import type { HeapViews } from './reference.js';

/**
 * dense-small.ts in plain TypeScript: the definitions, in float64 sums as the reference gemm
 * (the WASM kernels sum in float32, in the order of gemm.ts; the tests compare both ways).
 * The scratch pointer is ignored (declared so the arity matches the interface).
 */
export function denseKernels(heap: HeapViews): Pick<Kernels, 'denseForward' | 'denseBackward' | 'denseScratchSize'> {
  const at = (ptr: number): number => ptr >>> 2;
  return {
    denseForward(m, n, k, x, w, bias, z, y, _scratch) {
      const h = heap.f32();
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let acc = bias ? h[at(bias) + j]! : 0;
          for (let p = 0; p < k; p++) acc += h[at(x) + i * k + p]! * h[at(w) + j * k + p]!;
          h[at(z) + i * n + j] = acc;
          if (y) {
            const v = h[at(z) + i * n + j]!;
            h[at(y) + i * n + j] = v < 0 ? 0 : v;
          }
        }
      }
    },
    denseBackward(m, n, k, x, w, dy, z, dz, dw, db, dx, _scratch) {
      const h = heap.f32();
      let g = dy;
      if (z) {
        for (let i = 0; i < m * n; i++) h[at(dz) + i] = h[at(z) + i]! > 0 ? h[at(dy) + i]! : 0;
        g = dz;
      }
      if (db) {
        for (let j = 0; j < n; j++) {
          let acc = h[at(db) + j]!;
          for (let i = 0; i < m; i++) acc += h[at(g) + i * n + j]!;
          h[at(db) + j] = acc;
        }
      }
      for (let j = 0; j < n; j++) {
        for (let c = 0; c < k; c++) {
          let acc = h[at(dw) + j * k + c]!;
          for (let i = 0; i < m; i++) acc += h[at(g) + i * n + j]! * h[at(x) + i * k + c]!;
          h[at(dw) + j * k + c] = acc;
        }
      }
      if (dx) {
        for (let i = 0; i < m; i++) {
          for (let c = 0; c < k; c++) {
            let acc = 0;
            for (let j = 0; j < n; j++) acc += h[at(g) + i * n + j]! * h[at(w) + j * k + c]!;
            h[at(dx) + i * k + c] = acc;
          }
        }
      }
    },
    denseScratchSize: (m, n, k) => Math.max(k * Math.ceil(n / 4) * 4, 4 * Math.max(m, n)),
  };
}
