// How close the seed network's 25-wide layers (2-25-25-25-2, batch 100) run to the arithmetic
// ceiling, and what the 25th column costs: the SIMD ceiling (bench/assembly/peak.ts) and the
// small-path kernels denseForward / denseBackward (with the ReLU) at 100 rows, interleaved in
// many short rounds, fastest tenth (p10) of each. Rows:
//   - 25→25 forward and backward: % of the ceiling in useful arithmetic (2·m·n·k per product) and
//     in performed arithmetic (C rows padded to whole 4-lane vectors: 25 columns cost 28);
//   - the same products at 24 and 28 columns (every lane useful): what 25 costs against 24 is
//     the padding the 4-lane vectors leave; 28 performs the same arithmetic as 25.
//   flock /work/bench.lock node bench/seed-layers.mjs [WASM (default build/wasmnn.wasm)] [--rounds 81]
import { parseArgs } from 'node:util';
import { instantiateWasm } from './lib/builds.mjs';
import { loadAverage } from './lib/machine.mjs';
import { quantile } from './lib/stats.mjs';
import { peakProbe } from './peak.mjs';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { rounds: { type: 'string' } } });
const file = positionals[0] ?? new URL('../build/wasmnn.wasm', import.meta.url).pathname;
const ROUNDS = Number(values.rounds ?? 81), CALLS = 300, m = 100;
const k = instantiateWasm(file);
k.memory.grow(32);
const BASE = 1 << 20;
const f = new Float32Array(k.memory.buffer);
for (let i = 0; i < 200000; i++) f[(BASE >> 2) + i] = Math.sin(i) / 2 + 0.5 * (i % 7 === 0); // finite, about half negative
let off = BASE;
const buf = (n) => { const p = off; off += (n + 8) * 4; return p; };
const scratch = BASE + 600000;
const up4 = (n) => (n + 3) & ~3;

// [name, run, useful FLOP, performed FLOP]
const rows = [];
for (const [inF, outF] of [[25, 25], [24, 24], [28, 28]]) {
  const X = buf(m * inF), W = buf(outF * inF), B = buf(outF), Z = buf(m * outF), Y = buf(m * outF), DY = buf(m * outF);
  const DZ = buf(m * outF), DX = buf(m * inF), DW = buf(outF * inF), DB = buf(outF);
  const mac = m * inF * outF;
  // Forward: z [m, out] (rows of `out` columns). Backward: dW [out, in] and dx [m, in] (rows of `in`).
  rows.push([`forward ${inF}->${outF}+ReLU`, () => k.denseForward(m, outF, inF, X, W, B, Z, Y, scratch), 2 * mac, 2 * m * inF * up4(outF)]);
  rows.push([`backward ${inF}->${outF}+ReLU`, () => k.denseBackward(m, outF, inF, X, W, DY, Z, DZ, DW, DB, DX, scratch), 4 * mac, 4 * m * outF * up4(inF)]);
}
const probe = peakProbe();
const ceiling = [], times = rows.map(() => []);
for (let r = 0; r < ROUNDS; r++) {
  ceiling.push(await probe(1));
  rows.forEach(([, run], i) => {
    const t = performance.now();
    for (let c = 0; c < CALLS; c++) run();
    times[i].push(((performance.now() - t) / CALLS) * 1000);
  });
}
const peak = quantile(ceiling, 0.9); // the fastest tenth of the ceiling's rounds, as the kernels' p10
console.log(`seed layers, ${ROUNDS} interleaved rounds of ${CALLS} calls, p10; load average ${loadAverage(1)}; ${file}`);
console.log(`SIMD ceiling (mul + add): ${peak.toFixed(1)} GFLOP/s`);
rows.forEach(([name, , useful, performed], i) => {
  const us = quantile(times[i], 0.1), gflops = useful / us / 1000;
  console.log(`${name.padEnd(24)} ${us.toFixed(2).padStart(6)} µs  ${gflops.toFixed(1).padStart(5)} GFLOP/s  ` +
    `${((100 * gflops) / peak).toFixed(0).padStart(3)} % of the ceiling useful, ${((100 * performed) / us / 1000 / peak).toFixed(0).padStart(3)} % performed`);
});
