// The mnist step (784-512-512-10, batch 128, Adam) as the kernel calls Linear / ReLU /
// CrossEntropyLoss / Adam make, each timed separately: where a single-threaded step goes.
// With several .wasm files (default build/wasmnn.wasm), the builds run interleaved (A, B, A, B…)
// in one process, each on its own memory, and the table shows each part's median per build.
//   npm run build && flock /work/bench.lock node bench/mnist-profile.mjs [a.wasm [b.wasm …]] [--rounds 7]
import { instantiateWasm } from './lib/builds.mjs';
import { loadAverage } from './lib/machine.mjs';
import { median } from './lib/stats.mjs';

const argv = process.argv.slice(2);
const roundsAt = argv.indexOf('--rounds');
const rounds = roundsAt >= 0 ? Number(argv[roundsAt + 1]) : 7;
const files = argv.filter((a, i) => a.endsWith('.wasm') && argv[i - 1] !== '--rounds');
if (files.length === 0) files.push(new URL('../build/wasmnn.wasm', import.meta.url).pathname);

const B = 128, SIZES = [784, 512, 512, 10];

/** One build with its own memory and the step's buffers. */
function setup(file) {
  const k = instantiateWasm(file);
  let top = (k.heapBase() + 63) & ~63;
  const bufs = {};
  const alloc = (name, floats) => {
    const bytes = ((floats * 4 + 63) & ~63);
    const need = top + bytes - k.memory.buffer.byteLength;
    if (need > 0) k.memory.grow(Math.ceil(need / 65536));
    bufs[name] = top;
    top += bytes;
    return bufs[name];
  };
  const L = SIZES.length - 1;
  let nParams = 0;
  for (let l = 0; l < L; l++) nParams += SIZES[l] * SIZES[l + 1] + SIZES[l + 1];
  for (const name of ['param', 'grad', 'm', 'v']) alloc(name, nParams);
  let off = 0;
  const layers = [];
  for (let l = 0; l < L; l++) {
    const inF = SIZES[l], outF = SIZES[l + 1];
    const w = off, b = off + inF * outF;
    off = b + outF;
    layers.push({ inF, outF, w: bufs.param + 4 * w, b: bufs.param + 4 * b, dw: bufs.grad + 4 * w, db: bufs.grad + 4 * b,
      wT: alloc(`wT${l}`, inF * outF), y: alloc(`y${l}`, B * outF), dx: alloc(`dx${l}`, B * inF),
      act: alloc(`act${l}`, B * outF), dact: alloc(`dact${l}`, B * outF) });
  }
  const x = alloc('x', B * SIZES[0]), targets = alloc('t', B), dlogits = alloc('dl', B * SIZES[L]);
  let maxPack = 0;
  for (const l of layers) {
    for (const [m, n, kk] of [[B, l.outF, l.inF], [l.outF, l.inF, B], [B, l.inF, l.outF]]) maxPack = Math.max(maxPack, k.gemmPackSize(m, n, kk));
  }
  const pack = alloc('pack', Math.max(maxPack, 1));
  const f32 = new Float32Array(k.memory.buffer);
  let s = 7;
  const rnd = () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff) * 2 - 1;
  // PyTorch's initial weights (U(±1/√fan-in)); Adam's step below is tiny, so the network does not
  // memorise its one batch: the gradients stay as in real training (a memorised batch makes some
  // of them subnormal, and subnormal operands slow the GEMMs by tens of percent).
  for (const l of layers) {
    const bound = 1 / Math.sqrt(l.inF);
    for (let i = 0; i < l.inF * l.outF + l.outF; i++) f32[(l.w >> 2) + i] = rnd() * bound;
  }
  for (let i = 0; i < B * SIZES[0]; i++) f32[(x >> 2) + i] = rnd();
  for (let i = 0; i < B; i++) f32[(targets >> 2) + i] = i % 10;
  const pk = (m, n, kk) => (k.gemmPackSize(m, n, kk) ? pack : 0);
  // The parts of one step, in order (what the modules call).
  const parts = [['zeroGrad (fill)', () => k.fill(nParams, bufs.grad, 0)]];
  layers.forEach((l, i) => {
    const input = i === 0 ? x : layers[i - 1].act;
    // What ops.linearForward does: read W through B's strides when the product packs (builds
    // with gemmStrided), else transpose W first.
    const strided = k.gemmStrided && k.gemmPackSize(B, l.outF, l.inF) > 0;
    parts.push([`L${i + 1} transpose W`, strided ? () => {} : () => k.transpose(l.outF, l.inF, l.w, l.wT)]);
    parts.push([`L${i + 1} fwd GEMM ${B}×${l.outF}×${l.inF}`, strided
      ? () => k.gemmStrided(B, l.outF, l.inF, input, l.inF, 1, l.w, 1, l.inF, l.y, l.b, 0, pk(B, l.outF, l.inF))
      : () => k.gemm(B, l.outF, l.inF, input, l.inF, 1, l.wT, l.y, l.b, 0, pk(B, l.outF, l.inF))]);
    if (i < L - 1) parts.push([`L${i + 1} ReLU fwd`, () => k.reluForward(B * l.outF, l.y, l.act, 0, 0)]);
  });
  const last = layers[L - 1];
  // crossEntropyIndices (class-index.ts) replaced crossEntropyLoss; older builds have only the latter
  parts.push(['cross-entropy', k.crossEntropyIndices
    ? () => k.crossEntropyIndices(B, SIZES[L], last.y, targets, 0, 0, -100, 0, 1, 1, dlogits, 0)
    : () => k.crossEntropyLoss(B, SIZES[L], last.y, targets, dlogits, 1 / B)]);
  for (let i = L - 1; i >= 0; i--) {
    const l = layers[i];
    const input = i === 0 ? x : layers[i - 1].act;
    const dy = i === L - 1 ? dlogits : l.dact;
    if (i < L - 1) parts.push([`L${i + 1} ReLU bwd`, () => k.reluBackward(B * l.outF, l.y, l.act, layers[i + 1].dx, l.dact, 0, 0)]);
    parts.push([`L${i + 1} dW GEMM ${l.outF}×${l.inF}×${B}`, () => k.gemm(l.outF, l.inF, B, dy, 1, l.outF, input, l.dw, 0, 1, pk(l.outF, l.inF, B))]);
    parts.push([`L${i + 1} db column sums`, () => k.columnSums(B, l.outF, dy, l.db, 1)]);
    parts.push([`L${i + 1} dX GEMM ${B}×${l.inF}×${l.outF}`, () => k.gemm(B, l.inF, l.outF, dy, l.outF, 1, l.w, l.dx, 0, 0, pk(B, l.inF, l.outF))]);
  }
  parts.push(['Adam', () => k.adamStep(nParams, bufs.param, bufs.grad, bufs.m, bufs.v, 0, 1e-3, 0.9, 0.999, 1e-8, 0, 0, 0, 0, 1e-7, 0.5)]);
  return { parts, k, bufs, nParams };
}

