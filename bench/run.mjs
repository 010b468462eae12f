// `npm run bench` — every benchmark family in one run, each printed as one table, with the SIMD
// ceiling measured on this machine beside them. Flags:
//   --quick            small sizes, 2 repetitions (CI runs this to prove the suite works)
//   --only NAME,…      families: peak, gemm, conv, elementwise, train, allocator
//   --networks a,b     training networks: seed, mid, mnist, wide (default all; quick: seed, mid)
//   --reps N           repetitions per measurement (default 7)
//   --no-tf            leave out the TensorFlow.js peers
//   --json FILE        also write all rows as JSON
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { benchPeak } from './peak.mjs';
import { benchElementwise, benchGemm } from './kernels.mjs';
import { benchTrainStep } from './train-step.mjs';
import { benchAllocator } from './allocator.mjs';
import { benchConv, benchLenetLayers } from './conv.mjs';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean' }, only: { type: 'string' }, networks: { type: 'string' },
    reps: { type: 'string' }, 'no-tf': { type: 'boolean' }, json: { type: 'string' },
  },
});
const quick = Boolean(values.quick);
const reps = values.reps ? Number(values.reps) : quick ? 2 : 7;
const only = new Set((values.only ?? 'peak,gemm,conv,elementwise,train,allocator').split(','));
const networks = (values.networks ?? (quick ? 'seed,mid' : 'seed,mid,mnist,wide')).split(',');

console.log(`wasmnn benchmarks — ${new Date().toISOString().slice(0, 10)}, ${os.cpus()[0]?.model ?? 'unknown CPU'}, ` +
  `${os.cpus().length} cores, Node ${process.version}, single thread, ${reps} repetitions (medians)${quick ? ', --quick' : ''}`);
const all = {};
const peak = await benchPeak({ reps });
if (only.has('peak')) { console.log('\nSIMD ceiling (measured here)'); console.table(peak.rows); all.peak = peak.rows; }
if (only.has('gemm')) { all.gemm = await benchGemm({ quick, reps, peak: peak.mulAddPeak }); console.log('\nGEMM'); console.table(all.gemm); }
if (only.has('conv')) {
  all.conv = await benchConv({ reps, peak: peak.mulAddPeak });
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
if (values.json) writeFileSync(values.json, JSON.stringify(all, null, 2));
