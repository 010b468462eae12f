import { ShapeError, ValueError, formatShape } from '../errors.js';
import { Generator, defaultGenerator } from '../random.js';
import { Tensor } from '../tensor.js';
import { checkBoolean, checkGenerator, checkNumber, checkOptions, checkRows, checkTensor } from '../validate.js';

/** A labelled data set: inputs [n, features] and integer class labels (as float32) [n]. */
export interface Dataset {
  x: Tensor;
  y: Tensor;
}

/** Radius of the disk whose area is half the unit square: 1/√(2π). */
export const DISK_RADIUS = 1 / Math.sqrt(2 * Math.PI);

/** Throws ValueError unless generator is a Generator (the data sets draw with random() and normal()). */
function checkDrawer(where: string, generator: unknown): void {
  checkGenerator(where, 'generator', generator);
  if (typeof (generator as { random?: unknown }).random !== 'function') {
    throw new ValueError(`${where}: generator must be a Generator (new Generator(seed)), got an object without random()`);
  }
}

/**
 * Builds a 2-D data set from n draws of (x1, x2, label). Both tensors are allocated before the
 * first draw: an n no memory can hold is an OutOfMemoryError that has not moved the generator.
 */
function points2d(n: number, draw: (i: number) => [number, number, number]): Dataset {
  const x = Tensor.zeros([n, 2]);
  let y: Tensor;
  try {
    y = Tensor.zeros([n]);
  } catch (e) {
    x.dispose();
    throw e;
  }
  const xs = new Float32Array(2 * n), ys = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const [a, b, label] = draw(i);
    xs[2 * i] = a;
    xs[2 * i + 1] = b;
    ys[i] = label;
  }
  x.set(xs);
  y.set(ys);
  return { x, y };
}

/**
 * n points uniform in [0, 1]², labelled 1 inside the disk of centre (0.5, 0.5) and radius
 * 1/√(2π) (area ½, so the classes are balanced in expectation), else 0.
 */
export function disk(n: number, generator: Generator = defaultGenerator): Dataset {
  checkNumber('disk', 'n', n, { integer: true, min: 1 });
  checkDrawer('disk', generator);
  return points2d(n, () => {
    const a = generator.random(), b = generator.random();
    return [a, b, (a - 0.5) ** 2 + (b - 0.5) ** 2 < DISK_RADIUS ** 2 ? 1 : 0];
  });
}

/** n points uniform in [0, 1]², labelled 0 if x1 > x2 else 1. */
export function linear(n: number, generator: Generator = defaultGenerator): Dataset {
  checkNumber('linear', 'n', n, { integer: true, min: 1 });
  checkDrawer('linear', generator);
  return points2d(n, () => {
    const a = generator.random(), b = generator.random();
    return [a, b, a > b ? 0 : 1];
  });
}

/**
 * The 21-point "easy XOR": (0.1i, 0.1i) labelled 0 for i = 0..10 and (0.1i, 1 - 0.1i) labelled 1
 * for i = 0..10 except i = 5 (which would coincide with (0.5, 0.5)).
 */
export function xorEasy(): Dataset {
  const pts: Array<[number, number, number]> = [];
  for (let i = 0; i <= 10; i++) pts.push([0.1 * i, 0.1 * i, 0]);
  for (let i = 0; i <= 10; i++) if (i !== 5) pts.push([0.1 * i, 1 - 0.1 * i, 1]);
  return points2d(pts.length, (i) => pts[i]!);
}

/** n points uniform in [0, 1]², labelled 1 where exactly one coordinate exceeds 0.5 (quadrant XOR). */
export function xorQuadrants(n: number, generator: Generator = defaultGenerator): Dataset {
  checkNumber('xorQuadrants', 'n', n, { integer: true, min: 1 });
  checkDrawer('xorQuadrants', generator);
  return points2d(n, () => {
    const a = generator.random(), b = generator.random();
    return [a, b, (a > 0.5) !== (b > 0.5) ? 1 : 0];
  });
}

/** Two interleaved spirals (classes 0 and 1) in [0, 1]², with Gaussian noise of std `noise`. */
export function spiral(n: number, noise = 0, generator: Generator = defaultGenerator): Dataset {
  checkNumber('spiral', 'n', n, { integer: true, min: 1 });
  checkNumber('spiral', 'noise', noise, { min: 0 });
  checkDrawer('spiral', generator);
  return points2d(n, (i) => {
    const label = i % 2;
    const t = generator.random();
    const angle = 1.75 * t * 2 * Math.PI + label * Math.PI;
    const r = 0.45 * t;
    return [0.5 + r * Math.cos(angle) + generator.normal(0, noise), 0.5 + r * Math.sin(angle) + generator.normal(0, noise), label];
  });
}

