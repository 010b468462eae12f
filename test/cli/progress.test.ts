// Progress output: bar lines fit an 80-column terminal; plain lines come at least every 2 s.
import { describe, expect, it } from 'vitest';
import { barLayout, compact, epochRate, figures, plainLines } from '../../src/cli/progress.js';

describe('progress', () => {
  it('a full bar line fits 80 columns with loss, accuracy and ETA', () => {
    for (const epochs of [10, 3000, 1_000_000]) {
      const { format, barsize } = barLayout(80, 'round 10/10', epochs);
      const line = format.replace('{bar}', '█'.repeat(barsize)).replace('{value}', String(epochs)).replace('{total}', String(epochs))
        .replace('{loss}', compact(2e9)).replace('{figures}', figures({ epoch: 1, loss: 1, accuracy: 0.987, valAccuracy: 0.975, lr: 0.1, seconds: 1 }))
        .replace('{eta_formatted}', '1h23m');
      expect(line.length, line).toBeLessThanOrEqual(79);
      expect(line).toMatch(/loss 2\.00e\+9 acc 0\.987 val 0\.975 ETA 1h23m/);
    }
  });

  it('regression epochs show R², not accuracy', () => {
    expect(figures({ epoch: 1, loss: 1, mae: 1, rmse: 2, r2: 0.91234, valR2: 0.9, lr: 0.1, seconds: 1 })).toBe('R² 0.912 val 0.900');
  });

  it('plain lines: every 10 % of the epochs, and whenever 2 s passed', () => {
    let clock = 0;
    const lines: string[] = [];
    const p = plainLines(1000, 'training', (l) => lines.push(l), () => clock);
    for (let e = 1; e <= 30; e++) {
      clock += e === 20 ? 2500 : 10; // epoch 20 took 2.5 s
      p.epoch({ epoch: e, loss: 0.5, accuracy: 0.9, lr: 0.1, seconds: 0.01 });
    }
    expect(lines.map((l) => Number(/epoch (\d+)\//.exec(l)![1]))).toEqual([1, 20]);
    for (let e = 31; e <= 100; e++) p.epoch({ epoch: e, loss: 0.5, accuracy: 0.9, lr: 0.1, seconds: 0.01 });
    expect(lines.at(-1)).toMatch(/epoch 100\/1000/);
  });

  it('slow epochs show their rate, not 0 epochs/s', () => {
    expect(epochRate(0.3612)).toBe('0.36');
    expect(epochRate(2.5)).toBe('2.5');
    expect(epochRate(123.4)).toBe('123');
    const lines: string[] = [];
    let clock = 0;
    const p = plainLines(20, 'training', (l) => lines.push(l), () => clock);
    clock = 2750; // one epoch in 2.75 s
    p.epoch({ epoch: 1, loss: 0.5, accuracy: 0.9, lr: 0.1, seconds: 2.75 });
    expect(lines[0]).toMatch(/ 0\.36 epochs\/s /);
  });
});
