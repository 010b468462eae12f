import { Generator, defaultGenerator } from '../random.js';
import { Tensor } from '../tensor.js';
import { checkNumber } from '../validate.js';

/** A labelled data set: inputs [n, features] and integer class labels (as float32) [n]. */
export interface Dataset {
  x: Tensor;
  y: Tensor;
}

/** Radius of the disk whose area is half the unit square: 1/√(2π). */
export const DISK_RADIUS = 1 / Math.sqrt(2 * Math.PI);

/**
 * n points uniform in [0, 1]², labelled 1 inside the disk of centre (0.5, 0.5) and radius
 * 1/√(2π) (area ½, so the classes are balanced in expectation), else 0.
 */
export function disk(n: number, generator: Generator = defaultGenerator): Dataset {
  checkNumber('disk', 'n', n, { integer: true, min: 1 });
  const xs = new Float32Array(2 * n);
  const ys = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const a = generator.random(), b = generator.random();
    xs[2 * i] = a;
    xs[2 * i + 1] = b;
    ys[i] = (a - 0.5) ** 2 + (b - 0.5) ** 2 < DISK_RADIUS ** 2 ? 1 : 0;
  }
  return { x: Tensor.from(xs, [n, 2]), y: Tensor.from(ys, [n]) };
}

/** Turns integer labels [n] into one-hot rows [n, classes]. */
export function oneHot(labels: Tensor, classes: number): Tensor {
  checkNumber('oneHot', 'classes', classes, { integer: true, min: 1 });
  const src = Array.from(labels.data);
  const out = Tensor.zeros([src.length, classes]);
  const data = out.data;
  src.forEach((c, i) => {
    checkNumber('oneHot', `labels[${i}]`, c, { integer: true, min: 0, max: classes - 1 });
    data[i * classes + c] = 1;
  });
  return out;
}
