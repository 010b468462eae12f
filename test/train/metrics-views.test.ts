// The class readers behind accuracy / fit / evaluate keep one view of their buffer across calls
// (no typed array per batch): it must be re-made when WASM memory grows (the old view detaches)
// or the buffer is re-allocated for a larger batch — the counts stay right either way.
import { describe, expect, it } from 'vitest';
import { Tensor, accuracy, confusionMatrix, memoryStats } from '../../src/index.js';

/** Logits [n, 3] whose argmax is row % 3, and labels that agree on every row but every fourth. */
function data(n: number): { out: Tensor; y: Tensor; correct: number } {
  const out = Tensor.from(Array.from({ length: n * 3 }, (_, i) => (i % 3 === Math.floor(i / 3) % 3 ? 1 : 0)), [n, 3]);
  const labels = Array.from({ length: n }, (_, r) => (r % 4 === 0 ? (r + 1) % 3 : r % 3));
  return { out, y: Tensor.from(labels), correct: labels.filter((l, r) => l === r % 3).length };
}

describe('class readers across memory growth', () => {
  it('count right after memory grows and after a larger batch', () => {
    const small = data(10);
    expect(accuracy(small.out, small.y)).toBeCloseTo(small.correct / 10, 12);
    const grows = memoryStats().growCount;
    const big = Tensor.zeros([64 * 1024 * 1024 / 4]); // 64 MB: memory grows, earlier views detach
    expect(memoryStats().growCount).toBeGreaterThan(grows);
    expect(accuracy(small.out, small.y)).toBeCloseTo(small.correct / 10, 12);
    const large = data(5000); // the readers' buffers are re-allocated
    expect(accuracy(large.out, large.y)).toBeCloseTo(large.correct / 5000, 12);
    expect(confusionMatrix(small.out, small.y, 3).flat().reduce((a, b) => a + b, 0)).toBe(10);
    expect(accuracy(small.out, small.y)).toBeCloseTo(small.correct / 10, 12);
    big.dispose();
  });
});
