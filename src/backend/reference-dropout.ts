import type { Kernels } from './kernels.js';
import type { HeapViews } from './reference.js';

/** Wellons' lowbias32 integer mixer (32-bit, as assembly/random.ts). */
function mix(v: number): number {
  let x = (v ^ (v >>> 16)) >>> 0;
  x = Math.imul(x, 0x7feb352d);
  x = (x ^ (x >>> 15)) >>> 0;
  x = Math.imul(x, 0x846ca68b);
  return (x ^ (x >>> 16)) >>> 0;
}

/**
 * The counter-based uniform of element i under (key0, key1), in [0, 1) with 24 bits:
 * u = (mix(mix(i ^ key0) + key1) >>> 8) · 2⁻²⁴. The same function as the WASM kernel.
 */
export function dropoutUniform(key0: number, key1: number, i: number): number {
  const h = mix((mix((i ^ key0) >>> 0) + key1) >>> 0);
  return (h >>> 8) * 2 ** -24;
}

/** The dropout kernels in plain TypeScript over the same memory (the oracle of random.ts). */
export function dropoutKernels(heap: HeapViews): Pick<Kernels, 'dropoutForward' | 'dropoutBackward'> {
  return {
    dropoutForward(begin, end, x, y, mask, key0, key1, p, scale) {
      const h = heap.f32();
      const fp = Math.fround(p), fs = Math.fround(scale);
      for (let i = begin; i < end; i++) {
        const m = dropoutUniform(key0 >>> 0, key1 >>> 0, i) >= fp ? fs : 0;
        h[(mask >>> 2) + i] = m;
        h[(y >>> 2) + i] = h[(x >>> 2) + i]! * m;
      }
    },
    dropoutBackward(begin, end, dy, mask, dx) {
      const h = heap.f32();
      for (let i = begin; i < end; i++) h[(dx >>> 2) + i] = h[(dy >>> 2) + i]! * h[(mask >>> 2) + i]!;
    },
  };
}
