/** torch's pooling output-size rules (pooling_output_shape), shared by MaxPool2d and AvgPool2d. */

/**
 * Output length of a pooling window over n pixels: ⌊(n + 2p − d·(k − 1) − 1) / s⌋ + 1, or ⌈…⌉ in
 * ceil mode, where a last window that would start in the right padding is dropped (as torch:
 * `if ((out − 1)·s ≥ n + p) out −= 1`). May be ≤ 0 when the image is too small.
 */
export function poolOut(n: number, k: number, s: number, p: number, d: number, ceil: boolean): number {
  const span = n + 2 * p - d * (k - 1) - 1;
  let out = Math.floor((span + (ceil ? s - 1 : 0)) / s) + 1;
  if (ceil && (out - 1) * s >= n + p) out -= 1;
  return out;
}

/**
 * Whether each of the `out` windows (start o·s − p, taps every d) has a tap inside [0, n). Only
 * windows starting in the left padding can miss (a large dilation steps over the image); a window
 * starting at or after 0 starts inside the image under poolOut's rules.
 */
export function windowsHitImage(n: number, s: number, p: number, d: number, out: number): boolean {
  for (let o = 0; o < out && o * s - p < 0; o++) {
    const start = o * s - p;
    if (start + Math.ceil(-start / d) * d >= n) return false;
  }
  return (out - 1) * s - p < n;
}
