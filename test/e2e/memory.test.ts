// Memory promises, measured with the allocator's own figures (not process RSS).
import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { Adam, CrossEntropyLoss, Generator, Linear, ReLU, Sequential, Tensor, disk, memoryStats } from '../../src/index.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

function setup(seed: number): { step: () => void; model: Sequential } {
  const g = new Generator(seed);
  const model = new Sequential(new Linear(2, 8, { generator: g }), new ReLU(), new Linear(8, 2, { generator: g }));
  const opt = new Adam(model.parameters(), { lr: 1e-2 });
  const loss = new CrossEntropyLoss();
  const { x, y } = disk(16, g);
  return {
    model,
    step: () => {
      opt.zeroGrad();
      loss.forward(model.forward(x), y);
      model.backward(loss.backward());
      opt.step();
    },
  };
}

describe('memory', () => {
  it('stays flat over 100 000 training steps', () => {
    const { step } = setup(1);
    for (let i = 0; i < 10; i++) step();
    const before = memoryStats();
    for (let i = 0; i < 100_000; i++) step();
    const after = memoryStats();
    expect(after.bytesInUse).toBe(before.bytesInUse);
    expect(after.blocksInUse).toBe(before.blocksInUse);
    expect(after.growCount).toBe(before.growCount);
  });

  it('returns to its baseline after 1000 models are created and disposed', async () => {
    const base = memoryStats().bytesInUse;
    for (let i = 0; i < 1000; i++) {
      const { model, step } = setup(i);
      step();
      model.dispose();
    }
    // The Adam/loss/data objects of each setup are freed by the FinalizationRegistry.
    for (let round = 0; round < 5 && memoryStats().bytesInUse > base; round++) {
      gc();
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(memoryStats().bytesInUse).toBeLessThanOrEqual(base);
  });

  it('frees models dropped without dispose once the garbage collector runs', async () => {
    const base = memoryStats().bytesInUse;
    for (let i = 0; i < 1000; i++) setup(i).step();
    const peak = memoryStats().bytesInUse;
    expect(peak).toBeGreaterThan(base);
    for (let round = 0; round < 5 && memoryStats().bytesInUse > base; round++) {
      gc();
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(memoryStats().bytesInUse).toBeLessThanOrEqual(base);
  });

  it('gives identical results when WASM memory grows in the middle of training', () => {
    const run = (forceGrowth: boolean): number[] => {
      const { model, step } = setup(42);
      for (let i = 0; i < 100; i++) {
        if (forceGrowth && i === 50) {
          const grows = memoryStats().growCount;
          const big = Tensor.zeros([memoryStats().memoryBytes / 4 + 1024]); // larger than all memory: must grow
          expect(memoryStats().growCount).toBeGreaterThan(grows);
          big.dispose();
        }
        step();
      }
      return model.parameters().flatMap((p) => Array.from(p.toFloat32Array()));
    };
    expect(run(true)).toEqual(run(false));
  });
});