/** Two interleaving half circles ("two moons") scaled into [0, 1]², with Gaussian noise. */
export function moons(n: number, noise = 0, generator: Generator = defaultGenerator): Dataset {
  checkNumber('moons', 'n', n, { integer: true, min: 1 });
  checkNumber('moons', 'noise', noise, { min: 0 });
  checkDrawer('moons', generator);
  return points2d(n, (i) => {
    const label = i % 2;
    const t = Math.PI * generator.random();
    const [a, b] = label === 0 ? [Math.cos(t), Math.sin(t)] : [1 - Math.cos(t), 0.5 - Math.sin(t)];
    // raw range: a in [-1, 2], b in [-0.5, 1]
    return [(a + 1) / 3 + generator.normal(0, noise), (b + 0.5) / 1.5 + generator.normal(0, noise), label];
  });
}

/** Turns integer labels [n] (or [n, 1]) into one-hot rows [n, classes]. */
export function oneHot(labels: Tensor, classes: number): Tensor {
  checkTensor('oneHot', 'labels', labels);
  if (labels.ndim !== 1 && !(labels.ndim === 2 && labels.shape[1] === 1)) {
    // [2, 3] labels gave 6 rows [6, classes], silently (torch's one_hot gives [2, 3, classes]).
    throw new ShapeError(`oneHot: labels must have shape [n] or [n, 1], got ${formatShape(labels.shape)}`);
  }
  checkNumber('oneHot', 'classes', classes, { integer: true, min: 1, max: 65536 });
  const src = Array.from(labels._view());
  src.forEach((c, i) => checkNumber('oneHot', `labels[${i}]`, c, { integer: true, min: 0, max: classes - 1 }));
  const out = Tensor.zeros([src.length, classes]);
  const data = out._view();
  src.forEach((c, i) => {
    data[i * classes + c] = 1;
  });
  return out;
}

/** Options of trainTestSplit. */
export interface SplitOptions {
  /** Fraction (0 < f < 1) or count of rows for the test part. Default 0.2. */
  testSize?: number;
  /** Shuffle before splitting. Default true. */
  shuffle?: boolean;
  generator?: Generator;
}

/** Rows trainTestSplit holds out of n for a fraction `fraction` (0 < fraction < 1) of them: rounded to the nearest. */
export const heldOutRows = (n: number, fraction: number): number => Math.round(fraction * n);

/** Splits rows of x and y (same first dimension) into train and test parts (new tensors); checks everything first. */
export function trainTestSplit(x: Tensor, y: Tensor, options: SplitOptions = {}): { train: Dataset; test: Dataset } {
  checkOptions('trainTestSplit', options, ['testSize', 'shuffle', 'generator']);
  checkTensor('trainTestSplit', 'x', x);
  checkTensor('trainTestSplit', 'y', y);
  const n = checkRows('trainTestSplit', x, y);
  const size = checkNumber('trainTestSplit', 'testSize', options.testSize ?? 0.2, { min: 0, minExclusive: true });
  const nTest = size < 1 ? heldOutRows(n, size) : checkNumber('trainTestSplit', 'testSize', size, { integer: true });
  if (nTest < 1 || nTest > n - 1) throw new ValueError(`trainTestSplit: testSize ${size} leaves an empty part of ${n} rows`);
  const shuffle = checkBoolean('trainTestSplit', 'shuffle', options.shuffle ?? true);
  const generator = options.generator ?? defaultGenerator;
  if (!(generator instanceof Generator)) throw new ValueError(`trainTestSplit: generator must be a Generator, got ${generator === null ? 'null' : typeof generator}`);
  const order = shuffle ? Array.from(generator.permutation(n)) : Array.from({ length: n }, (_, i) => i);
  const take = (t: Tensor, rows: number[]): Tensor => {
    const width = t.size / n;
    const out = new Float32Array(rows.length * width);
    const src = t._view(); // read now: Tensor.from below may grow memory and detach this view
    rows.forEach((r, i) => out.set(src.subarray(r * width, (r + 1) * width), i * width));
    return Tensor.from(out, [rows.length, ...t.shape.slice(1)]);
  };
  const testRows = order.slice(0, nTest), trainRows = order.slice(nTest);
  return { train: { x: take(x, trainRows), y: take(y, trainRows) }, test: { x: take(x, testRows), y: take(y, testRows) } };
}
