// Interleaved A/B of the seed step's kernels (NETWORKS.seed shapes: 2-25-25-25-2, batch 100, and
// Adam over its 1 428 parameters) between two .wasm builds instantiated side by side, each on its
// own memory: 61 alternating rounds of 300 calls, the fastest tenth (p10, steadier under load).
//   flock /work/bench.lock node bench/seed-kernels-ab.mjs OLD.wasm [NEW.wasm (default build/wasmnn.wasm)]
import { instantiateWasm } from './lib/builds.mjs';
import { loadAverage } from './lib/machine.mjs';
import { quantile } from './lib/stats.mjs';

const [oldFile, newFile = new URL('../build/wasmnn.wasm', import.meta.url).pathname] = process.argv.slice(2);
const builds = [oldFile, newFile].map(instantiateWasm);
const BASE = 1 << 20, m = 100, N = 300, ROUNDS = 61;
for (const e of builds) {
  e.memory.grow(32);
  const f = new Float32Array(e.memory.buffer);
  for (let i = 0; i < 200000; i++) f[(BASE >> 2) + i] = Math.sin(i) / 2 + 0.5 * (i % 7 === 0); // finite, about half negative
}
let off = BASE;
const buf = (n) => { const p = off; off += (n + 8) * 4; return p; };
const S = BASE + 600000, calls = [];
for (const [inF, outF, relu] of [[2, 25, 1], [25, 25, 1], [25, 2, 0]]) {
  const X = buf(m * inF), W = buf(outF * inF), B = buf(outF), Z = buf(m * outF), Y = buf(m * outF), DY = buf(m * outF);
  const DZ = buf(m * outF), DX = buf(m * inF), DW = buf(outF * inF), DB = buf(outF);
  calls.push([`denseForward ${inF}->${outF}${relu ? '+ReLU' : ''}`, (k) => k.denseForward(m, outF, inF, X, W, B, Z, relu ? Y : 0, S)]);
  calls.push([`denseBackward ${inF}->${outF}${relu ? '+ReLU' : ''}`, (k) => k.denseBackward(m, outF, inF, X, W, DY, relu ? Z : 0, DZ, DW, DB, DX, S)]);
  // The first layer as a training step runs it (backwardParameters: no input gradient); not in the sum.
  if (inF === 2) calls.push([`  same, no dx (training)`, (k) => k.denseBackward(m, outF, inF, X, W, DY, relu ? Z : 0, DZ, DW, DB, 0, S)]);
}
{
  const P = buf(1428), G = buf(1428), M = buf(1428), V = buf(1428);
  // V (the second moment) must stay ≥ 0: start it from |values| by one step with β2 = 0.
  for (const k of builds) k.adamStep(1428, P, G, M, V, 0, 1e-3, 0.9, 0, 1e-8, 0, 0, 0, 0, 1e-3, 1);
  calls.push(['adamStep 1428', (k) => k.adamStep(1428, P, G, M, V, 0, 1e-3, 0.9, 0.999, 1e-8, 0, 0, 0, 0, 1e-3, 0.5)]);
}
console.log(`seed kernels, ${ROUNDS} interleaved rounds of ${N} calls, p10; load average ${loadAverage(1)}`);
let sumOld = 0, sumNew = 0;
for (const [name, fn] of calls) {
  const ts = builds.map(() => []);
  for (let r = 0; r < ROUNDS; r++) {
    builds.forEach((k, b) => {
      const t = performance.now();
      for (let i = 0; i < N; i++) fn(k);
      ts[b].push(((performance.now() - t) / N) * 1000);
    });
  }
  const [a, b] = ts.map((t) => quantile(t, 0.1));
  const times = name.includes('no dx') ? 0 : name.includes('25->25') ? 2 : 1; // two 25→25 layers in the step
  sumOld += times * a;
  sumNew += times * b;
  console.log(`${name.padEnd(26)} old ${a.toFixed(2).padStart(6)} µs  new ${b.toFixed(2).padStart(6)} µs  ${(a / b).toFixed(2)}×`);
}
console.log(`${'step sum (25→25 twice)'.padEnd(26)} old ${sumOld.toFixed(1).padStart(6)} µs  new ${sumNew.toFixed(1).padStart(6)} µs  ${(sumOld / sumNew).toFixed(2)}×`);
