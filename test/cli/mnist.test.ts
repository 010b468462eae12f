import { describe, expect, it } from 'vitest';
import { MNIST_PIXELS, splitDigits } from '../../src/cli/mnist-split.js';
import { loadMnist, readMnistPackage } from '../../src/cli/mnist.js';

describe('MNIST split', () => {
  it('takes per digit the first round(80 %) for training: 8,000 / 2,000 of the 10,000 digits', () => {
    const raw = readMnistPackage();
    const { train, test } = splitDigits(raw);
    expect([train.count, test.count]).toEqual([8000, 2000]);
    const counts = raw.map((d) => d.length / MNIST_PIXELS);
    expect(counts.reduce((a, b) => a + b)).toBe(10000);
    let offset = 0;
    raw.forEach((digit, d) => {
      const nTrain = Math.round(counts[d]! * 0.8);
      expect(train.labels.filter((l) => l === d).length).toBe(nTrain);
      expect(test.labels.filter((l) => l === d).length).toBe(counts[d]! - nTrain);
      // The digit's first image is its first training image; its image nTrain is its first test image.
      const firstTrain = train.labels.indexOf(d), firstTest = test.labels.indexOf(d);
      expect(Array.from(train.pixels.subarray(firstTrain * MNIST_PIXELS, (firstTrain + 1) * MNIST_PIXELS))).toEqual(Array.from(Float32Array.from(digit.slice(0, MNIST_PIXELS))));
      expect(Array.from(test.pixels.subarray(firstTest * MNIST_PIXELS, (firstTest + 1) * MNIST_PIXELS)))
        .toEqual(Array.from(Float32Array.from(digit.slice(nTrain * MNIST_PIXELS, (nTrain + 1) * MNIST_PIXELS))));
      offset += nTrain;
    });
    expect(offset).toBe(8000);
  });

  it('refuses a fraction outside (0, 1) and a ragged digit array', () => {
    expect(() => splitDigits([new Array(784).fill(0)], 1)).toThrow(RangeError);
    expect(() => splitDigits([new Array(785).fill(0)])).toThrow(/not a multiple of 784/);
  });

  it('loads tensors [N, 1, 28, 28] in [0, 1] with labels 0–9; a smaller n keeps every digit', () => {
    const { train, test } = loadMnist(100, 50);
    expect(train.x.shape).toEqual([100, 1, 28, 28]);
    expect(test.x.shape).toEqual([50, 1, 28, 28]);
    const px = train.x.toFloat32Array();
    let min = Infinity, max = -Infinity;
    for (const v of px) { min = Math.min(min, v); max = Math.max(max, v); }
    expect(min).toBe(0);
    expect(max).toBe(1);
    expect(new Set(train.y.toFloat32Array()).size).toBe(10);
    expect(new Set(test.y.toFloat32Array()).size).toBe(10);
  });
});
