// Interleaved A/B of adamStep over the seed network's 1 428 values between two .wasm builds, with
// normal moments and with the subnormal ones a dead ReLU unit's parameters keep in training (their
// gradient is 0: expAvg decays by β1 per step into float32's subnormal range and stays there).
// p10 of 41 alternating rounds of 100 calls; the state is reset before each round.
//   flock /work/bench.lock node bench/seed-adam-ab.mjs OLD.wasm [NEW.wasm (default build/wasmnn.wasm)]
import { instantiateWasm } from './lib/builds.mjs';
import { loadAverage } from './lib/machine.mjs';
import { quantile } from './lib/stats.mjs';

const [oldFile, newFile = new URL('../build/wasmnn.wasm', import.meta.url).pathname] = process.argv.slice(2);
const builds = [oldFile, newFile].map(instantiateWasm);
const N = 1428, BASE = 1 << 20, P = BASE, G = P + 8192, M = G + 8192, V = M + 8192;
for (const k of builds) k.memory.grow(32);
const cases = {
  'normal moments': [(i) => Math.sin(i) * 1e-3, (i) => Math.cos(i) * 1e-3, (i) => 1e-6 + i * 1e-9],
  'expAvg subnormal, grad 0': [() => 0, () => 1e-40, () => 1e-6],
  'both subnormal, grad 0': [() => 0, () => 1e-40, () => 1e-40],
};
console.log(`adamStep ${N} values, 41 interleaved rounds of 100 calls, p10; load average ${loadAverage(1)}`);
for (const [name, [g, m, v]] of Object.entries(cases)) {
  const ts = builds.map(() => []);
  for (let r = 0; r < 41; r++) {
    builds.forEach((k, b) => {
      const f = new Float32Array(k.memory.buffer);
      for (let i = 0; i < N; i++) { f[P / 4 + i] = Math.sin(i); f[G / 4 + i] = g(i); f[M / 4 + i] = m(i); f[V / 4 + i] = v(i); }
      const t = performance.now();
      for (let i = 0; i < 100; i++) k.adamStep(N, P, G, M, V, 0, 1e-3, 0.9, 0.999, 1e-8, 0, 0, 0, 0, 1e-3, 0.5);
      ts[b].push(((performance.now() - t) / 100) * 1000);
    });
  }
  const [a, b] = ts.map((t) => quantile(t, 0.1));
  console.log(`${name.padEnd(26)} old ${a.toFixed(2).padStart(5)} µs  new ${b.toFixed(2).padStart(5)} µs  ${(a / b).toFixed(2)}×`);
}
