import { describe, expect, it } from 'vitest';
import { EarlyStopping, ValueError } from '../../src/index.js';

const log = (epoch: number, loss: number) => ({ epoch, loss, accuracy: 0, lr: 0.1, seconds: 0 });

describe('EarlyStopping every', () => {
  it('applies the rule only after epochs that are multiples of `every` (report 001 checked every 100)', () => {
    const stop = new EarlyStopping({ monitor: 'loss', target: 0.005, patience: 1000, every: 100 }, false);
    expect(stop.update(log(37, 0.001))).toBeNull(); // reached, but not a checking epoch
    expect(stop.update(log(99, 0.001))).toBeNull();
    expect(stop.update(log(100, 0.006))).toBeNull();
    expect(stop.update(log(200, 0.004))).toBe('target-reached');
  });

  it('counts patience in checks and validates every', () => {
    const stop = new EarlyStopping({ monitor: 'loss', patience: 1, every: 10 }, false);
    expect(stop.update(log(10, 1))).toBeNull();
    expect(stop.update(log(15, 5))).toBeNull();
    expect(stop.update(log(20, 2))).toBeNull();
    expect(stop.update(log(30, 2))).toBe('early-stopping');
    expect(() => new EarlyStopping({ every: 0 }, false)).toThrow(ValueError);
    expect(() => new EarlyStopping({ every: 2.5 }, false)).toThrow(/every must be an integer/);
  });
});
