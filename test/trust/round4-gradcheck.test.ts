// Round 4 probes of gradcheck's options: a step below float32's resolution (every numeric
// gradient was 0/0 = NaN, reported as a failed check of a correct layer), and `parameters` given
// something that is not a boolean (a truthy string checked the parameters anyway).
import { describe, expect, it } from 'vitest';
import { Generator, Linear, Tensor, ValueError, gradcheck } from '../../src/index.js';
import { rejects, values, grads } from '../helpers/trust.js';

const x = Tensor.from([[0.3, -0.7, 0.2]]);

describe('round 4: gradcheck options', () => {
  it('eps below 2^-23 is a ValueError naming eps (it reported a correct Linear as wrong, with NaN numeric gradients)', () => {
    const layer = new Linear(3, 2, { generator: new Generator(1) });
    const before = { v: values(layer), g: grads(layer) };
    for (const eps of [1e-30, 1e-10, 1e-8]) {
      rejects(() => gradcheck(layer, x, { eps }), ValueError, /^gradcheck: eps must be ≥ 1\.1920928955078125e-7/);
    }
    expect({ v: values(layer), g: grads(layer) }).toEqual(before);
    expect(gradcheck(layer, x, { eps: 2 ** -23, atol: 1, rtol: 1 }).worst?.numeric).not.toBeNaN();
    expect(gradcheck(layer, x).ok).toBe(true);
  });

  it('parameters must be a boolean', () => {
    const layer = new Linear(3, 2, { generator: new Generator(1) });
    for (const parameters of ['no', 0, 1, {}]) {
      rejects(() => gradcheck(layer, x, { parameters } as never), ValueError, /^gradcheck: parameters must be true or false, got /);
    }
    expect(gradcheck(layer, x, { parameters: false }).checked).toBe(3);
  });
});
