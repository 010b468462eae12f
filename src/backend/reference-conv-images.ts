import type { ConvImageKernels, ConvKernels, Kernels } from './kernels.js';
import type { HeapViews } from './reference.js';



/**
 * conv-images.ts in plain TypeScript, composed from the reference im2col / col2im / bias init
 * and GEMM exactly as the WASM kernels compose theirs (the scratch layout is the same).
 */
export function createConvImagesReference(heap: HeapViews, conv: ConvKernels, gemmRange: Kernels['gemmRange']): ConvImageKernels {
  return {
    conv2dImagesForward(n0, n1, C, H, W, O, KH, KW, SH, SW, PH, PW, DH, DW, OH, OW, x, w, bias, y, O4, scratch) {
      const K = C * KH * KW, P = OH * OW, col = scratch, y4 = scratch + 4 * K * P;
      for (let n = n0; n < n1; n++) {
        const xn = x + 4 * n * C * H * W, yn = y + 4 * n * O * P;
        conv.im2col(0, C, C, H, W, KH, KW, SH, SW, PH, PW, DH, DW, OH, OW, xn, col, 0);
        const out = O4 === O ? yn : y4;
        conv.convBiasInit(0, O4, O4, P, bias, out);
        gemmRange(O4, P, K, w, K, 1, col, out, 0, 1, 0, 0, O4, 0, P);
        if (out !== yn) heap.f32().copyWithin(yn >>> 2, y4 >>> 2, (y4 >>> 2) + O * P);
      }
    },
    conv2dImagesInputGrad(n0, n1, C, H, W, O, KH, KW, SH, SW, PH, PW, DH, DW, OH, OW, w, dy, dx, _O4, scratch) {
      const K = C * KH * KW, P = OH * OW, image = C * H * W, col = scratch;
      for (let n = n0; n < n1; n++) {
        const dxn = dx + 4 * n * image;
        gemmRange(K, P, O, w, 1, K, dy + 4 * n * O * P, col, 0, 0, 0, 0, K, 0, P);
        heap.f32().fill(0, dxn >>> 2, (dxn >>> 2) + image);
        conv.col2im(0, C, C, H, W, KH, KW, SH, SW, PH, PW, DH, DW, OH, OW, col, dxn);
      }
    },
  };
}
