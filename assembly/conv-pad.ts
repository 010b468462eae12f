// The zero-padded image copy the direct convolution kernels read (conv-direct.ts, conv-pixels.ts),
// its adjoint (the crop of a padded gradient), and the table of tap offsets into it. A helper module: index.ts does not export it.

// @ts-ignore: decorator
@inline function at(ptr: usize, i: usize): usize { return ptr + (i << 2); }

/** xp[C, Hp, Wp] = x[C, H, W] shifted down by top and right by left (negative: cropped), zeros outside. */
export function padImage(C: i32, H: i32, W: i32, top: i32, left: i32, Hp: i32, Wp: i32, x: usize, xp: usize): void {
  let lo = left > 0 ? left : 0, hi = left + W < Wp ? left + W : Wp;
  if (hi < lo) hi = lo;
  for (let c = 0; c < C; c++) {
    for (let i = 0; i < Hp; i++) {
      const dst = at(xp, <usize>((c * Hp + i) * Wp)), iy = i - top;
      if (iy < 0 || iy >= H || hi == lo) {
        memory.fill(dst, 0, <usize>Wp << 2);
        continue;
      }
      if (lo > 0) memory.fill(dst, 0, <usize>lo << 2);
      memory.copy(at(dst, <usize>lo), at(x, <usize>((c * H + iy) * W + lo - left)), <usize>(hi - lo) << 2);
      if (hi < Wp) memory.fill(at(dst, <usize>hi), 0, <usize>(Wp - hi) << 2);
    }
  }
}

/**
 * x[C, H, W] = xp[C, Hp, Wp] read at (iy + top, ix + left), 0 where that lies outside xp: the
 * adjoint of padImage's copy (the input gradient of a padded image, conv-pixels-grad.ts).
 */
export function cropImage(C: i32, H: i32, W: i32, top: i32, left: i32, Hp: i32, Wp: i32, xp: usize, x: usize): void {
  // Columns ix with ix + left in [0, Wp): [lo, hi).
  let lo = left < 0 ? -left : 0, hi = Wp - left < W ? Wp - left : W;
  if (lo > W) lo = W;
  if (hi < lo) hi = lo;
  for (let c = 0; c < C; c++) {
    for (let iy = 0; iy < H; iy++) {
      const dst = at(x, <usize>((c * H + iy) * W)), i = iy + top;
      if (i < 0 || i >= Hp || hi == lo) {
        memory.fill(dst, 0, <usize>W << 2);
        continue;
      }
      if (lo > 0) memory.fill(dst, 0, <usize>lo << 2);
      memory.copy(at(dst, <usize>lo), at(xp, <usize>((c * Hp + i) * Wp + lo + left)), <usize>(hi - lo) << 2);
      if (hi < W) memory.fill(at(dst, <usize>hi), 0, <usize>(W - hi) << 2);
    }
  }
}

/** tap[r] = byte offset of tap r = (c, ky, kx) in an image of rows Ws, planes Hs·Ws. */
export function tapTable(C: i32, KH: i32, KW: i32, DH: i32, DW: i32, Hs: i32, Ws: i32, tap: usize): void {
  let r: usize = 0;
  for (let c = 0; c < C; c++) {
    for (let ky = 0; ky < KH; ky++) {
      for (let kx = 0; kx < KW; kx++) store<i32>(tap + (r++ << 2), ((c * Hs + ky * DH) * Ws + kx * DW) << 2);
    }
  }
}
