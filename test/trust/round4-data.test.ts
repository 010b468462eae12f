// Round 4 probes of src/data: the synthetic data sets given a count no memory can hold, or a
// generator that is not one, must refuse with a WasmnnError before drawing anything (the RNG state
// is part of "as it was"); LabelEncoder.fit given something that is not an array.
import { describe, expect, it } from 'vitest';
import { Generator, LabelEncoder, OutOfMemoryError, ValueError, disk, linear, memoryStats, moons, spiral, xorQuadrants } from '../../src/index.js';
import { rejects } from '../helpers/trust.js';

const makers = {
  disk: (n: number, g: unknown) => disk(n, g as Generator),
  linear: (n: number, g: unknown) => linear(n, g as Generator),
  xorQuadrants: (n: number, g: unknown) => xorQuadrants(n, g as Generator),
  spiral: (n: number, g: unknown) => spiral(n, 0.1, g as Generator),
  moons: (n: number, g: unknown) => moons(n, 0.1, g as Generator),
};

describe('round 4: synthetic data sets', () => {
  it.each(Object.entries(makers))('%s(n) with n no memory can hold is an OutOfMemoryError that drew nothing (it was a raw RangeError or minutes of drawing)', (name, make) => {
    for (const n of [2 ** 40, 2 ** 31]) {
      const g = new Generator(5);
      const before = memoryStats().bytesInUse;
      rejects(() => make(n, g), OutOfMemoryError, /cannot allocate/);
      expect(memoryStats().bytesInUse, `${name}(${n}) keeps nothing`).toBe(before);
      expect(g.uniform(0, 1), `${name}(${n}) left the generator where it was`).toBe(new Generator(5).uniform(0, 1));
    }
    rejects(() => make(2 ** 53, new Generator(5)), ValueError, new RegExp(`^${name}: n must be an integer`));
  });

  it.each(Object.entries(makers))('%s(n, generator) with something that is not a Generator is a ValueError naming generator (a TypeError before)', (name, make) => {
    for (const g of [null, 5, 'seed', {}, { uniform: () => 0.5, normal: () => 0 }]) {
      rejects(() => make(4, g), ValueError, new RegExp(`^${name}: generator must be a Generator`));
    }
  });

  it('still draws the same points as before for a good generator', () => {
    const a = disk(7, new Generator(3)), b = disk(7, new Generator(3));
    expect(a.x.toFloat32Array()).toEqual(b.x.toFloat32Array());
    expect(a.x.shape).toEqual([7, 2]);
    expect(Array.from(a.y.toFloat32Array()).every((v) => v === 0 || v === 1)).toBe(true);
  });
});

describe('round 4: LabelEncoder', () => {
  it('fit(non-array) is a ValueError naming values (it was a TypeError: values.forEach is not a function)', () => {
    for (const v of [null, undefined, 5, 'abc', {}, new Set([1])]) {
      rejects(() => new LabelEncoder().fit(v as never), ValueError, /LabelEncoder\.fit: values must be an array/);
    }
  });
});

describe('round 4: LabelEncoder encode / decode', () => {
  it('encode and decode given something that is not an array are ValueErrors (a string was read as characters, a number as no rows)', () => {
    const enc = new LabelEncoder().fit(['a', 'b', 'c']);
    for (const v of [null, 5, 'abc', {}]) {
      rejects(() => enc.encode(v as never), ValueError, /^LabelEncoder\.encode: values must be an array, got /);
      rejects(() => enc.decode(v as never), ValueError, /^LabelEncoder\.decode: indices must be an array or a typed array, got /);
    }
    expect(Array.from(enc.encode(['c', 'a']))).toEqual([2, 0]);
    expect(enc.decode(Float32Array.from([1, 2]))).toEqual(['b', 'c']);
  });
});
