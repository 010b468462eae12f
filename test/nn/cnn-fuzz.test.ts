// Fuzzed shapes and hyper-parameters through the public constructors of the CNN layers
// (fast-check): every construction and call either works — output of the documented shape,
// finite for finite input, backward of the input's shape — or throws a WasmnnError with a
// message; never a WASM trap, a TypeError or garbage.
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { AdaptiveAvgPool2d, AvgPool2d, BatchNorm1d, BatchNorm2d, Conv2d, Dropout, Flatten, LayerNorm, LogSoftmax, MaxPool2d } from '../../src/index.js';
import { cleanly, exercise } from '../helpers/fuzz.js';

const size = fc.oneof(fc.integer({ min: -1, max: 6 }), fc.constantFrom(1.5, NaN, null, 1e39, 2 ** 31));
const pair = fc.oneof(size, fc.tuple(size, size), fc.array(size, { maxLength: 3 }));
const small = fc.integer({ min: 1, max: 4 });

describe('CNN layers under fuzzed arguments', () => {
  it('Conv2d (with groups)', () => {
    fc.assert(fc.property(small, small, pair, pair, pair, pair, fc.oneof(small, size), fc.array(fc.integer({ min: 0, max: 7 }), { minLength: 2, maxLength: 5 }),
      (cin, cout, k, stride, padding, dilation, groups, dims) => {
        cleanly(() => exercise(new Conv2d(cin, cout, k as number, { stride: stride as number, padding: padding as number, dilation: dilation as number, groups: groups as number }),
          [dims[0]!, cin, ...dims.slice(1)]));
      }), { numRuns: 200 });
  });

  it('MaxPool2d and AvgPool2d', () => {
    fc.assert(fc.property(fc.boolean(), pair, fc.option(pair, { nil: undefined }), pair, fc.array(fc.integer({ min: 0, max: 7 }), { minLength: 2, maxLength: 5 }),
      (max, k, stride, padding, dims) => {
        const Pool = max ? MaxPool2d : AvgPool2d;
        cleanly(() => exercise(new Pool(k as number, { stride: stride as number | undefined, padding: padding as number }), dims));
      }), { numRuns: 200 });
  });

  it('AdaptiveAvgPool2d', () => {
    fc.assert(fc.property(fc.oneof(size, fc.tuple(fc.oneof(size, fc.constant(null)), fc.oneof(size, fc.constant(null))), pair),
      fc.array(fc.integer({ min: 0, max: 7 }), { minLength: 2, maxLength: 5 }),
      (outputSize, dims) => {
        cleanly(() => exercise(new AdaptiveAvgPool2d(outputSize as number), dims));
      }), { numRuns: 200 });
  });

  it('BatchNorm1d, BatchNorm2d and LayerNorm', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 }), size, fc.boolean(), fc.boolean(), fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 5 }),
      (kind, features, train, affine, dims) => {
        cleanly(() => {
          const m = kind === 0 ? new BatchNorm1d(features as number, { affine }) : kind === 1 ? new BatchNorm2d(features as number, { affine })
            : new LayerNorm(features as number, { elementwiseAffine: affine });
          m.train(train);
          exercise(m, dims);
        });
      }), { numRuns: 200 });
  });

  it('Dropout, Flatten and LogSoftmax', () => {
    const dim = fc.oneof(fc.integer({ min: -6, max: 6 }), fc.constantFrom(1.5, NaN, null, 1e39, -(2 ** 31)));
    const p = fc.oneof(fc.double({ min: -0.5, max: 1.5, noNaN: true }), fc.constantFrom(0, 1, NaN, null, 1e39, -Infinity));
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 }), p, dim, dim, fc.boolean(), fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 0, maxLength: 5 }),
      (kind, prob, a, b, train, dims) => {
        cleanly(() => {
          const m = kind === 0 ? new Dropout(prob as number) : kind === 1 ? new Flatten(a as number, b as number) : new LogSoftmax(a as number);
          m.train(train);
          exercise(m, dims);
        });
      }), { numRuns: 300 });
  });
});
