import { afterEach, describe, expect, it, vi } from 'vitest';
import { DataLoader, Tensor, memoryStats, ShapeError, OutOfMemoryError, defaultGenerator, manualSeed } from '../../src/index.js';
import { failAllocationAt } from '../helpers/trust.js';

afterEach(() => {
  vi.restoreAllMocks();
});

function data(n: number): { x: Tensor; y: Tensor } {
  return {
    x: Tensor.from(Float32Array.from({ length: 2 * n }, (_, i) => i), [n, 2]),
    y: Tensor.from(Float32Array.from({ length: n }, (_, i) => i)),
  };
}

/** The labels of each batch of one epoch (read inside the loop: a batch view is re-used by the next). */
function epoch(loader: DataLoader): number[][] {
  const out: number[][] = [];
  for (const b of loader) out.push(Array.from(b.y.toFloat32Array()));
  return out;
}

describe('DataLoader', () => {
  it('visits every sample exactly once per epoch, rows of x and y staying together', () => {
    const { x, y } = data(103);
    const loader = new DataLoader(x, y, { batchSize: 10, shuffle: true, seed: 1 });
    expect(loader.batchesPerEpoch).toBe(11);
    const seen: number[] = [];
    for (const b of loader) {
      const xs = b.x.toArray() as number[][];
      Array.from(b.y.toFloat32Array()).forEach((label, i) => expect(xs[i]).toEqual([2 * label, 2 * label + 1]));
      seen.push(...b.y.toFloat32Array());
    }
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 103 }, (_, i) => i));
  });

  it('shuffles differently every epoch, identically for the same seed', () => {
    const { x, y } = data(50);
    const a = new DataLoader(x, y, { batchSize: 50, shuffle: true, seed: 3 });
    const b = new DataLoader(x, y, { batchSize: 50, shuffle: true, seed: 3 });
    const a1 = epoch(a), a2 = epoch(a);
    expect(a1).not.toEqual(a2);
    expect(epoch(b)).toEqual(a1);
    expect(epoch(b)).toEqual(a2);
    const plain = new DataLoader(x, y, { batchSize: 50 });
    expect(epoch(plain)[0]).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('dropLast drops the short batch; the last batch is smaller otherwise', () => {
    const { x, y } = data(25);
    expect([...new DataLoader(x, y, { batchSize: 10 })].map((b) => b.size)).toEqual([10, 10, 5]);
    expect([...new DataLoader(x, y, { batchSize: 10, dropLast: true })].map((b) => b.size)).toEqual([10, 10]);
  });

  it('allocates nothing after the first epoch', () => {
    const { x, y } = data(64);
    const loader = new DataLoader(x, y, { batchSize: 16, shuffle: true, seed: 1 });
    epoch(loader);
    const before = memoryStats().bytesInUse;
    for (let i = 0; i < 20; i++) epoch(loader);
    expect(memoryStats().bytesInUse).toBe(before);
  });

  it('keeps its own copy of the data and checks its arguments', () => {
    const { x, y } = data(4);
    const loader = new DataLoader(x, y, { batchSize: 4 });
    x.fill(-1);
    expect([...loader][0]!.x.toFloat32Array()[0]).toBe(0);
    const batches = [...new DataLoader(x, y, { batchSize: 2 })];
    expect(() => batches[0]!.x.toFloat32Array()).toThrow(/stale/);
    expect(() => new DataLoader(x, Tensor.zeros([3]))).toThrow(ShapeError);
    expect(() => new DataLoader(x, y, { batchSize: 0 })).toThrow(/batchSize must be ≥ 1/);
    expect(() => new DataLoader(x, y, { batch_size: 2 } as never)).toThrow(/unknown option 'batch_size'/);
  });

  it('refuses a seed that is not an integer as its own argument; a loader that could not be made draws no seed', () => {
    const { x, y } = data(9);
    for (const bad of [1.5, NaN, -Infinity, '3']) {
      expect(() => new DataLoader(x, y, { seed: bad as number })).toThrow(new RegExp(`^DataLoader: seed must be (an integer|a finite number), got`));
    }
    manualSeed(5);
    failAllocationAt(1);
    const before = memoryStats().bytesInUse;
    expect(() => new DataLoader(x, y, { batchSize: 4 })).toThrow(OutOfMemoryError);
    vi.restoreAllMocks();
    expect(memoryStats().bytesInUse).toBe(before);
    const after = defaultGenerator.nextUint32();
    manualSeed(5);
    expect(after).toBe(defaultGenerator.nextUint32()); // the failed loader drew no seed
  });

  it('hands out batches of the full and the last size, epoch after epoch', () => {
    const { x, y } = data(10);
    const loader = new DataLoader(x, y, { batchSize: 4 });
    const shapes: Array<readonly number[]> = [];
    for (let e = 0; e < 2; e++) for (const b of loader) shapes.push(b.x.shape, b.y.shape);
    expect(shapes.map((s) => [...s])).toEqual([[4, 2], [4], [4, 2], [4], [2, 2], [2], [4, 2], [4], [4, 2], [4], [2, 2], [2]]);
    loader.dispose();
  });
});
