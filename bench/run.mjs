// `npm run bench` — every benchmark family in one run, each printed as one table, with the SIMD
// ceiling measured on this machine beside them (bench/README.md lists every script, including the
// one-off comparisons that run alone). Flags:
//   --quick            small sizes, 2 repetitions (CI runs this to prove the suite works)
//   --only NAME,…      families: peak, gemm, conv, elementwise, train, lenet, allocator, threads (thread scaling and hand-off cost)
//   --threads 1,2,…    thread counts of the scaling table (default 1…cores, at least 1,2)
//   --browser          only the browser benchmark: Chromium, wasmnn and TF.js-wasm's threaded SIMD
//                      build, each on 1 and N threads, on mid and mnist (N = the last --threads
//                      value, default 2; --reps = rounds, default 7)
//   --networks a,b     training networks: seed, mid, mnist, wide (default all; quick: seed, mid)
//   --reps N           repetitions per measurement (default 7)
//   --no-tf            leave out the TensorFlow.js peers
//   --json FILE        also write all rows as JSON
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { benchPeak } from './peak.mjs';
import { loadAverage } from './lib/machine.mjs';
import { benchElementwise, benchGemm } from './kernels.mjs';
import { benchTrainStep } from './train-step.mjs';
import { benchAllocator } from './allocator.mjs';
import { benchLenetStep } from './lenet-step.mjs';
import { benchConv, benchLenetLayers } from './conv.mjs';
import { benchHandoff, benchThreadScaling } from './threads.mjs';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean' }, only: { type: 'string' }, networks: { type: 'string' },
    reps: { type: 'string' }, 'no-tf': { type: 'boolean' }, json: { type: 'string' }, threads: { type: 'string' }, browser: { type: 'boolean' },
  },
});
const quick = Boolean(values.quick);
const reps = values.reps ? Number(values.reps) : quick ? 2 : 7;
const only = new Set((values.only ?? 'peak,gemm,conv,elementwise,train,lenet,allocator,threads').split(','));
const cores = os.availableParallelism?.() ?? os.cpus().length;
const threadCounts = values.threads ? values.threads.split(',').map(Number) : Array.from({ length: Math.max(2, cores) }, (_, i) => i + 1);
const networks = (values.networks ?? (quick ? 'seed,mid' : 'seed,mid,mnist,wide')).split(',');

if (values.browser) {
  const { benchBrowser } = await import('./browser.mjs');
  const t = values.threads ? Number(values.threads.split(',').pop()) : 2;
  const nets = values.networks ? networks : quick ? ['mid'] : ['mid', 'mnist'];
  console.log(`wasmnn browser benchmark — ${new Date().toISOString().slice(0, 10)}, ${os.cpus()[0]?.model ?? 'unknown CPU'}, ` +
    `${os.cpus().length} cores, load average ${loadAverage(1)}`);
  const started = Date.now();
  const result = await benchBrowser({ networks: nets, reps: quick ? 2 : Math.max(3, reps), threads: t, targetMs: quick ? 30 : 300, warmup: quick ? 1 : 3 });
  console.log(result.pages[0].userAgent);
  for (const p of result.pages) {
    console.log(`page with ${p.page} thread(s): crossOriginIsolated ${p.crossOriginIsolated}, navigator.hardwareConcurrency ${p.hardwareConcurrency}; ` +
      `TF.js wasm binary ${p.tf.binary}, setThreadsCount(${p.tf.requested}) → getThreadsCount() ${p.tf.threads} (SIMD ${p.tf.simd}, multithread ${p.tf.multithread}); ` +
      `wasmnn init → ${JSON.stringify(p.wasmnn)}`);
    if (p.tf.threads !== p.tf.requested) console.log(`WARNING: TF.js runs ${p.tf.threads} thread(s), not ${p.tf.requested}: its rows say so`);
  }
  console.table(result.rows);
  console.table(result.summary);
  console.log(`${((Date.now() - started) / 1000).toFixed(0)} s; load average at the end ${loadAverage(1)}`);
  if (values.json) writeFileSync(values.json, JSON.stringify({ ...result, loadAverageAtEnd: os.loadavg() }, null, 2));
  process.exit(0);
}
console.log(`wasmnn benchmarks — ${new Date().toISOString().slice(0, 10)}, ${os.cpus()[0]?.model ?? 'unknown CPU'}, ` +
  `${os.cpus().length} cores, Node ${process.version}, single thread unless a table says otherwise, ${reps} repetitions (medians)${quick ? ', --quick' : ''}, ` +
  `load average ${loadAverage(1)}`);
const all = {};
const peak = await benchPeak({ reps });
if (only.has('peak')) { console.log('\nSIMD ceiling (measured here)'); console.table(peak.rows); all.peak = peak.rows; }
if (only.has('gemm')) { all.gemm = await benchGemm({ quick, reps, peak: peak.mulAddPeak }); console.log('\nGEMM'); console.table(all.gemm); }
if (only.has('conv')) {
  all.conv = (await benchConv({ reps, peak: peak.mulAddPeak })).rows;
  console.log('\nConvolution (LeNet layers, batch 64)');
  console.table(all.conv);
  all.lenetLayers = await benchLenetLayers({ reps });
  console.log('\nLeNet convolutional layers through the public API (batch 64)');
  console.table(all.lenetLayers);
}
if (only.has('elementwise')) { all.elementwise = await benchElementwise({ quick, reps }); console.log('\nElementwise and optimizer kernels'); console.table(all.elementwise); }
if (only.has('train')) {
  all.train = await benchTrainStep({ networks, reps: Math.max(5, quick ? 2 : reps), withTf: !values['no-tf'], slowLimitMs: quick ? 20 : 300 });
  console.log('\nTraining step (forward + loss + backward + update)');
  console.table(all.train);
}
if (only.has('allocator')) { all.allocator = await benchAllocator({ quick, reps }); console.log('\nAllocator (one alloc or free = one operation)'); console.table(all.allocator); }
if (only.has('threads')) {
  all.threads = await benchThreadScaling({ networks, threads: threadCounts, reps: Math.max(5, quick ? 2 : reps), targetMs: quick ? 20 : 300 });
  console.log(`\nThread scaling (init({ threads }), same model, interleaved rounds; load average now ${os.loadavg()[0].toFixed(1)})`);
  console.table(all.threads);
  all.handoff = await benchHandoff({ reps });
  console.log('\nHand-off cost: one call inline vs split across 2 threads (threshold forced to 0)');
  console.table(all.handoff);
}
if (only.has('lenet')) {
  // --quick: plain LeNet only, without the slow TF.js rows (seconds per step).
  all.lenet = await benchLenetStep({ reps, withTf: !values['no-tf'] && !quick, quick });
  console.log('\nLeNet training step, batch 64 (forward + loss + backward + Adam); PyTorch via bench/mnist_torch.py --step');
  console.table(all.lenet);
}
if (values.json) writeFileSync(values.json, JSON.stringify(all, null, 2));
