// Each pass of the LeNet convolutions (batch 64, one thread) as Conv2d runs it (the method of
// each build's convMethods), from two or more builds of wasmnn in one process, interleaved
// (build A, build B, A, B, … per pass), with the SIMD mul+add ceiling measured again in every
// round: GFLOP/s and % of the median ceiling per build, and the ratio to the first build.
// Usage: npm run build && cp -a dist /tmp/new-dist &&
//   flock /work/bench.lock node bench/conv-builds.mjs OLD_DIST NEW_DIST [--rounds 5] [--reps 3]
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { peakProbe } from './peak.mjs';
import { LENET_CONVS } from './conv.mjs';
import { loadAverage } from './lib/machine.mjs';
import { fmt, measure, median } from './lib/stats.mjs';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { rounds: { type: 'string' }, reps: { type: 'string' } } });
if (positionals.length < 2) throw new Error('usage: node bench/conv-builds.mjs OLD_DIST NEW_DIST [--rounds 5] [--reps 3]');
const rounds = Number(values.rounds ?? 5), reps = Number(values.reps ?? 3), batch = 64;
const builds = await Promise.all(positionals.map(async (dir) => ({ dir, lib: await import(pathToFileURL(resolve(dir, 'bench-internal.js')).href) })));

/** A TensorRef of `lib`'s memory filled with a fixed pseudo-random sequence. */
function ref(lib, n, seed) {
  const storage = new lib.Storage(Math.max(n, 1));
  const f32 = lib.runtime().allocator.f32();
  let s = seed;
  for (let i = 0; i < n; i++) f32[(storage.ptr() >> 2) + i] = ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff) * 2 - 1;
  return { _storage: storage, _offset: 0, size: n, shape: [n], _check() {} };
}

const probe = peakProbe();
const ceilings = [];
const cases = [];
for (const [label, C, O, KS, pad, hw] of LENET_CONVS) {
  const out = hw + 2 * pad - KS + 1, P = out * out, K = C * KS * KS, image = C * hw * hw;
  const g = { N: batch, C, H: hw, W: hw, O, KH: KS, KW: KS, SH: 1, SW: 1, PH: pad, PW: pad, DH: 1, DW: 1, OH: out, OW: out };
  for (const b of builds) {
    const L = b.lib;
    const [x, w, bias, y, dy, dw, db, dx, scratch] = [batch * image, O * K, O, batch * O * P, batch * O * P, O * K, O, batch * image, L.scratchSize(g)]
      .map((n, i) => ref(L, n, i + 1));
    const methods = L.convMethods(g);
    const passes = {
      forward: () => L.conv2dForward(x, w, bias, y, scratch, g),
      'input gradient': () => L.conv2dBackward(x, w, dy, null, null, dx, scratch, g),
      'weight + bias gradient': () => L.conv2dBackward(x, w, dy, dw, db, null, scratch, g),
    };
    const method = { forward: methods.forward, 'input gradient': methods.inputGrad, 'weight + bias gradient': methods.weightGrad };
    for (const [pass, fn] of Object.entries(passes)) cases.push({ label, pass, build: b.dir, method: method[pass], fn, flops: 2 * batch * O * P * K, times: [] });
  }
}
console.log(`load average ${loadAverage()}; LeNet convolutions, batch ${batch}, 1 thread; ${rounds} rounds`);
for (let round = 0; round < rounds; round++) {
  ceilings.push(await probe());
  for (const c of cases) c.times.push((await measure(c.fn, { reps, targetMs: 60 })).median);
}
const peak = median(ceilings);
console.log(`SIMD mul+add ceiling, median of the rounds: ${fmt(peak)} GFLOP/s (${ceilings.map((v) => fmt(v)).join(', ')})`);
const first = new Map();
console.table(cases.map((c) => {
  const ms = median(c.times), key = `${c.label} ${c.pass}`;
  if (!first.has(key)) first.set(key, ms);
  return {
    layer: c.label.split(' ')[0], pass: c.pass, build: c.build, method: c.method, 'ms (median)': fmt(ms), 'GFLOP/s': fmt(c.flops / ms / 1e6),
    '% of ceiling': fmt((100 * c.flops) / ms / 1e6 / peak, 2), 'speed-up vs first build': fmt(first.get(key) / ms),
  };
}));
console.log(`load average ${loadAverage()}`);
