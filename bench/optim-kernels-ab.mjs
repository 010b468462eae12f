// Interleaved A/B of the elementwise optimizer kernels (assembly/optimizers.ts) and the two clip
// kernels (reduce.ts scale, sumOfSquares: the do-while shape gave them nothing in round 4, so they
// stay for-loops and serve as controls) between two .wasm builds side by side, each on its own
// memory. First checks that both builds leave the same bits in every buffer (and return value)
// after 3 steps (n = 1 … 1428, every configuration below), then times 41 alternating rounds of 300
// calls per configuration: median and p10 in µs per call.
//   flock /work/bench.lock node bench/optim-kernels-ab.mjs OLD.wasm [NEW.wasm (default build/wasmnn.wasm)] [n (default 1428)]
import { instantiateWasm } from './lib/builds.mjs';
import { loadAverage } from './lib/machine.mjs';
import { quantile } from './lib/stats.mjs';

const [oldFile, newFile = new URL('../build/wasmnn.wasm', import.meta.url).pathname, nArg = '1428'] = process.argv.slice(2);
const builds = [oldFile, newFile].map(instantiateWasm);
const BASE = 1 << 20, N = 300, ROUNDS = 41, MAXN = Math.max(1428, +nArg);
for (const e of builds) e.memory.grow(Math.ceil((BASE + 5 * (MAXN + 8) * 4) / 65536) + 1);
const ptrs = [0, 1, 2, 3, 4].map((b) => BASE + b * (MAXN + 8) * 4);
/** Fills the five buffers: param/grad in [-1, 1), states in [0, 1) (second moments stay ≥ 0). */
function reset(k) {
  const f = new Float32Array(k.memory.buffer);
  for (let b = 0; b < 5; b++) for (let i = 0; i < MAXN + 8; i++) f[(ptrs[b] >> 2) + i] = b < 2 ? Math.sin(i * 7 + b) : (Math.sin(i * 3 + b) + 1) / 2;
}
const [P, G, B2, B3, B4] = ptrs;
const configs = [
  ['sgd plain', (k, n) => k.sgdStep(n, P, G, 0, 0.01, 0, 0, 0, 0, 0, 0)],
  ['sgd momentum', (k, n) => k.sgdStep(n, P, G, B2, 0.01, 0.9, 0, 0, 0, 0, 0)],
  ['sgd nesterov+wd', (k, n) => k.sgdStep(n, P, G, B2, 0.01, 0.9, 0, 1e-4, 1, 0, 0)],
  ['adamw (decoupled)', (k, n) => k.adamStep(n, P, G, B2, B3, 0, 1e-3, 0.9, 0.999, 1e-8, 0.01, 1, 0, 0, 1e-3, 0.5)],
  ['adagrad', (k, n) => k.adagradStep(n, P, G, B2, 0.01, 0, 1e-10, 0)],
  ['rmsprop plain', (k, n) => k.rmspropStep(n, P, G, B2, 0, 0, 0.01, 0.99, 1e-8, 0, 0, 0, 0)],
  ['rmsprop centered+mom', (k, n) => k.rmspropStep(n, P, G, B2, B3, B4, 0.01, 0.99, 1e-8, 0, 0.9, 1, 0)],
  ['scale (clip)', (k, n) => k.scale(n, G, 0.999999)],
  ['sumOfSquares (clip)', (k, n) => k.sumOfSquares(n, G)],
];
// Bit identity: same inputs, 3 steps, compare all five buffers (and 8 floats past n) old vs new.
let mismatches = 0;
for (const [name, fn] of configs) {
  for (const n of [1, 2, 3, 4, 5, 17, 33, 1023, 1428]) {
    const out = builds.map((k) => { reset(k); const r = []; for (let s = 0; s < 3; s++) r.push(fn(k, n)); return [...new Uint32Array(k.memory.buffer, BASE, 5 * (MAXN + 8)), ...new Uint32Array(new Float64Array(r.map(Number)).buffer)]; });
    const bad = out[0].findIndex((v, i) => v !== out[1][i]);
    if (bad >= 0) { mismatches++; console.log(`MISMATCH ${name} n=${n} at word ${bad}`); }
  }
}
console.log(`bit identity old vs new: ${mismatches === 0 ? 'all buffers equal' : `${mismatches} mismatches`}`);
const n = +nArg;
console.log(`optimizer kernels n=${n}, ${ROUNDS} interleaved rounds of ${N} calls; load average ${loadAverage(1)}`);
for (const [name, fn] of configs) {
  builds.forEach(reset);
  const ts = builds.map(() => []);
  for (let r = 0; r < ROUNDS; r++) {
    builds.forEach((k, b) => {
      const t = performance.now();
      for (let i = 0; i < N; i++) fn(k, n);
      ts[b].push(((performance.now() - t) / N) * 1000);
    });
  }
  const [a, b] = ts.map((t) => quantile(t, 0.5));
  const [a10, b10] = ts.map((t) => quantile(t, 0.1));
  console.log(`${name.padEnd(22)} median old ${a.toFixed(2).padStart(6)} µs  new ${b.toFixed(2).padStart(6)} µs  ${(a / b).toFixed(2)}×   (p10 ${a10.toFixed(2)} / ${b10.toFixed(2)})`);
}
console.log(`load average after: ${loadAverage(1)}`);
