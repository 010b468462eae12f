// The SIMD128 arithmetic ceiling of this machine, for the benchmark tables, with the dependency
// structure of the GEMM micro-kernel: 10 independent accumulators, each acc += x·b, the multiply
// off the accumulator's critical path (b changes every iteration so nothing is hoisted), and few
// enough live vectors (10 + 4) to stay in x64's 16 SIMD registers (more spill and measure less).
// Compiled twice by bench/peak.mjs: with `--enable simd` the step is a multiply then an add; with
// `--enable simd,relaxed-simd` (ASC_FEATURE_RELAXED_SIMD) it is one relaxed fused multiply-add.
// FLOPs counted: 10 accumulators × 4 lanes × 2 per iteration.

// @ts-ignore: decorator
@inline function step(acc: v128, x: v128, b: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(x, b, acc);
  return f32x4.add(acc, f32x4.mul(x, b));
}

export function peak(iterations: i32): f32 {
  const d = f32x4.splat(0.99999994);
  let b = f32x4.splat(1);
  const x0 = f32x4.splat(1.01), x1 = f32x4.splat(1.02);
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0), a4 = f32x4.splat(0), a5 = f32x4.splat(0), a6 = f32x4.splat(0), a7 = f32x4.splat(0), a8 = f32x4.splat(0), a9 = f32x4.splat(0);
  for (let i = 0; i < iterations; i++) {
    b = f32x4.mul(b, d);
    a0 = step(a0, x0, b);
    a1 = step(a1, x1, b);
    a2 = step(a2, x0, b);
    a3 = step(a3, x1, b);
    a4 = step(a4, x0, b);
    a5 = step(a5, x1, b);
    a6 = step(a6, x0, b);
    a7 = step(a7, x1, b);
    a8 = step(a8, x0, b);
    a9 = step(a9, x1, b);
  }
  let s = f32x4.splat(0);
  s = f32x4.add(s, a0);
  s = f32x4.add(s, a1);
  s = f32x4.add(s, a2);
  s = f32x4.add(s, a3);
  s = f32x4.add(s, a4);
  s = f32x4.add(s, a5);
  s = f32x4.add(s, a6);
  s = f32x4.add(s, a7);
  s = f32x4.add(s, a8);
  s = f32x4.add(s, a9);
  return f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1) + f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3);
}
