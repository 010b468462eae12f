// Round 4 probes of the layers owned by trust (Dropout, BatchNorm, LayerNorm, Flatten): a
// forward refused for lack of memory must not move the generator, and must not leave a new shape
// beside the old mask (backward then read the old, smaller mask for the new gradient).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Dropout, Generator, OutOfMemoryError, StateError } from '../../src/index.js';
import { seededData as data, failAllocationAt, rejects } from '../helpers/trust.js';

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
