// Convolution one image at a time over a range of images [n0, n1) of the batch: im2col + gemm
// for the forward and the input gradient, so that the thread pool can split a batch over
// images (src/backend/ops-conv.ts). Each range gets its own scratch, laid out as
//   col [K, P] | rows [O4, P] (only when O4 ≠ O) | gemm's packing scratch
// with K = C·KH·KW, P = OH·OW and O4 the output channels rounded up to the GEMM's 4-row bands.
// Every image is computed exactly as by a single call over the whole batch.
import { gemm } from "./gemm";
import { col2im, convBiasInit, im2col } from "./conv";

/**
 * y[n] = w·col(x[n]) + bias for images [n0, n1). When O4 ≠ O, w [O4, K] and bias [O4] are the
 * zero-padded copies and the O4 rows are computed in the scratch, then the first O copied out.
 */
export function conv2dImagesForward(
  n0: i32, n1: i32, C: i32, H: i32, W: i32, O: i32, KH: i32, KW: i32, SH: i32, SW: i32, PH: i32, PW: i32,
  DH: i32, DW: i32, OH: i32, OW: i32, x: usize, w: usize, bias: usize, y: usize, O4: i32, scratch: usize,
): void {
  const K = C * KH * KW, P = OH * OW;
  const col = scratch, y4 = scratch + (<usize>K * <usize>P << 2);
  const packed = y4 + (O4 === O ? 0 : <usize>O4 * <usize>P << 2);
  for (let n = n0; n < n1; n++) {
    const xn = x + (<usize>n * <usize>(C * H * W) << 2), yn = y + (<usize>n * <usize>(O * P) << 2);
    im2col(0, C, C, H, W, KH, KW, SH, SW, PH, PW, DH, DW, OH, OW, xn, col, 0);
    if (O4 === O) {
      convBiasInit(0, O, O, P, bias, yn);
      gemm(O, P, K, w, K, 1, col, yn, 0, 1, packed);
    } else {
      convBiasInit(0, O4, O4, P, bias, y4);
      gemm(O4, P, K, w, K, 1, col, y4, 0, 1, packed);
      memory.copy(yn, y4, <usize>O * <usize>P << 2);
    }
  }
}

/** dx[n] = col2im(wᵀ·dy[n]) for images [n0, n1) (dx[n] is overwritten). */
export function conv2dImagesInputGrad(
  n0: i32, n1: i32, C: i32, H: i32, W: i32, O: i32, KH: i32, KW: i32, SH: i32, SW: i32, PH: i32, PW: i32,
  DH: i32, DW: i32, OH: i32, OW: i32, w: usize, dy: usize, dx: usize, O4: i32, scratch: usize,
): void {
  const K = C * KH * KW, P = OH * OW, image = <usize>(C * H * W);
  const col = scratch;
  const packed = scratch + (<usize>K * <usize>P << 2) + (O4 === O ? 0 : <usize>O4 * <usize>P << 2);
  for (let n = n0; n < n1; n++) {
    const dxn = dx + (<usize>n * image << 2), dyn = dy + (<usize>n * <usize>(O * P) << 2);
    gemm(K, P, O, w, 1, K, dyn, col, 0, 0, packed);
    memory.fill(dxn, 0, image << 2);
    col2im(0, C, C, H, W, KH, KW, SH, SW, PH, PW, DH, DW, OH, OW, col, dxn);
  }
}
