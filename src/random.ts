import { ValueError } from './errors.js';
import { describe } from './validate.js';

/**
 * Natural log in plain float64 arithmetic (+ − × ÷ only), so it gives the same bits in every
 * JS engine; Math.log is allowed to differ between engines in the last bit.
 * x = m·2^e with m in [√½, √2); log m = 2·atanh(s), s = (m − 1)/(m + 1), by its series.
 */
function portableLog(x: number): number {
  let e = 0;
  let m = x;
  while (m >= Math.SQRT2) { m /= 2; e++; }
  while (m < Math.SQRT1_2) { m *= 2; e--; }
  const s = (m - 1) / (m + 1);
  const s2 = s * s;
  let term = s;
  let sum = 0;
  for (let k = 1; k < 40; k += 2) {
    sum += term / k;
    term *= s2;
  }
  return 2 * sum + e * 0.6931471805599453;
}

/**
 * A seeded pseudo-random generator (xoshiro128**, 32-bit integer arithmetic only), so the same
 * seed gives the same numbers in Node, browsers and every JS engine.
 */
export class Generator {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;

  constructor(seed = 0) {
    this.manualSeed(seed);
  }

  /** Re-seeds: any integer in the safe range ±(2⁵³ − 1); anything else is a ValueError. */
  manualSeed(seed: number): this {
    if (typeof seed !== 'number' || !Number.isSafeInteger(seed)) {
      throw new ValueError(`manualSeed: seed must be an integer with |seed| ≤ 2^53 - 1, got ${describe(seed)}`);
    }
    // SplitMix32 expands the seed into the four state words (never all zero).
    let x = Math.trunc(seed) >>> 0;
    let hi = Math.floor(Math.trunc(seed) / 2 ** 32) >>> 0;
    const next = (): number => {
      x = (x + 0x9e3779b9 + hi) >>> 0;
      hi = 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    return this;
  }

  /** @internal The four state words (to put a generator back after a rejected call). */
  _state(): [number, number, number, number] {
    return [this.s0, this.s1, this.s2, this.s3];
  }

  /** @internal Restores what _state() returned. */
  _setState(state: readonly [number, number, number, number]): void {
    [this.s0, this.s1, this.s2, this.s3] = state;
  }

  /** Next 32 random bits as an unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  random(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform in [low, high); low ≤ high, both finite. */
  uniform(low = 0, high = 1): number {
    if (!(typeof low === 'number' && typeof high === 'number' && Number.isFinite(high - low) && low <= high)) {
      throw new ValueError(`Generator.uniform: low and high must be finite numbers with low ≤ high, got low ${describe(low)}, high ${describe(high)}`);
    }
    return low + (high - low) * this.random();
  }

  /** Normal(mean, std) by the Marsaglia polar method with the portable log; std ≥ 0. */
  normal(mean = 0, std = 1): number {
    if (!(typeof mean === 'number' && typeof std === 'number' && Number.isFinite(mean) && Number.isFinite(std) && std >= 0)) {
      throw new ValueError(`Generator.normal: mean must be a finite number and std a finite number ≥ 0, got mean ${describe(mean)}, std ${describe(std)}`);
    }
    for (;;) {
      const u = 2 * this.random() - 1;
      const v = 2 * this.random() - 1;
      const s = u * u + v * v;
      if (s > 0 && s < 1) return mean + std * u * Math.sqrt((-2 * portableLog(s)) / s);
    }
  }

  /** Uniform integer in [0, n). */
  randint(n: number): number {
    if (!Number.isSafeInteger(n) || n <= 0) throw new ValueError(`Generator.randint: n must be a positive integer, got ${describe(n)}`);
    return Math.floor(this.random() * n);
  }

  /** A random permutation of 0..n-1 (Fisher–Yates), written into `out` when given. */
  permutation(n: number, out?: Int32Array | number[]): Int32Array | number[] {
    if (!Number.isSafeInteger(n) || n < 0 || n > 2 ** 31 - 1) {
      throw new ValueError(`Generator.permutation: n must be an integer in [0, 2^31 - 1], got ${describe(n)}`);
    }
    if (out === undefined) out = new Int32Array(n);
    else if (!(Array.isArray(out) || out instanceof Int32Array) || (out instanceof Int32Array && out.length < n)) {
      throw new ValueError(`Generator.permutation: out must be a number[] or an Int32Array of length ≥ ${n}, got ${describe(out)}`);
    }
    for (let i = 0; i < n; i++) out[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1));
      const tmp = out[i]!;
      out[i] = out[j]!;
      out[j] = tmp;
    }
    return out;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** The generator used when a function is not given one. */
export const defaultGenerator = new Generator(0);

/** Seeds the default generator (like torch.manual_seed): same seed, same initial weights. */
export function manualSeed(seed: number): Generator {
  return defaultGenerator.manualSeed(seed);
}
