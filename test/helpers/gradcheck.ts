// Central finite differences in float64, used to check every module's and loss's backward.

/** ∂f/∂x_i ≈ (f(x + h·e_i) - f(x - h·e_i)) / 2h for every i. */
export function numericGrad(f: (x: Float64Array) => number, x: ArrayLike<number>, h = 1e-6): Float64Array {
  const v = Float64Array.from(x);
  const out = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const keep = v[i]!;
    v[i] = keep + h;
    const up = f(v);
    v[i] = keep - h;
    const down = f(v);
    v[i] = keep;
    out[i] = (up - down) / (2 * h);
  }
  return out;
}

/** Dot product of two equal-length arrays, in float64. */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** Float64 dense layer: y[b, o] = Σ_i x[b, i]·w[o, i] + bias[o]. */
export function linear64(x: ArrayLike<number>, w: ArrayLike<number>, bias: ArrayLike<number> | null, batch: number, inF: number, outF: number): Float64Array {
  const y = new Float64Array(batch * outF);
  for (let b = 0; b < batch; b++) {
    for (let o = 0; o < outF; o++) {
      let s = bias ? bias[o]! : 0;
      for (let i = 0; i < inF; i++) s += x[b * inF + i]! * w[o * inF + i]!;
      y[b * outF + o] = s;
    }
  }
  return y;
}
