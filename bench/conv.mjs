// Convolution kernels on the LeNet layers (batch 64), through src/backend/ops-conv.ts as Conv2d
// runs them: forward, input gradient and weight gradient (+ bias gradient) each by every method
// (direct = conv-direct.ts, pixels = conv-pixels.ts for the forward, gemm = im2col + the packed GEMM), interleaved in rounds so a change of
// load hits both, in GFLOP/s and % of the SIMD mul+add ceiling measured in the same run; the
// pure-TS reference forward for scale. `node bench/conv.mjs` runs it alone (after a build).
import { Storage, conv2dBackward, conv2dForward, convMethods, runtime, scratchSize, setConvMethod } from '../dist/bench-internal.js';
import { loadAverage } from './lib/machine.mjs';
import { measure, median, fmt } from './lib/stats.mjs';

/** The LeNet convolutions: [label, inChannels, outChannels, kernel, padding, H]. */
export const LENET_CONVS = [
  ['conv1 1→6 5×5 pad 2, 28×28', 1, 6, 5, 2, 28],
  ['conv2 6→16 5×5, 14×14', 6, 16, 5, 0, 14],
];

/** The methods measured for a pass (ops-conv.ts's ConvMethod; the 'pixels' weight gradient needs OW % 4 = 0). */
const methodsOf = (pass, g) => (pass !== 'weightGrad' || g.OW % 4 === 0 ? ['direct', 'pixels', 'gemm'] : ['direct', 'gemm']);

/** A TensorRef over fresh storage filled with a fixed pseudo-random sequence. */
function ref(n, seed = 1) {
  const storage = new Storage(Math.max(n, 1));
  const f32 = runtime().allocator.f32();
  let s = seed;
  for (let i = 0; i < n; i++) f32[(storage.ptr() >> 2) + i] = ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff) * 2 - 1;
  return { _storage: storage, _offset: 0, size: n, shape: [n], _check() {} };
}

/**
 * `peak`: the ceiling measured before (GFLOP/s); `probe` (peak.mjs's peakProbe), when given, measures
 * it again in every round, between the passes, and the percentages use the median of those.
 */
export async function benchConv({ reps, peak, probe = null, batch = 64, rounds = 3 }) {
  const rt = runtime();
  const ceilings = [];
  const rows = [];
  for (const [label, C, O, KS, pad, hw] of LENET_CONVS) {
    const out = hw + 2 * pad - KS + 1, P = out * out, K = C * KS * KS, image = C * hw * hw;
    const g = { N: batch, C, H: hw, W: hw, O, KH: KS, KW: KS, SH: 1, SW: 1, PH: pad, PW: pad, DH: 1, DW: 1, OH: out, OW: out };
    const [x, w, b, y, dy, dw, db, dx, scratch] = [batch * image, O * K, O, batch * O * P, batch * O * P, O * K, O, batch * image, scratchSize(g)].map((n, i) => ref(n, i + 1));
    const passes = {
      forward: () => conv2dForward(x, w, b, y, scratch, g),
      inputGrad: () => conv2dBackward(x, w, dy, null, null, dx, scratch, g),
      weightGrad: () => conv2dBackward(x, w, dy, dw, db, null, scratch, g),
    };
    const names = { forward: 'forward', inputGrad: 'input gradient', weightGrad: 'weight + bias gradient' };
    const rule = convMethods(g);
    const flops = 2 * batch * O * P * K;
    const times = {};
    for (let round = 0; round < rounds; round++) {
      if (probe) ceilings.push(await probe());
      for (const pass of Object.keys(passes)) {
        for (const method of methodsOf(pass, g)) {
          setConvMethod(method);
          const m = await measure(passes[pass], { reps, targetMs: 100 });
          (times[`${pass} ${method}`] ??= []).push(m.median);
        }
      }
    }
    setConvMethod(null);
    if (probe) peak = median(ceilings);
    for (const pass of Object.keys(passes)) {
      for (const method of methodsOf(pass, g)) {
        const ms = median(times[`${pass} ${method}`]);
        rows.push({
          layer: label, pass: names[pass], method: method + (rule[pass] === method ? ' (Conv2d)' : ''), 'ms (median)': fmt(ms),
          'GFLOP/s': fmt(flops / ms / 1e6), '% of SIMD mul+add ceiling': fmt((100 * flops) / ms / 1e6 / peak, 2),
        });
      }
    }
    const p = (t) => t._storage.ptr();
    const r0 = await measure(() => {
      rt.reference.convPackWeights(O, C, KS, KS, p(w), p(scratch), Math.ceil(O / 4) * 4, 0);
      rt.reference.conv2dDirectImages(0, batch, C, hw, hw, O, KS, KS, 1, 1, pad, pad, 1, 1, out, out, p(x), p(scratch), 0, p(y), Math.ceil(O / 4) * 4, 0);
    }, { reps: 1, warmup: 0 });
    rows.push({ layer: label, pass: 'forward', method: 'pure-TS reference', 'ms (median)': fmt(r0.median), 'GFLOP/s': fmt(flops / r0.median / 1e6),
      '% of SIMD mul+add ceiling': fmt((100 * flops) / r0.median / 1e6 / peak, 2) });
    for (const t of [x, w, b, y, dy, dw, db, dx, scratch]) t._storage.release();
  }
  return { rows, peak };
}

