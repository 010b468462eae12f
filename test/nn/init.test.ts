import { describe, expect, it } from 'vitest';
import { Generator, Tensor, nn, ShapeError, ValueError } from '../../src/index.js';

function stats(t: Tensor): { mean: number; std: number; min: number; max: number } {
  const d = Array.from(t.toFloat32Array());
  const mean = d.reduce((a, b) => a + b, 0) / d.length;
  const std = Math.sqrt(d.reduce((a, b) => a + (b - mean) ** 2, 0) / d.length);
  return { mean, std, min: Math.min(...d), max: Math.max(...d) };
}

describe('nn.init', () => {
  it('calculateGain follows PyTorch', () => {
    expect(nn.init.calculateGain('relu')).toBeCloseTo(Math.SQRT2, 12);
    expect(nn.init.calculateGain('tanh')).toBeCloseTo(5 / 3, 12);
    expect(nn.init.calculateGain('leaky_relu', 0.2)).toBeCloseTo(Math.sqrt(2 / 1.04), 12);
    expect(nn.init.calculateGain('sigmoid')).toBe(1);
    expect(() => nn.init.calculateGain('swish' as never)).toThrow(/nonlinearity must be one of/);
  });

  // 200×500 = 100 000 draws: the sample std is within 1% of the target with overwhelming probability.
  it('kaimingNormal (He) has std √2/√fanIn; kaimingUniform is bounded by √6/√fanIn', () => {
    const t = Tensor.zeros([200, 500]);
    nn.init.kaimingNormal(t, { nonlinearity: 'relu', generator: new Generator(1) });
    const s = stats(t);
    expect(Math.abs(s.std / Math.sqrt(2 / 500) - 1)).toBeLessThan(0.01);
    expect(Math.abs(s.mean)).toBeLessThan(0.002);
    nn.init.kaimingUniform(t, { nonlinearity: 'relu', generator: new Generator(2) });
    const u = stats(t);
    const bound = Math.sqrt(6 / 500);
    expect(u.max).toBeLessThanOrEqual(bound);
    expect(u.min).toBeGreaterThanOrEqual(-bound);
    expect(Math.abs(u.std / (bound / Math.sqrt(3)) - 1)).toBeLessThan(0.01);
    nn.init.kaimingNormal(t, { mode: 'fanOut', generator: new Generator(3) });
    expect(Math.abs(stats(t).std / Math.sqrt(2 / 200) - 1)).toBeLessThan(0.01);
  });

  it('xavier (Glorot) uses fanIn + fanOut', () => {
    const t = Tensor.zeros([200, 500]);
    nn.init.xavierNormal(t, { gain: 2, generator: new Generator(4) });
    expect(Math.abs(stats(t).std / (2 * Math.sqrt(2 / 700)) - 1)).toBeLessThan(0.01);
    nn.init.xavierUniform(t, { generator: new Generator(5) });
    expect(stats(t).max).toBeLessThanOrEqual(Math.sqrt(6 / 700));
  });

  it('uniform, normal, constant', () => {
    const t = Tensor.zeros([100, 100]);
    nn.init.uniform(t, 2, 3, new Generator(6));
    const u = stats(t);
    expect(u.min).toBeGreaterThanOrEqual(2);
    expect(u.max).toBeLessThan(3);
    nn.init.normal(t, 5, 0.5, new Generator(7));
    expect(Math.abs(stats(t).mean - 5)).toBeLessThan(0.02);
    nn.init.constant(t, 1.5);
    expect(stats(t).std).toBe(0);
    expect(() => nn.init.uniform(t, 3, 2)).toThrow(ValueError);
    expect(() => nn.init.normal(t, 0, -1)).toThrow(/std must be ≥ 0/);
  });

  it('needs 2-D tensors for fan-based schemes and rejects unknown options', () => {
    expect(() => nn.init.kaimingUniform(Tensor.zeros([5]))).toThrow(ShapeError);
    expect(() => nn.init.kaimingUniform(Tensor.zeros([5, 5]), { mode: 'fan_inn' as never })).toThrow(/mode must be one of/);
    expect(() => nn.init.xavierUniform(Tensor.zeros([5, 5]), { gian: 1 } as never)).toThrow(/unknown option 'gian'/);
  });
});

// The initialisations the classic reports used, through the public API (the command's --init
// schemes are tested in test/cli/options.test.ts).
describe('nn.init: the reports\' schemes', () => {
  it("report 001's Listing 2.1 std √(2/((1+a²)·fanIn)), a = √(6/(fanIn+fanOut)), is kaimingNormal with that a as leaky-ReLU slope", () => {
    const t = Tensor.zeros([300, 400]);
    const a = Math.sqrt(6 / (400 + 300));
    nn.init.kaimingNormal(t, { nonlinearity: 'leaky_relu', a, generator: new Generator(11) });
    const s = stats(t);
    expect(Math.abs(s.std / Math.sqrt(2 / ((1 + a * a) * 400)) - 1)).toBeLessThan(0.01);
    expect(Math.abs(s.mean)).toBeLessThan(0.001);
  });

  it('xavierUniform is bounded by gain·√(6/(fanIn+fanOut)) with std bound/√3; seeded draws repeat', () => {
    const t = Tensor.zeros([300, 400]);
    const gain = nn.init.calculateGain('tanh');
    nn.init.xavierUniform(t, { gain, generator: new Generator(5) });
    const s = stats(t);
    const bound = gain * Math.sqrt(6 / 700);
    expect(s.max).toBeLessThanOrEqual(bound);
    expect(s.min).toBeGreaterThanOrEqual(-bound);
    expect(s.max).toBeGreaterThan(0.99 * bound);
    expect(Math.abs(s.std / (bound / Math.sqrt(3)) - 1)).toBeLessThan(0.01);
    const again = Tensor.zeros([300, 400]);
    nn.init.xavierUniform(again, { gain, generator: new Generator(5) });
    expect(Array.from(again.toFloat32Array())).toEqual(Array.from(t.toFloat32Array()));
  });
});
