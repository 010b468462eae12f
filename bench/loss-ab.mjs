// Class-index losses and fit's per-batch loop from two builds of wasmnn in one process,
// interleaved (A, B, A, B, …): CrossEntropyLoss / NLLLoss forward on class indices — plain, with a
// few ignored rows (the old plain-then-weighted redo), with class weights and with label
// smoothing — and one fit() epoch of a small classifier (the per-batch label pass). Usage:
//   node bench/loss-ab.mjs OLD_DIST NEW_DIST [--rounds 9] [--calls 400]
// Prints per case the median µs per call of each build (min–max over rounds) and new/old.
import { parseArgs } from 'node:util';
import { importBuild } from './lib/builds.mjs';
import { loadAverage } from './lib/machine.mjs';
import { median, msPerCall } from './lib/stats.mjs';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { rounds: { type: 'string' }, calls: { type: 'string' } } });
if (positionals.length < 2) throw new Error('usage: node bench/loss-ab.mjs OLD_DIST NEW_DIST [--rounds 9] [--calls 400]');
const rounds = Number(values.rounds ?? 9), calls = Number(values.calls ?? 400);
const builds = await Promise.all(positionals.map((dir) => importBuild(dir)));

/** Seeded logits [rows, cols] and labels (every `ignoreEvery`-th -100; 0 = none) for one build. */
function data(lib, rows, cols, ignoreEvery) {
  const g = new lib.Generator(rows + cols);
  const x = lib.Tensor.from(Float32Array.from({ length: rows * cols }, () => g.normal() * 2), [rows, cols]);
  const y = lib.Tensor.from(Array.from({ length: rows }, (_, r) => (ignoreEvery && r % ignoreEvery === 1 ? -100 : g.randint(cols))));
  return { x, y };
}

const WEIGHT10 = [1, 2, 0.5, 1, 1, 3, 1, 0.25, 1, 1];
const CASES = [];
for (const [rows, cols] of [[32, 10], [256, 10], [1024, 10]]) {
  CASES.push({ name: `CE plain ${rows}×${cols}`, make: (lib) => ({ loss: new lib.CrossEntropyLoss(), ...data(lib, rows, cols, 0) }) });
  CASES.push({ name: `CE ignored rows ${rows}×${cols}`, make: (lib) => ({ loss: new lib.CrossEntropyLoss(), ...data(lib, rows, cols, 7) }) });
  CASES.push({ name: `CE weight+ignore ${rows}×${cols}`, make: (lib) => ({ loss: new lib.CrossEntropyLoss({ weight: WEIGHT10 }), ...data(lib, rows, cols, 7) }) });
  CASES.push({ name: `CE smoothing 0.1 ${rows}×${cols}`, make: (lib) => ({ loss: new lib.CrossEntropyLoss({ labelSmoothing: 0.1 }), ...data(lib, rows, cols, 0) }) });
  CASES.push({ name: `NLL plain ${rows}×${cols}`, make: (lib) => ({ loss: new lib.NLLLoss(), ...data(lib, rows, cols, 0) }) });
  CASES.push({ name: `NLL weight ${rows}×${cols}`, make: (lib) => ({ loss: new lib.NLLLoss({ weight: WEIGHT10 }), ...data(lib, rows, cols, 0) }) });
}

const rowsOut = [];
for (const c of CASES) {
  const runs = builds.map((lib) => {
    const { loss, x, y } = c.make(lib);
    return { fn: () => loss.forward(x, y), times: [] };
  });
  for (const r of runs) for (let i = 0; i < 50; i++) r.fn();
  for (let round = 0; round < rounds; round++) for (const r of runs) r.times.push(msPerCall(r.fn, calls) * 1000);
  rowsOut.push({ case: c.name, 'old µs': +median(runs[0].times).toFixed(2), 'new µs': +median(runs[1].times).toFixed(2),
    'old min–max': `${Math.min(...runs[0].times).toFixed(2)}–${Math.max(...runs[0].times).toFixed(2)}`,
    'new min–max': `${Math.min(...runs[1].times).toFixed(2)}–${Math.max(...runs[1].times).toFixed(2)}`,
    'new/old': +(median(runs[1].times) / median(runs[0].times)).toFixed(3) });
}

// fit(): one epoch of 2000 rows in batches of 32 through a 20-32-10 MLP, labels with no ignored row
// (the old loop still passed over every batch's labels for CrossEntropyLoss's -100).
const fitRuns = builds.map((lib) => {
  const g = new lib.Generator(3);
  const x = lib.Tensor.from(Float32Array.from({ length: 2000 * 20 }, () => g.normal()), [2000, 20]);
  const y = lib.Tensor.from(Array.from({ length: 2000 }, () => g.randint(10)));
  const model = new lib.Sequential(new lib.Linear(20, 32, { generator: g }), new lib.ReLU(), new lib.Linear(32, 10, { generator: g }));
  const loss = new lib.CrossEntropyLoss(), optimizer = new lib.SGD(model.parameters(), { lr: 0.01 });
  return { fn: () => lib.fit(model, { loss, optimizer, x, y, epochs: 1, batchSize: 32, seed: 1 }), times: [] };
});
for (const r of fitRuns) for (let i = 0; i < 3; i++) r.fn();
for (let round = 0; round < rounds; round++) for (const r of fitRuns) r.times.push(msPerCall(r.fn, 5));
rowsOut.push({ case: 'fit epoch 2000 rows, batch 32 (ms)', 'old µs': +(median(fitRuns[0].times) * 1000).toFixed(0), 'new µs': +(median(fitRuns[1].times) * 1000).toFixed(0),
  'old min–max': '', 'new min–max': '', 'new/old': +(median(fitRuns[1].times) / median(fitRuns[0].times)).toFixed(3) });

console.log(`load average before ${loadAverage()}; ${rounds} interleaved rounds of ${calls} calls; old = ${positionals[0]}, new = ${positionals[1]}`);
console.table(rowsOut);
console.log(`load average after: ${loadAverage()}`);
process.exit(0);