/**
 * The CNN half of a LeNet-5 step (batch 64) through the public API, layer by layer: forward and
 * forward + backward of each layer this round added, in ms (the full step, with the dense layers,
 * loss and optimizer, is in the train-step benchmark).
 */
export async function benchLenetLayers({ reps, batch = 64 }) {
  const { Conv2d, BatchNorm2d, MaxPool2d, ReLU, Tensor, Generator } = await import('../dist/index.js');
  const g = new Generator(1);
  const layers = [
    ['Conv2d(1, 6, 5, padding 2)', new Conv2d(1, 6, 5, { padding: 2, generator: g }), [batch, 1, 28, 28]],
    ['BatchNorm2d(6)', new BatchNorm2d(6), [batch, 6, 28, 28]],
    ['ReLU', new ReLU(), [batch, 6, 28, 28]],
    ['MaxPool2d(2)', new MaxPool2d(2), [batch, 6, 28, 28]],
    ['Conv2d(6, 16, 5)', new Conv2d(6, 16, 5, { generator: g }), [batch, 6, 14, 14]],
    ['BatchNorm2d(16)', new BatchNorm2d(16), [batch, 16, 10, 10]],
    ['ReLU', new ReLU(), [batch, 16, 10, 10]],
    ['MaxPool2d(2)', new MaxPool2d(2), [batch, 16, 10, 10]],
  ];
  const rows = [];
  let total = 0;
  for (const [label, layer, shape] of layers) {
    const n = shape.reduce((a, b) => a * b, 1);
    const x = Tensor.from(Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37)), shape);
    const y = layer.forward(x);
    const dy = Tensor.from(Float32Array.from({ length: y.size }, (_, i) => Math.cos(i * 0.11)), y.shape);
    const f = await measure(() => layer.forward(x), { reps });
    const fb = await measure(() => { layer.forward(x); layer.backward(dy); }, { reps });
    total += fb.median;
    rows.push({ layer: label, input: `[${shape.join(', ')}]`, 'forward ms': fmt(f.median), 'forward + backward ms': fmt(fb.median) });
    layer.dispose();
    x.dispose();
    dy.dispose();
  }
  rows.push({ layer: 'total (CNN part of a LeNet step)', input: '', 'forward ms': '', 'forward + backward ms': fmt(total) });
  return rows;
}

// Run directly: npm run build && flock /work/bench.lock node bench/conv.mjs [--reps N]
if (import.meta.url === `file://${process.argv[1]}`) {
  const { peakProbe } = await import('./peak.mjs');
  const reps = process.argv.includes('--reps') ? Number(process.argv[process.argv.indexOf('--reps') + 1]) : 5;
  console.log(`load average ${loadAverage(1)}`);
  const probe = peakProbe();
  const { rows, peak } = await benchConv({ reps, peak: await probe(), probe, rounds: 5 });
  console.log(`SIMD mul+add ceiling, median of the rounds: ${fmt(peak)} GFLOP/s`);
  console.table(rows);
  console.log(`load average ${loadAverage(1)}`);
}
