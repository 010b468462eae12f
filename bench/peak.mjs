// Measures the SIMD128 ceiling on this machine (multiply+add, and relaxed FMA where supported):
// the denominator of every '% of ceiling' figure. Run: flock /work/bench.lock npm run bench -- --only peak
// (compare-builds.mjs and conv.mjs measure it again in their own run).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { measure, fmt } from './lib/stats.mjs';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));

function compile(source, out, features) {
  mkdirSync(here('./.build'), { recursive: true });
  execFileSync(process.execPath, [here('../node_modules/assemblyscript/bin/asc.js'), here(source), '-O3', '--runtime', 'stub',
    '--enable', features, '--use', 'abort=', '-o', here(out)], { stdio: 'pipe' });
  return readFileSync(here(out));
}

/** A function measuring the mul+add ceiling again (GFLOP/s) without recompiling: for interleaving with other timings. */
export function peakProbe() {
  const iterations = 500_000;
  const simd = new WebAssembly.Instance(new WebAssembly.Module(compile('./assembly/peak.ts', './.build/peak.wasm', 'simd'))).exports;
  return async (reps = 3) => (iterations * 10 * 4 * 2) / (await measure(() => simd.peak(iterations), { reps, targetMs: 50 })).median / 1e6;
}

export async function benchPeak({ reps }) {
  const rows = [];
  const iterations = 2_000_000;
  const flopsPerCall = iterations * 10 * 4 * 2;
  const simd = new WebAssembly.Instance(new WebAssembly.Module(compile('./assembly/peak.ts', './.build/peak.wasm', 'simd'))).exports;
  const m = await measure(() => simd.peak(iterations), { reps });
  rows.push({ ceiling: 'f32x4 mul + add, 10 accumulators (GEMM-like)', 'GFLOP/s': fmt(flopsPerCall / m.median / 1e6) });
  let relaxed = null;
  try {
    const bytes = compile('./assembly/peak.ts', './.build/peak-relaxed.wasm', 'simd,relaxed-simd');
    if (WebAssembly.validate(bytes)) relaxed = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports;
  } catch { /* the compiler or the engine lacks relaxed SIMD */ }
  if (relaxed) {
    const r = await measure(() => relaxed.peak(iterations), { reps });
    rows.push({ ceiling: 'f32x4 relaxed_madd (FMA), 10 accumulators', 'GFLOP/s': fmt(flopsPerCall / r.median / 1e6) });
  } else {
    rows.push({ ceiling: 'f32x4 relaxed_madd (FMA), 10 accumulators', 'GFLOP/s': 'not supported by this engine' });
  }
  return { rows, mulAddPeak: flopsPerCall / m.median / 1e6 };
}
