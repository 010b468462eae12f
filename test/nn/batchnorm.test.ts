// BatchNorm1d / BatchNorm2d: batch statistics in training (biased variance to normalise,
// unbiased for running_var), running statistics in eval, buffers in the state dict with torch's
// names and dtypes, backward against finite differences, validation and repr.
import { describe, expect, it } from 'vitest';
import { BatchNorm1d, BatchNorm2d, ShapeError, Tensor, ValueError, gradcheck, loadModel, saveModel } from '../../src/index.js';
import { expectClose, randomArray } from '../helpers/heap.js';

const rand = (shape: number[], seed: number, low = -1, high = 1): Tensor => Tensor.from(randomArray(shape.reduce((a, b) => a * b, 1), seed, low, high), shape);

/** Per-channel mean and biased variance of [N, C, L] data, float64. */
function stats(x: Float32Array, N: number, C: number, L: number): { mean: number[]; variance: number[] } {
  const mean: number[] = [], variance: number[] = [];
  for (let c = 0; c < C; c++) {
    const v: number[] = [];
    for (let n = 0; n < N; n++) for (let l = 0; l < L; l++) v.push(x[(n * C + c) * L + l]!);
    const m = v.reduce((a, b) => a + b, 0) / v.length;
    mean.push(m);
    variance.push(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length);
  }
  return { mean, variance };
}

