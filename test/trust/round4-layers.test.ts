// Round 4 probes of the layers owned by trust (Dropout, BatchNorm, LayerNorm, Flatten): a
// forward refused for lack of memory must not move the generator, and must not leave a new shape
// beside the old mask (backward then read the old, smaller mask for the new gradient).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BatchNorm1d, BatchNorm2d, Dropout, Generator, LayerNorm, OutOfMemoryError, StateError } from '../../src/index.js';
import { seededData as data, failAllocationAt, grads, rejects, state } from '../helpers/trust.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('round 4: Dropout under OutOfMemoryError', () => {
  for (const failAt of [1, 2]) { // the mask, the output
    it(`a forward whose allocation ${failAt} is refused leaves the generator unmoved and backward refused; the layer works afterwards`, () => {
      const g = new Generator(4), d = new Dropout(0.5, { generator: g });
      d.forward(data([2, 3], 1)); // small workspaces
      const keys = [d._key0, d._key1];
      const reference = new Generator(4);
      reference.nextUint32();
      reference.nextUint32();
      const big = data([40, 30], 2);
      failAllocationAt(failAt);
      rejects(() => d.forward(big), OutOfMemoryError, /^Dropout( mask|\.forward): cannot allocate/);
      vi.restoreAllMocks();
      expect([d._key0, d._key1]).toEqual(keys);
      rejects(() => d.backward(data([40, 30], 3)), StateError, /Dropout\.backward: called before forward\(\)/);
      // The generator is where it was: the next mask is the one a never-refused layer draws.
      const twin = new Dropout(0.5, { generator: reference });
      const x = data([40, 30], 2);
      const y = Array.from(d.forward(x).toFloat32Array());
      expect(y).toEqual(Array.from(twin.forward(x).toFloat32Array()));
      expect(Array.from(d.backward(data([40, 30], 3)).toFloat32Array())).toEqual(Array.from(twin.backward(data([40, 30], 3)).toFloat32Array()));
    });
  }
});

describe('round 4: BatchNorm and LayerNorm under OutOfMemoryError', () => {
  const cases = [
    ['BatchNorm1d', () => new BatchNorm1d(3), [4, 3], [12, 3]],
    ['BatchNorm1d (N, C, L)', () => new BatchNorm1d(3), [4, 3, 2], [12, 3, 5]],
    ['BatchNorm2d', () => new BatchNorm2d(2), [3, 2, 2, 2], [6, 2, 5, 5]],
    ['LayerNorm', () => new LayerNorm([2, 3]), [4, 2, 3], [12, 2, 3]],
  ] as const;
  for (const [name, make, small, big] of cases) {
    it(`${name}: every refused allocation of a larger forward or backward leaves running statistics and gradients as they were`, () => {
      let refused = 0;
      for (let failAt = 1; failAt <= 12; failAt++) {
        const m = make(), twin = make();
        for (const layer of [m, twin]) {
          layer.forward(data([...small], 1));
          layer.backward(data([...small], 2));
        }
        const x = data([...big], 3), dy = data([...big], 4);
        const before = { s: state(m), g: grads(m) };
        failAllocationAt(failAt);
        let error: unknown = null;
        try {
          m.forward(x);
          m.backward(dy);
        } catch (e) {
          error = e;
        }
        vi.restoreAllMocks();
        if (error === null) break;
        refused++;
        expect(error).toBeInstanceOf(OutOfMemoryError);
        const { s, g } = { s: state(m), g: grads(m) };
        // A forward refused: nothing changed. A backward refused: the forward's statistics stay (it succeeded), no gradient moved.
        twin.forward(x);
        expect(g, `allocation ${failAt}: ${(error as Error).message}`).toEqual(before.g);
        expect([before.s, state(twin)], `allocation ${failAt}: ${(error as Error).message}`).toContainEqual(s);
        m.forward(x);
        m.backward(dy);
        twin.forward(x);
        twin.backward(dy);
        expect(grads(m)).toEqual(grads(twin));
      }
      expect(refused).toBeGreaterThan(0);
    });
  }
});
