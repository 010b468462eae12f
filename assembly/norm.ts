// Batch normalisation over x[N, C, L] (L = H·W for BatchNorm2d, L or 1 for BatchNorm1d) and
// layer normalisation over the rows of x[R, D], float32.
//
// Batch norm, per channel c, with M = N·L values:
//   mean = Σ x / M,  var = Σ (x − mean)² / M (biased),  invstd = 1 / √(var + eps)
//   y = (x − mean)·invstd·γ + β;  running: r ← (1 − momentum)·r + momentum·stat, the running
//   variance taking the unbiased var·M/(M − 1) (torch's rule)
//   backward (training): x̂ = (x − mean)·invstd, dγ += Σ dy·x̂, dβ += Σ dy,
//     dx = γ·invstd·(dy − Σdy/M − x̂·Σ(dy·x̂)/M);  in eval (fixed statistics) dx = γ·invstd·dy
// Layer norm, per row r of D values: same mean / var / invstd; y = x̂·γ + β (γ, β of length D)
//   backward: g = dy·γ, dx = invstd·(g − mean(g) − x̂·mean(g·x̂)); dγ[j] += Σ_r dy·x̂, dβ[j] += Σ_r dy
// Sums run in float32 SIMD lanes along one row of L (or D) and are combined in float64.
// Ranges: channels [c0, c1) for batch norm, rows [r0, r1) for layer norm rows, columns
// [j0, j1) for the layer-norm parameter gradient (so threads never write the same float).
// γ / β pointers may be 0 (no affine parameters: γ = 1, β = 0).

// @ts-ignore: decorator
@inline function at(ptr: usize, i: usize): usize { return ptr + (i << 2); }

/** Σ src[0..n) in four float32 lanes, combined in float64. */
// @ts-ignore: decorator
@inline function rowSum(src: usize, n: i32): f64 {
  let acc = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) acc = f32x4.add(acc, v128.load(src + (<usize>i << 2)));
  let s = <f64>f32x4.extract_lane(acc, 0) + <f64>f32x4.extract_lane(acc, 1)
    + <f64>f32x4.extract_lane(acc, 2) + <f64>f32x4.extract_lane(acc, 3);
  for (; i < n; i++) s += <f64>load<f32>(src + (<usize>i << 2));
  return s;
}

/** Σ (src[i] − m)² over a row, lanes as rowSum. */
// @ts-ignore: decorator
@inline function rowSquares(src: usize, n: i32, m: f32): f64 {
  const mv = f32x4.splat(m);
  let acc = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const d = f32x4.sub(v128.load(src + (<usize>i << 2)), mv);
    acc = f32x4.add(acc, f32x4.mul(d, d));
  }
  let s = <f64>f32x4.extract_lane(acc, 0) + <f64>f32x4.extract_lane(acc, 1)
    + <f64>f32x4.extract_lane(acc, 2) + <f64>f32x4.extract_lane(acc, 3);
  for (; i < n; i++) {
    const d = <f64>(load<f32>(src + (<usize>i << 2)) - m);
    s += d * d;
  }
  return s;
}

/**
 * mean[c], invstd[c] of channels [c0, c1) of x[N, C, L]; when runningMean is not 0, also updates
 * runningMean / runningVar with `momentum` (the variance scaled by unbias = M / (M − 1)).
 */
export function batchNormStats(
  c0: i32, c1: i32, N: i32, C: i32, L: i32, x: usize, eps: f32, mean: usize, invstd: usize,
  runningMean: usize, runningVar: usize, momentum: f32, unbias: f32,
): void {
  const M = <f64>N * <f64>L;
  for (let c = c0; c < c1; c++) {
    let s: f64 = 0;
    for (let n = 0; n < N; n++) s += rowSum(at(x, (<usize>n * <usize>C + <usize>c) * <usize>L), L);
    const m = <f32>(s / M);
    let q: f64 = 0;
    for (let n = 0; n < N; n++) q += rowSquares(at(x, (<usize>n * <usize>C + <usize>c) * <usize>L), L, m);
    const v = q / M;
    store<f32>(at(mean, <usize>c), m);
    store<f32>(at(invstd, <usize>c), <f32>(1 / Math.sqrt(v + <f64>eps)));
    if (runningMean) {
      const rm = at(runningMean, <usize>c), rv = at(runningVar, <usize>c);
      store<f32>(rm, (1 - momentum) * load<f32>(rm) + momentum * m);
      store<f32>(rv, (1 - momentum) * load<f32>(rv) + momentum * <f32>(v * <f64>unbias));
    }
  }
}

