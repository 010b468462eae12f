import { describe, expect, it } from 'vitest';
import { Generator, manualSeed, defaultGenerator, ValueError } from '../src/index.js';

describe('Generator', () => {
  it('is deterministic per seed and differs across seeds', () => {
    const a = new Generator(42), b = new Generator(42), c = new Generator(43);
    const sa = Array.from({ length: 5 }, () => a.nextUint32());
    expect(Array.from({ length: 5 }, () => b.nextUint32())).toEqual(sa);
    expect(Array.from({ length: 5 }, () => c.nextUint32())).not.toEqual(sa);
    manualSeed(42);
    const d = Array.from({ length: 5 }, () => defaultGenerator.nextUint32());
    expect(d).toEqual(sa);
  });

  it('pins the first outputs of seed 0, so any engine can be checked against them', () => {
    // If this changes, every seeded result in the docs changes: treat it as a breaking change.
    // Golden values recorded from Node 20 (V8); the browser test suite checks the same in Chromium.
    const g = new Generator(0);
    expect(Array.from({ length: 4 }, () => g.nextUint32())).toEqual([3809008728, 1133695204, 53579671, 2891528803]);
    expect(new Generator(7).random()).toBe(0.2338277214186818);
    expect(new Generator(7).normal()).toBe(-1.5370383110628956);
  });

  it('uniform is in range with the right moments; normal has mean 0 and std 1', () => {
    const g = new Generator(1);
    const n = 100_000;
    let s = 0, s2 = 0, min = 1, max = 0;
    for (let i = 0; i < n; i++) {
      const u = g.random();
      s += u; s2 += u * u;
      min = Math.min(min, u); max = Math.max(max, u);
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    expect(Math.abs(s / n - 0.5)).toBeLessThan(0.005);
    expect(Math.abs(s2 / n - s ** 2 / n ** 2 - 1 / 12)).toBeLessThan(0.002);
    let m = 0, v = 0;
    for (let i = 0; i < n; i++) {
      const z = g.normal();
      m += z; v += z * z;
    }
    expect(Math.abs(m / n)).toBeLessThan(0.015);
    expect(Math.abs(Math.sqrt(v / n) - 1)).toBeLessThan(0.01);
  });

  it('permutation contains every index once', () => {
    const p = Array.from(new Generator(3).permutation(50)).sort((a, b) => a - b);
    expect(p).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(new Generator(3).randint(7)).toBeLessThan(7);
  });

  it('rejects bad seeds', () => {
    expect(() => new Generator(NaN)).toThrow(ValueError);
    expect(() => manualSeed(Infinity)).toThrow(/seed must be an integer with \|seed\| ≤ 2\^53 - 1, got Infinity/);
  });
});