describe('BatchNorm', () => {
  it('training: normalises with the batch statistics and updates the running ones (torch rule)', () => {
    const [N, C, H, W] = [3, 2, 4, 5];
    const bn = new BatchNorm2d(C, { momentum: 0.3 });
    bn.weight!.set([2, 0.5]);
    bn.bias!.set([1, -1]);
    const x = rand([N, C, H, W], 1, -2, 4);
    const y = bn.forward(x).toFloat32Array();
    const { mean, variance } = stats(x.toFloat32Array(), N, C, H * W);
    const want = Array.from(x.toFloat32Array(), (v, i) => {
      const c = Math.floor(i / (H * W)) % C;
      return ((v - mean[c]!) / Math.sqrt(variance[c]! + 1e-5)) * [2, 0.5][c]! + [1, -1][c]!;
    });
    expectClose(y, want, { rtol: 1e-5, atol: 1e-5 }, 'y');
    const M = N * H * W;
    expectClose(bn.runningMean!.toFloat32Array(), mean.map((m) => 0.3 * m), { rtol: 1e-5, atol: 1e-7 }, 'running mean');
    expectClose(bn.runningVar!.toFloat32Array(), variance.map((v) => 0.7 + 0.3 * v * M / (M - 1)), { rtol: 1e-5 }, 'running var');
    expect(bn.numBatchesTracked!.item()).toBe(1);
  });

  it('eval: uses the running statistics and leaves them alone; trackRunningStats false always uses the batch', () => {
    const bn = new BatchNorm1d(3);
    bn.runningMean!.set([1, 2, 3]);
    bn.runningVar!.set([4, 1, 0.25]);
    bn.eval();
    const x = rand([4, 3], 2);
    const y = bn.forward(x).toFloat32Array();
    expectClose(y, Array.from(x.toFloat32Array(), (v, i) => (v - [1, 2, 3][i % 3]!) / Math.sqrt([4, 1, 0.25][i % 3]! + 1e-5)), { rtol: 1e-5, atol: 1e-6 }, 'eval');
    expect(Array.from(bn.runningMean!.toFloat32Array())).toEqual([1, 2, 3]);
    expect(bn.numBatchesTracked!.item()).toBe(0);
    const free = new BatchNorm1d(3, { trackRunningStats: false }).eval();
    expect(free.namedBuffers()).toEqual([]);
    const yb = free.forward(x).toFloat32Array();
    const { mean, variance } = stats(x.toFloat32Array(), 4, 3, 1);
    expectClose(yb, Array.from(x.toFloat32Array(), (v, i) => (v - mean[i % 3]!) / Math.sqrt(variance[i % 3]! + 1e-5)), { rtol: 1e-5, atol: 1e-5 }, 'batch stats');
  });

  it('momentum null: cumulative average over num_batches_tracked', () => {
    const bn = new BatchNorm1d(2, { momentum: null });
    const a = rand([5, 2], 3), b = rand([5, 2], 4);
    bn.forward(a);
    bn.forward(b);
    const ma = stats(a.toFloat32Array(), 5, 2, 1).mean, mb = stats(b.toFloat32Array(), 5, 2, 1).mean;
    expectClose(bn.runningMean!.toFloat32Array(), ma.map((m, c) => (m + mb[c]!) / 2), { rtol: 1e-5, atol: 1e-7 }, 'cumulative');
    expect(bn.numBatchesTracked!.item()).toBe(2);
  });

  it.each([
    ['BatchNorm2d train', () => new BatchNorm2d(3), [2, 3, 4, 3]],
    ['BatchNorm2d eval', () => { const m = new BatchNorm2d(3); m.runningVar!.set([0.5, 2, 1]); return m.eval(); }, [2, 3, 2, 2]],
    ['BatchNorm1d [N, C]', () => new BatchNorm1d(4), [5, 4]],
    ['BatchNorm1d [N, C, L]', () => new BatchNorm1d(4, { affine: false }), [3, 4, 2]],
    ['BatchNorm2d 1×1 images', () => new BatchNorm2d(2), [3, 2, 1, 1]],
  ] as const)('%s: backward matches finite differences, and gradcheck restores the running statistics', (_name, make, shape) => {
    const bn = make();
    const before = bn.stateDict();
    const r = gradcheck(bn, rand([...shape], 5, -2, 2));
    expect(r.ok, JSON.stringify(r.worst)).toBe(true);
    expect(bn.stateDict()).toEqual(before);
  });

  it('state dict: weight, bias, running_mean, running_var, num_batches_tracked (I64), through saved files', () => {
    const bn = new BatchNorm2d(2);
    bn.forward(rand([2, 2, 3, 3], 6));
    const dict = bn.stateDict();
    expect(Object.keys(dict)).toEqual(['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked']);
    expect(dict.num_batches_tracked).toEqual({ shape: [], data: new Float32Array([1]), dtype: 'I64' });
    const copy = new BatchNorm2d(2);
    loadModel(copy, saveModel(bn));
    expect(copy.stateDict()).toEqual(dict);
    expect(() => copy.loadStateDict({ ...dict, num_batches_tracked: { shape: [], data: [1.5] } })).toThrow(/expected an integer/);
    // A negative variance or count would give NaN outputs in eval mode: refused, naming key and index.
    expect(() => copy.loadStateDict({ ...dict, running_var: { shape: [2], data: [1, -0.5] } })).toThrow(/'running_var' has -0.5 at index 1; it must be ≥ 0/);
    expect(() => copy.loadStateDict({ ...dict, num_batches_tracked: { shape: [], data: [-3] } })).toThrow(/'num_batches_tracked' has -3 at index 0/);
    const { running_var: _omit, ...missing } = dict;
    expect(() => copy.loadStateDict(missing)).toThrow(/missing keys 'running_var'/);
    expect(copy.stateDict()).toEqual(dict);
  });

  it('validates arguments and inputs; repr and config as torch', () => {
    const B = BatchNorm2d as unknown as new (...a: unknown[]) => BatchNorm2d;
    for (const bad of [null, NaN, 1.5, -1, 0, 1e39]) expect(() => new B(bad)).toThrow(ValueError);
    expect(() => new B(3, { eps: 0 })).toThrow(/eps must be > 0/);
    expect(() => new B(3, { momentum: 2 })).toThrow(/momentum must be ≤ 1/);
    expect(() => new B(3, { affine: 1 })).toThrow(/affine must be true or false/);
    expect(() => new B(3, { track_running_stats: false })).toThrow(/unknown option/);
    const bn = new BatchNorm2d(3);
    expect(() => bn.forward(Tensor.zeros([2, 3, 4]))).toThrow(/BatchNorm2d.forward: input must have shape \[N, 3, H, W\].*got \[2, 3, 4\]/);
    expect(() => bn.forward(Tensor.zeros([2, 4, 4, 4]))).toThrow(ShapeError);
    expect(() => bn.forward(Tensor.zeros([1, 3, 1, 1]))).toThrow(/more than 1 value per channel/);
    expect(bn.numBatchesTracked!.item()).toBe(0);
    bn.eval();
    expect(bn.forward(Tensor.zeros([1, 3, 1, 1])).shape).toEqual([1, 3, 1, 1]);
    expect(() => new BatchNorm1d(3).forward(Tensor.zeros([2, 3, 4, 5]))).toThrow(/\[N, 3\] or \[N, 3, L\]/);
    expect(bn.toString()).toBe('BatchNorm2d(3, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)');
    const other = new BatchNorm1d(4, { eps: 0.001, momentum: null, affine: false, trackRunningStats: false });
    expect(other.toString()).toBe('BatchNorm1d(4, eps=0.001, momentum=None, affine=False, track_running_stats=False)');
    expect(new BatchNorm1d(...other.toConfig().args).toString()).toBe(other.toString());
  });
});