/** y = (x − mean[c])·invstd[c]·γ[c] + β[c] for channels [c0, c1) of x[N, C, L]. */
export function batchNormForward(
  c0: i32, c1: i32, N: i32, C: i32, L: i32, x: usize, mean: usize, invstd: usize,
  gamma: usize, beta: usize, y: usize,
): void {
  for (let c = c0; c < c1; c++) {
    const g = gamma ? load<f32>(at(gamma, <usize>c)) : <f32>1;
    const b = beta ? load<f32>(at(beta, <usize>c)) : <f32>0;
    const a = load<f32>(at(invstd, <usize>c)) * g, m = load<f32>(at(mean, <usize>c));
    const av = f32x4.splat(a), bv = f32x4.splat(b), mv = f32x4.splat(m);
    for (let n = 0; n < N; n++) {
      const o = (<usize>n * <usize>C + <usize>c) * <usize>L;
      const src = at(x, o), dst = at(y, o);
      let i = 0;
      for (; i + 4 <= L; i += 4) {
        const k = <usize>i << 2;
        v128.store(dst + k, f32x4.add(f32x4.mul(f32x4.sub(v128.load(src + k), mv), av), bv));
      }
      for (; i < L; i++) store<f32>(dst + (<usize>i << 2), (load<f32>(src + (<usize>i << 2)) - m) * a + b);
    }
  }
}

/**
 * dx for channels [c0, c1) of x[N, C, L] given dy; dγ / dβ (when not 0) accumulate Σ dy·x̂ / Σ dy.
 * training = 1: the statistics were the batch's (they depend on x); 0: fixed running statistics.
 */
export function batchNormBackward(
  c0: i32, c1: i32, N: i32, C: i32, L: i32, x: usize, dy: usize, mean: usize, invstd: usize,
  gamma: usize, dx: usize, dgamma: usize, dbeta: usize, training: i32,
): void {
  const M = <f64>N * <f64>L;
  for (let c = c0; c < c1; c++) {
    const m = load<f32>(at(mean, <usize>c)), is = load<f32>(at(invstd, <usize>c));
    const g = gamma ? load<f32>(at(gamma, <usize>c)) : <f32>1;
    // Σ dy and Σ dy·(x − mean): lanes along each row, rows combined in float64.
    let sdy: f64 = 0, sdyx: f64 = 0;
    const mv = f32x4.splat(m);
    for (let n = 0; n < N; n++) {
      const o = (<usize>n * <usize>C + <usize>c) * <usize>L;
      const xs = at(x, o), ds = at(dy, o);
      let a1 = f32x4.splat(0), a2 = f32x4.splat(0);
      let i = 0;
      for (; i + 4 <= L; i += 4) {
        const k = <usize>i << 2;
        const d = v128.load(ds + k);
        a1 = f32x4.add(a1, d);
        a2 = f32x4.add(a2, f32x4.mul(d, f32x4.sub(v128.load(xs + k), mv)));
      }
      sdy += <f64>f32x4.extract_lane(a1, 0) + <f64>f32x4.extract_lane(a1, 1) + <f64>f32x4.extract_lane(a1, 2) + <f64>f32x4.extract_lane(a1, 3);
      sdyx += <f64>f32x4.extract_lane(a2, 0) + <f64>f32x4.extract_lane(a2, 1) + <f64>f32x4.extract_lane(a2, 2) + <f64>f32x4.extract_lane(a2, 3);
      for (; i < L; i++) {
        const k = <usize>i << 2;
        const d = <f64>load<f32>(ds + k);
        sdy += d;
        sdyx += d * <f64>(load<f32>(xs + k) - m);
      }
    }
    const sdyxhat = sdyx * <f64>is;
    if (dgamma) store<f32>(at(dgamma, <usize>c), load<f32>(at(dgamma, <usize>c)) + <f32>sdyxhat);
    if (dbeta) store<f32>(at(dbeta, <usize>c), load<f32>(at(dbeta, <usize>c)) + <f32>sdy);
    if (!dx) continue;
    // dx = k·dy + u·(x − mean) + w, constants per channel.
    const k = g * is;
    const u = training ? <f32>(-<f64>k * <f64>is * sdyxhat / M) : <f32>0;
    const w = training ? <f32>(-<f64>k * sdy / M) : <f32>0;
    const kv = f32x4.splat(k), uv = f32x4.splat(u), wv = f32x4.splat(w);
    for (let n = 0; n < N; n++) {
      const o = (<usize>n * <usize>C + <usize>c) * <usize>L;
      const xs = at(x, o), ds = at(dy, o), dst = at(dx, o);
      let i = 0;
      for (; i + 4 <= L; i += 4) {
        const q = <usize>i << 2;
        const xc = f32x4.sub(v128.load(xs + q), mv);
        v128.store(dst + q, f32x4.add(f32x4.add(f32x4.mul(v128.load(ds + q), kv), f32x4.mul(xc, uv)), wv));
      }
      for (; i < L; i++) {
        const q = <usize>i << 2;
        store<f32>(dst + q, load<f32>(ds + q) * k + (load<f32>(xs + q) - m) * u + w);
      }
    }
  }
}

