// CrossEntropyLoss and NLLLoss on class indices, and CrossEntropyLoss on probabilities with
// weights / smoothing, over a batch of several row chunks (for class indices the batch-wide D
// first, then the chunks summed in order, split across threads when worth it): the same bits —
// value, gradient and D — on 1 to 4 threads, for every option.
import { afterAll, describe, expect, it } from 'vitest';
import { CrossEntropyLoss, NLLLoss, Tensor, init, type Loss } from '../../src/index.js';
import { setParallelThreshold } from '../../src/backend/parallel.js';
import { runtime } from '../../src/backend/runtime.js';

const ROWS = 5000, COLS = 7; // 35000 elements: three chunks of 2340 rows
const X = Float32Array.from({ length: ROWS * COLS }, (_, i) => Math.sin(i * 0.61) * 6);
const Y = Array.from({ length: ROWS }, (_, r) => (r % 9 === 4 ? -100 : (r * 5) % COLS));
const P = Float32Array.from({ length: ROWS * COLS }, (_, i) => (Math.cos(i * 0.3) + 1.1) / (2.1 * COLS));
const W = [1, 2, 0.5, 0, 3, 1, 1];
const CASES: Array<{ make: () => Loss; y: 'indices' | 'probabilities' }> = [
  { make: () => new CrossEntropyLoss(), y: 'indices' },
  { make: () => new CrossEntropyLoss({ weight: W }), y: 'indices' },
  { make: () => new CrossEntropyLoss({ labelSmoothing: 0.2 }), y: 'indices' },
  { make: () => new CrossEntropyLoss({ weight: W, labelSmoothing: 0.1, reduction: 'sum' }), y: 'indices' },
  { make: () => new NLLLoss(), y: 'indices' },
  { make: () => new NLLLoss({ weight: W, reduction: 'sum' }), y: 'indices' },
  { make: () => new CrossEntropyLoss({ weight: W, labelSmoothing: 0.1 }), y: 'probabilities' },
];

/** Value, D and gradient of every case. */
function run(): Array<{ value: number; counted: number; grad: Float32Array }> {
  const x = Tensor.from(X, [ROWS, COLS]), p = Tensor.from(P, [ROWS, COLS]);
  return CASES.map((c) => {
    const loss = c.make();
    const value = loss.forward(x, c.y === 'indices' ? Y : p);
    const result = { value, counted: loss._counted, grad: loss.backward().toFloat32Array() };
    loss.dispose();
    return result;
  });
}

describe('class-index losses and weighted probability cross-entropy over several chunks', () => {
  afterAll(async () => {
    setParallelThreshold();
    await init({ threads: 1 });
  });

  it('gives the same bits on 1, 2, 3 and 4 threads', async () => {
    await init({ threads: 1 });
    const one = run();
    expect(one[0]!.counted).toBe(Y.filter((y) => y !== -100).length);
    for (const threads of [2, 3, 4]) {
      await init({ threads });
      setParallelThreshold(0);
      expect(runtime().pool?.threads ?? 1).toBe(threads);
      const many = run();
      many.forEach((r, i) => {
        expect(r.value, `case ${i}, ${threads} threads`).toBe(one[i]!.value);
        expect(r.counted).toBe(one[i]!.counted);
        expect(r.grad).toEqual(one[i]!.grad);
      });
    }
  });
});
