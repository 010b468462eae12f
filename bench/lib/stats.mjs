// Timing helpers: warm-up, repetitions, medians with min–max, calibrated inner loops; the
// medians, quantiles and timed loops of the interleaved A/B scripts. Browser-safe (no node:
// imports): the browser bench page imports it through train-step.mjs.

/** Milliseconds per call of fn: median/min/max over `reps` repetitions of `inner` calls. */
export async function measure(fn, { reps = 5, warmup = 2, targetMs = 150, maxInner = 10_000 } = {}) {
  for (let i = 0; i < warmup; i++) await fn();
  // Calibrate: enough calls per repetition to last about targetMs.
  const t0 = performance.now();
  await fn();
  const one = Math.max(performance.now() - t0, 1e-3);
  const inner = Math.max(1, Math.min(maxInner, Math.round(targetMs / one)));
  const times = [];
  for (let r = 0; r < reps; r++) {
    const start = performance.now();
    for (let i = 0; i < inner; i++) await fn();
    times.push((performance.now() - start) / inner);
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)], min: times[0], max: times[times.length - 1], inner, reps };
}

export const fmt = (v, digits = 3) => (v === undefined || v === null || Number.isNaN(v) ? '-' : Number(v.toPrecision(digits)));
export const range = (m) => `${fmt(m.min)}–${fmt(m.max)}`;

/** Median of a list of samples (the upper one of an even count, as every script here used). */
export const median = (xs) => quantile(xs, 0.5);

/** The sample at quantile q of xs (0.1: the fastest tenth's edge, steadier than the median under load). */
export const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))];

/** Milliseconds per call of a synchronous fn over n back-to-back calls (one sample of an interleaved round). */
export function msPerCall(fn, n) {
  const start = performance.now();
  for (let i = 0; i < n; i++) fn();
  return (performance.now() - start) / n;
}