/** Rows [r0, r1) of x[R, D]: y = x̂·γ + β; writes each row's mean and invstd. */
export function layerNormForward(
  r0: i32, r1: i32, D: i32, x: usize, gamma: usize, beta: usize, eps: f32, y: usize, mean: usize, invstd: usize,
): void {
  for (let r = r0; r < r1; r++) {
    const src = at(x, <usize>r * <usize>D), dst = at(y, <usize>r * <usize>D);
    const m = <f32>(rowSum(src, D) / <f64>D);
    const is = <f32>(1 / Math.sqrt(rowSquares(src, D, m) / <f64>D + <f64>eps));
    store<f32>(at(mean, <usize>r), m);
    store<f32>(at(invstd, <usize>r), is);
    const mv = f32x4.splat(m), iv = f32x4.splat(is);
    let i = 0;
    for (; i + 4 <= D; i += 4) {
      const k = <usize>i << 2;
      let v = f32x4.mul(f32x4.sub(v128.load(src + k), mv), iv);
      if (gamma) v = f32x4.add(f32x4.mul(v, v128.load(gamma + k)), v128.load(beta + k));
      v128.store(dst + k, v);
    }
    for (; i < D; i++) {
      const k = <usize>i << 2;
      let v = (load<f32>(src + k) - m) * is;
      if (gamma) v = v * load<f32>(gamma + k) + load<f32>(beta + k);
      store<f32>(dst + k, v);
    }
  }
}

/** dx for rows [r0, r1) of x[R, D] (γ = 0 means no affine parameters). */
export function layerNormBackward(
  r0: i32, r1: i32, D: i32, x: usize, dy: usize, gamma: usize, mean: usize, invstd: usize, dx: usize,
): void {
  for (let r = r0; r < r1; r++) {
    const o = <usize>r * <usize>D;
    const xs = at(x, o), ds = at(dy, o), dst = at(dx, o);
    const m = load<f32>(at(mean, <usize>r)), is = load<f32>(at(invstd, <usize>r));
    let sg: f64 = 0, sgx: f64 = 0;
    for (let i = 0; i < D; i++) {
      const k = <usize>i << 2;
      const gi = <f64>load<f32>(ds + k) * (gamma ? <f64>load<f32>(gamma + k) : 1);
      sg += gi;
      sgx += gi * <f64>((load<f32>(xs + k) - m) * is);
    }
    const a = <f32>(sg / <f64>D), b = <f32>(sgx / <f64>D);
    for (let i = 0; i < D; i++) {
      const k = <usize>i << 2;
      const gi = load<f32>(ds + k) * (gamma ? load<f32>(gamma + k) : <f32>1);
      const xh = (load<f32>(xs + k) - m) * is;
      store<f32>(dst + k, is * (gi - a - xh * b));
    }
  }
}

/** dγ[j] += Σ_r dy[r, j]·x̂[r, j], dβ[j] += Σ_r dy[r, j] for columns [j0, j1), rows in order. */
export function layerNormParamGrad(
  j0: i32, j1: i32, R: i32, D: i32, x: usize, dy: usize, mean: usize, invstd: usize, dgamma: usize, dbeta: usize,
): void {
  for (let r = 0; r < R; r++) {
    const o = <usize>r * <usize>D;
    const m = load<f32>(at(mean, <usize>r)), is = load<f32>(at(invstd, <usize>r));
    const mv = f32x4.splat(m), iv = f32x4.splat(is);
    let j = j0;
    for (; j + 4 <= j1; j += 4) {
      const k = <usize>j << 2;
      const d = v128.load(at(dy, o) + k);
      const xh = f32x4.mul(f32x4.sub(v128.load(at(x, o) + k), mv), iv);
      v128.store(dgamma + k, f32x4.add(v128.load(dgamma + k), f32x4.mul(d, xh)));
      v128.store(dbeta + k, f32x4.add(v128.load(dbeta + k), d));
    }
    for (; j < j1; j++) {
      const k = <usize>j << 2;
      const d = load<f32>(at(dy, o) + k);
      const xh = (load<f32>(at(x, o) + k) - m) * is;
      store<f32>(dgamma + k, load<f32>(dgamma + k) + d * xh);
      store<f32>(dbeta + k, load<f32>(dbeta + k) + d);
    }
  }
}
