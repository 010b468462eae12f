// The SIMD128 arithmetic ceiling of this machine, for the benchmark tables, with the dependency
// structure of the GEMM micro-kernel: 10 independent accumulators, each acc += x·b, the multiply
// off the accumulator's critical path (b changes every iteration so nothing is hoisted), and few
// enough live vectors (10 + 4) to stay in x64's 16 SIMD registers (more spill and measure less).
// Relaxed-SIMD fused multiply-add (compiled only where the engine supports it).
// Compiled by bench/peak.mjs. FLOPs counted: 10 accumulators × 4 lanes × 2 per iteration.

export function peakFma(iterations: i32): f32 {
  const d = f32x4.splat(0.99999994);
  let b = f32x4.splat(1);
  const x0 = f32x4.splat(1.01), x1 = f32x4.splat(1.02);
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0), a4 = f32x4.splat(0), a5 = f32x4.splat(0), a6 = f32x4.splat(0), a7 = f32x4.splat(0), a8 = f32x4.splat(0), a9 = f32x4.splat(0);
  for (let i = 0; i < iterations; i++) {
    b = f32x4.mul(b, d);
    a0 = f32x4.relaxed_madd(x0, b, a0);
    a1 = f32x4.relaxed_madd(x1, b, a1);
    a2 = f32x4.relaxed_madd(x0, b, a2);
    a3 = f32x4.relaxed_madd(x1, b, a3);
    a4 = f32x4.relaxed_madd(x0, b, a4);
    a5 = f32x4.relaxed_madd(x1, b, a5);
    a6 = f32x4.relaxed_madd(x0, b, a6);
    a7 = f32x4.relaxed_madd(x1, b, a7);
    a8 = f32x4.relaxed_madd(x0, b, a8);
    a9 = f32x4.relaxed_madd(x1, b, a9);
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
