// Memory figures for docs/RELIABILITY.md (bytes, not speed): what one iteration of a
// hyper-parameter sweep holds, per kind of owner, and what each dispose() gives back.
//   npm run build && node bench/memory-figures.mjs
import { Adam, CrossEntropyLoss, Generator, Linear, ReLU, Sequential, Tensor, fit, memoryStats } from '../dist/index.js';

const g = new Generator(1);
const mb = (b) => (b === 0 ? '0' : b < 1e5 ? `${(b / 1e3).toFixed(1)} kB` : `${(b / 1e6).toFixed(2)} MB`);
const x = Tensor.from(Array.from({ length: 256 * 1000 }, () => g.uniform(-1, 1)), [256, 1000]);
const y = Tensor.from(Array.from({ length: 256 }, (_, i) => i % 10));

function iteration() {
  const model = new Sequential(new Linear(1000, 1000, { generator: g }), new ReLU(), new Linear(1000, 10, { generator: g }));
  const optimizer = new Adam(model.parameters());
  const loss = new CrossEntropyLoss();
  fit(model, { loss, optimizer, x, y, epochs: 1, batchSize: 64 });
  return { model, optimizer, loss };
}

// One warm-up iteration: internal scratch (kept for the process) is allocated once.
const warm = iteration();
warm.model.dispose(); warm.optimizer.dispose(); warm.loss.dispose();

const base = memoryStats();
const { model, optimizer, loss } = iteration();
const during = memoryStats();
const rows = [{ moment: 'after fit', 'bytes held': mb(during.bytesInUse - base.bytesInUse),
  ...Object.fromEntries(Object.entries(during.byKind).map(([k, v]) => [k, mb(v.bytes - base.byKind[k].bytes)])) }];
model.dispose();
rows.push({ moment: 'model.dispose()', 'bytes held': mb(memoryStats().bytesInUse - base.bytesInUse) });
optimizer.dispose();
rows.push({ moment: '+ optimizer.dispose()', 'bytes held': mb(memoryStats().bytesInUse - base.bytesInUse) });
loss.dispose();
rows.push({ moment: '+ loss.dispose()', 'bytes held': mb(memoryStats().bytesInUse - base.bytesInUse) });
console.table(rows);
