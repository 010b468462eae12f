// GEMM products of the benchmark networks from several WASM builds, interleaved in one process
// (each build on its own memory, the same inputs), GFLOP/s per build; the outputs of every
// build are first checked bit-identical with the first one's ("MISMATCH" lines otherwise).
// A build is e.g. build/wasmnn.wasm copied aside before a change. Env MIN=1: best round instead of
// the median; ROUNDS=n (default 9).
//   flock /work/bench.lock node bench/gemm-builds.mjs OLD.wasm build/wasmnn.wasm
import { instantiateWasm } from './lib/builds.mjs';
import { loadAverage } from './lib/machine.mjs';
import { median, msPerCall } from './lib/stats.mjs';
const files = process.argv.slice(2).filter((a) => a.endsWith('.wasm'));
const shapes = [
  ['fwd L1 128x512x784', 128, 512, 784, 'nn'], ['dX L1 128x784x512', 128, 784, 512, 'nn'], ['dW L1 512x784x128', 512, 784, 128, 'tn'],
  ['fwd L2 128x512x512', 128, 512, 512, 'nn'], ['dW L2 512x512x128', 512, 512, 128, 'tn'],
  ['fwd L3 128x10x512', 128, 10, 512, 'nn'], ['mid 64x128x64', 64, 128, 64, 'nn'], ['mid 64x128x128', 64, 128, 128, 'nn'], ['mid dW 128x128x64', 128, 128, 64, 'tn'],
  ['mid 64x10x128', 64, 10, 128, 'nn'], ['seed 100x25x25', 100, 25, 25, 'nn'], ['64^3', 64, 64, 64, 'nn'], ['32^3', 32, 32, 32, 'nn'],
  ['conv1 fwd 8x784x25', 8, 784, 25, 'nn'], ['conv1 dW 8x25x784', 8, 25, 784, 'nn'], ['conv1 dX 25x784x6', 25, 784, 6, 'tn'],
  ['conv2 fwd 16x100x150', 16, 100, 150, 'nn'], ['conv2 dW 16x150x100', 16, 150, 100, 'nn'], ['conv2 dX 150x100x16', 150, 100, 16, 'tn'], ['dX L3 128x512x10', 128, 512, 10, 'nn'], ['dW L3 10x512x128', 10, 512, 128, 'tn'],
];
function setup(f) {
  const k = instantiateWasm(f);
  k.memory.grow(200);
  const base = (k.heapBase() + 63) & ~63;
  const f32 = new Float32Array(k.memory.buffer);
  for (let i = 0; i < 3_000_000; i++) f32[(base >> 2) + i] = Math.sin(i);
  return { k, a: base, b: base + 4 * 600_000, c: base + 4 * 1_200_000, pack: base + 4 * 1_800_000 };
}
const builds = files.map(setup);
// bit-identity check against the first build
for (const [name, m, n, kk, kind] of shapes) {
  const outs = builds.map((b) => {
    const { k } = b;
    new Float32Array(k.memory.buffer, b.c, m * n).fill(0.5);
    const pk = k.gemmPackSize(m, n, kk) ? b.pack : 0;
    if (kind === 'nn') k.gemm(m, n, kk, b.a, kk, 1, b.b, b.c, 0, 0, pk); else k.gemm(m, n, kk, b.a, 1, m, b.b, b.c, 0, 1, pk);
    return new Uint32Array(k.memory.buffer, b.c, m * n).slice();
  });
  outs.forEach((o, i) => { if (o.some((v, j) => v !== outs[0][j])) console.log('MISMATCH', name, files[i]); });
}
const res = builds.map(() => shapes.map(() => []));
const ROUNDS = +(process.env.ROUNDS ?? 9);
for (let r = 0; r < ROUNDS; r++) for (const [si, [, m, n, kk, kind]] of shapes.entries()) builds.forEach((b, bi) => {
  const { k } = b;
  const pk = k.gemmPackSize(m, n, kk) ? b.pack : 0;
  const run = kind === 'nn' ? () => k.gemm(m, n, kk, b.a, kk, 1, b.b, b.c, 0, 0, pk) : () => k.gemm(m, n, kk, b.a, 1, m, b.b, b.c, 0, 1, pk);
  run();
  const reps = Math.max(3, Math.round(1e8 / (m * n * kk)));
  res[bi][si].push(msPerCall(run, reps));
});
const med = process.env.MIN ? (a) => Math.min(...a) : median;
console.table(shapes.map(([name, m, n, kk], si) => Object.fromEntries([['shape', name], ...builds.map((_, bi) => [files[bi].split('/').pop(), +(2 * m * n * kk / med(res[bi][si]) / 1e6).toFixed(1)])])));
console.log('GFLOP/s; load', loadAverage());
