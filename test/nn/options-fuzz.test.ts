// Fuzzed torch options through the public constructors (fast-check): pooling's ceilMode,
// dilation, countIncludePad and divisorOverride, Conv2d's 'same' / 'valid', and the class-index
// losses' weight / ignoreIndex / labelSmoothing. Every call works (documented shape, finite
// output and gradient) or throws a WasmnnError; never a trap, a TypeError or garbage.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AvgPool2d, Conv2d, CrossEntropyLoss, MaxPool2d, NLLLoss, Tensor } from '../../src/index.js';
import { cleanly, exercise } from '../helpers/fuzz.js';

const size = fc.oneof(fc.integer({ min: -1, max: 6 }), fc.constantFrom(1.5, NaN, null, 1e39, 2 ** 31));
const pair = fc.oneof(size, fc.tuple(size, size));
const dims = fc.array(fc.integer({ min: 0, max: 8 }), { minLength: 4, maxLength: 4 });
const flag = fc.oneof(fc.boolean(), fc.constantFrom(undefined, 1, 'yes'));

describe('torch options under fuzzed arguments', () => {
  it('MaxPool2d (ceilMode, dilation) and AvgPool2d (ceilMode, countIncludePad, divisorOverride)', () => {
    fc.assert(fc.property(fc.boolean(), pair, fc.option(pair, { nil: undefined }), pair, pair, flag, flag,
      fc.option(fc.oneof(fc.integer({ min: -2, max: 9 }), fc.constantFrom(0.5, NaN)), { nil: undefined }), dims,
      (max, k, stride, padding, dilation, ceilMode, countIncludePad, divisorOverride, shape) => {
        cleanly(() => {
          const m = max
            ? new MaxPool2d(k as number, { stride: stride as number, padding: padding as number, dilation: dilation as number, ceilMode: ceilMode as boolean })
            : new AvgPool2d(k as number, { stride: stride as number, padding: padding as number, ceilMode: ceilMode as boolean,
              countIncludePad: countIncludePad as boolean, divisorOverride: divisorOverride as number });
          exercise(m, shape);
        });
      }), { numRuns: 300 });
  });

  it("Conv2d padding 'same' / 'valid'", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 3 }), pair, fc.constantFrom('same', 'valid', 'full', 1), pair, pair, dims,
      (c, k, padding, stride, dilation, shape) => {
        cleanly(() => exercise(new Conv2d(c, 2, k as number, { padding: padding as 'same', stride: stride as number, dilation: dilation as number }),
          [shape[0]!, c, shape[2]!, shape[3]!]));
      }), { numRuns: 200 });
  });

  it('NLLLoss / CrossEntropyLoss with weight, ignoreIndex, labelSmoothing', () => {
    const weight = fc.oneof(fc.constant(undefined), fc.array(fc.oneof(fc.float({ min: 0, max: 3, noNaN: true }), fc.constantFrom(-1, NaN, 1e39)), { maxLength: 5 }));
    fc.assert(fc.property(fc.boolean(), weight, fc.option(fc.integer({ min: -101, max: 4 }), { nil: undefined }),
      fc.option(fc.oneof(fc.float({ min: 0, max: 1, noNaN: true }), fc.constantFrom(-0.5, 2, NaN)), { nil: undefined }),
      fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 5 }), fc.array(fc.integer({ min: -101, max: 5 }), { minLength: 1, maxLength: 5 }),
      (nll, w, ignoreIndex, labelSmoothing, rows, classes, targets) => {
        cleanly(() => {
          const loss = nll ? new NLLLoss({ weight: w, ignoreIndex }) : new CrossEntropyLoss({ weight: w, ignoreIndex, labelSmoothing });
          const x = Tensor.from(Array.from({ length: rows * classes }, (_, i) => -Math.abs(Math.cos(i))), [rows, classes]);
          try {
            const value = loss.forward(x, targets.slice(0, rows));
            expect(Number.isFinite(value)).toBe(true);
            expect(loss.backward().toFloat32Array().every(Number.isFinite)).toBe(true);
          } finally {
            x.dispose();
            loss.dispose();
          }
        });
      }), { numRuns: 300 });
  });
});