const builds = files.map(setup);
const names = builds[0].parts.map(([n]) => n);
const times = builds.map(() => names.map(() => []));
const steps = builds.map(() => []);
const STEPS = 20;
for (let r = 0; r < rounds + 1; r++) {
  builds.forEach((b, bi) => {
    const acc = names.map(() => 0);
    const t0 = performance.now();
    for (let s = 0; s < STEPS; s++) {
      b.parts.forEach(([, fn], pi) => {
        const t = performance.now();
        fn();
        acc[pi] += performance.now() - t;
      });
    }
    const total = (performance.now() - t0) / STEPS;
    if (r > 0) { // the first round warms up
      acc.forEach((a, pi) => times[bi][pi].push(a / STEPS));
      steps[bi].push(total);
    }
  });
}
const label = (f) => f.split('/').slice(-2).join('/');
const rows = names.map((n, pi) => Object.fromEntries([['part', n], ...builds.map((_, bi) => [`${label(files[bi])} µs`, +(1000 * median(times[bi][pi])).toFixed(1)])]));
rows.push(Object.fromEntries([['part', 'whole step (ms)'], ...builds.map((_, bi) => [`${label(files[bi])} µs`, +median(steps[bi]).toFixed(3)])]));
const flops = 6 * B * (784 * 512 + 512 * 512 + 512 * 10);
rows.push(Object.fromEntries([['part', 'model GFLOP/s'], ...builds.map((_, bi) => [`${label(files[bi])} µs`, +(flops / median(steps[bi]) / 1e6).toFixed(1)])]));
console.table(rows);
console.log(`rounds ${rounds} × ${STEPS} steps; load: ${loadAverage()}`);
