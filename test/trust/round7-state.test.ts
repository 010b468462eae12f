// Round 7: the promise "a rejected call changes nothing", checked mechanically. A small world
// (a Sequential with BatchNorm1d and Dropout, an amsgrad Adam after two steps, a StepLR, a
// ReduceLROnPlateau, a pending forward + backward) is built anew for each of ~2,500 calls — 72
// entry points of the API, each given 35 hostile values (objects of another model among them) —
// and every call that throws must throw a WasmnnError (no WASM trap) and leave every parameter,
// buffer, gradient, the optimizer's and schedulers' state dicts, the learning rate, the training
// flags, memoryStats().bytesInUse and the global generator exactly as they were. It failed
// before round 7's fixes on fit with CrossEntropy probability rows of the wrong width (BatchNorm
// statistics and generator moved), on gradcheck of a training-mode Dropout (generator moved) and
// on gradcheck of another, never-run model with a Dropout (its workspaces grew, memory held).
import { expect, it } from 'vitest';
import * as lib from '../../src/index.js';
const { Tensor, WasmnnError, Linear, Sequential, ReLU, Adam, CrossEntropyLoss, BatchNorm1d, Dropout, StepLR, ReduceLROnPlateau, memoryStats, defaultGenerator, nn } = lib;

function hostile(): Array<[string, unknown]> {
  const disposed = Tensor.zeros([2, 3]); disposed.dispose();
  const layer = new Linear(3, 3);
  const stale = layer.forward(Tensor.zeros([1, 3])); layer.forward(Tensor.zeros([1, 3]));
  const other = new Sequential(new Linear(3, 4), new BatchNorm1d(4), new ReLU(), new Dropout(0.3), new Linear(4, 3));
  const disposedOptimizer = new lib.SGD(new Linear(2, 2).parameters());
  disposedOptimizer.dispose();
  const disposedLoss = new CrossEntropyLoss();
  disposedLoss.dispose();
  return [
    ['null', null], ['undefined', undefined], ['NaN', NaN], ['Infinity', Infinity], ['-Infinity', -Infinity],
    ['1e39', 1e39], ['-1', -1], ['1.5', 1.5], ["'2'", '2'], ['{}', {}], ['[]', []], ['0', 0], ['true', true],
    ['disposed', disposed], ['rank3', Tensor.zeros([2, 3, 4])], ['stale', stale], ['fn', () => 1], ['[1,2,3]', [1, 2, 3]],
    ['t23', Tensor.zeros([2, 3])], ['t3', Tensor.zeros([3])], ['sym', Symbol('x')], ['big', 10n], ['t0', Tensor.zeros([0, 3])],
    ['nanT', Tensor.from([NaN, 1, 2, 3, 4, 5], [2, 3])], ['t52', Tensor.zeros([5, 2])], ['t54', Tensor.zeros([5, 4])], ['objnull', Object.create(null)],
    ['1e300', 1e300], ['2**31', 2 ** 31],
    // Objects of another model, and its state.
    ['otherModel', other], ['otherOptimizer', new Adam(other.parameters())], ['otherStateDict', other.stateDict()],
    ['otherLoss', new lib.MSELoss()], ['disposedOptimizer', disposedOptimizer], ['disposedLoss', disposedLoss],
  ];
}

function world() {
  lib.manualSeed(1);
  const model = new Sequential(new Linear(3, 4), new BatchNorm1d(4), new ReLU(), new Dropout(0.3), new Linear(4, 2));
  const opt = new Adam(model.parameters(), { lr: 0.01, amsgrad: true });
  const sched = new StepLR(opt, { stepSize: 2, gamma: 0.5 });
  const plateau = new ReduceLROnPlateau(new lib.SGD(new Linear(1, 1).parameters()));
  const loss = new CrossEntropyLoss();
  const x = Tensor.from(Array.from({ length: 15 }, (_, i) => Math.sin(i)), [5, 3]);
  const y = Tensor.from([0, 1, 1, 0, 1]);
  for (let s = 0; s < 2; s++) {
    model.zeroGrad();
    const out = model.forward(x);
    loss.forward(out, y);
    model.backward(loss.backward());
    opt.step();
    sched.step();
  }
  plateau.step(1);
  // a forward + backward pending: gradients non-zero
  const out = model.forward(x);
  loss.forward(out, y);
  model.backward(loss.backward());
  const bytes = lib.saveCheckpoint(model, opt);
  const modelBytes = lib.saveModel(model);
  const out5 = Tensor.zeros([5, 2]);
  return { model, opt, sched, plateau, loss, x, y, bytes, modelBytes, out5 };
}
type W = ReturnType<typeof world>;
function snap(w: W): string {
  const s: Record<string, unknown> = {};
  for (const [k, e] of Object.entries(w.model.stateDict())) s[k] = Array.from(e.data);
  s.grads = w.model.parameters().map((p) => Array.from(p.grad.toFloat32Array()));
  s.opt = w.opt.stateDict();
  s.lr = w.opt.lr;
  s.sched = w.sched.stateDict();
  s.plateau = w.plateau.stateDict();
  const flags: boolean[] = [];
  const visit = (m: lib.Module): void => { flags.push(m.training); for (const [, c] of m.namedChildren()) visit(c); };
  visit(w.model);
  s.training = flags;
  s.bytes = memoryStats().bytesInUse;
  return JSON.stringify(s, (_k, v) => (v instanceof Float32Array ? Array.from(v) : typeof v === 'number' && !Number.isFinite(v) ? String(v) : v));
}
type Call = (w: W, v: never) => unknown;
const calls: Array<[string, Call]> = [
  ['model.forward(v)', (w, v) => w.model.forward(v)],
  ['model.backward(v)', (w, v) => w.model.backward(v)],
  ['model.backwardParameters(v)', (w, v) => w.model.backwardParameters(v)],
  ['model.loadStateDict(v)', (w, v) => w.model.loadStateDict(v)],
  ['model.loadStateDict({...,1.running_mean: v})', (w, v) => { const sd = w.model.stateDict() as unknown as Record<string, unknown>; sd['1.running_mean'] = { shape: [4], data: v }; w.model.loadStateDict(sd as never); }],
  ['model.loadStateDict({...,4.bias: {data:[v,0]}})', (w, v) => { const sd = w.model.stateDict() as unknown as Record<string, unknown>; sd['4.bias'] = { shape: [2], data: [0, v] }; w.model.loadStateDict(sd as never); }],
  ['model.loadStateDict({...,1.num_batches_tracked: v})', (w, v) => { const sd = w.model.stateDict() as unknown as Record<string, unknown>; sd['1.num_batches_tracked'] = { shape: [], data: [v], dtype: 'I64' }; w.model.loadStateDict(sd as never); }],
  ['model.train(v)', (w, v) => w.model.train(v)],
  ['model.at(v)', (w, v) => w.model.at(v)],
  ['opt.lr = v', (w, v) => { w.opt.lr = v; }],
  ['opt.loadStateDict(v)', (w, v) => w.opt.loadStateDict(v)],
  ['opt.loadStateDict(step: v)', (w, v) => { const sd = w.opt.stateDict() as unknown as Record<string, unknown>; sd.step = v; w.opt.loadStateDict(sd as never); }],
  ['opt.loadStateDict(lr: v)', (w, v) => { const sd = JSON.parse(JSON.stringify(w.opt.stateDict())) as { paramGroups: Array<Record<string, unknown>> }; sd.paramGroups[0]!.lr = v; w.opt.loadStateDict(sd as never); }],
  ['opt.loadStateDict(state[0].expAvg[1]: v)', (w, v) => { const sd = w.opt.stateDict(); const e = sd.state[0] as unknown as Record<string, unknown[]>; const k = Object.keys(e)[0]!; const arr = Array.from(e[k]!); arr[1] = v; e[k] = arr; w.opt.loadStateDict(sd); }],
  ['sched.loadStateDict(v)', (w, v) => w.sched.loadStateDict(v)],
  ['sched.loadStateDict(epoch v)', (w, v) => w.sched.loadStateDict({ ...w.sched.stateDict(), epoch: v as number })],
  ['sched.loadStateDict(baseLr v)', (w, v) => w.sched.loadStateDict({ ...w.sched.stateDict(), baseLr: v as number })],
  ['plateau.loadStateDict(best v)', (w, v) => w.plateau.loadStateDict({ ...w.plateau.stateDict(), best: v as number })],
  ['plateau.step(v)', (w, v) => w.plateau.step(v)],
  ['loss.forward(v, y)', (w, v) => w.loss.forward(v, w.y)],
  ['loss.forward(out, v)', (w, v) => w.loss.forward(w.out5, v)],
  ['clipGradNorm(params, v)', (w, v) => lib.clipGradNorm(w.model.parameters(), v)],
  ['clipGradNorm(params, 1, {normType: v})', (w, v) => lib.clipGradNorm(w.model.parameters(), 1, { normType: v })],
  ['clipGradNorm([...params, v], 1)', (w, v) => lib.clipGradNorm([...w.model.parameters(), v] as never, 1)],
  ...['epochs', 'batchSize', 'shuffle', 'seed', 'validation', 'earlyStopping', 'scheduler', 'clipGradNorm', 'threshold', 'task', 'evaluateTrain', 'callbacks', 'evaluationBatchSize', 'signal', 'x', 'y', 'loss', 'optimizer'].map((k): [string, Call] =>
    [`fit({${k}: v})`, (w, v) => lib.fit(w.model, { loss: w.loss, optimizer: w.opt, x: w.x, y: w.y, epochs: 1, [k]: v })]),
  ['fit(validation: {x: v, y})', (w, v) => lib.fit(w.model, { loss: w.loss, optimizer: w.opt, x: w.x, y: w.y, epochs: 1, validation: { x: v, y: w.y } })],
  ['fit(validation: {split: v})', (w, v) => lib.fit(w.model, { loss: w.loss, optimizer: w.opt, x: w.x, y: w.y, epochs: 1, validation: { split: v } })],
  ['fit(callbacks: {onEpochEnd: v})', (w, v) => lib.fit(w.model, { loss: w.loss, optimizer: w.opt, x: w.x, y: w.y, epochs: 1, callbacks: { onEpochEnd: v } })],
  ...['x', 'y', 'loss', 'batchSize', 'threshold', 'task'].map((k): [string, Call] =>
    [`evaluate({${k}: v})`, (w, v) => lib.evaluate(w.model, { loss: w.loss, x: w.x, y: w.y, [k]: v })]),
  ['predict(model, v)', (w, v) => lib.predict(w.model, v)],
  ['predict(model, x, {batchSize: v})', (w, v) => lib.predict(w.model, w.x, { batchSize: v })],
  ['loadCheckpoint(v, m, o)', (w, v) => lib.loadCheckpoint(v, w.model, w.opt)],
  ['loadCheckpoint(bytes, m, v)', (w, v) => lib.loadCheckpoint(w.bytes, w.model, v)],
  ['modelFromJSON(m, v)', (w, v) => lib.modelFromJSON(w.model, v)],
  ['loadModel(m, v)', (w, v) => lib.loadModel(w.model, v)],
  ['gradcheck(m, v)', (w, v) => lib.gradcheck(w.model, v)],
  ['gradcheck(m, x, {eps: v})', (w, v) => lib.gradcheck(w.model, w.x, { eps: v })],
  ['init.uniform(p0, 0, v)', (w, v) => nn.init.uniform(w.model.parameters()[0]!, 0, v)],
  ['init.kaimingUniform(p0, {a: v})', (w, v) => nn.init.kaimingUniform(w.model.parameters()[0]!, { a: v })],
  ['init.xavierNormal(p0, {gain: v})', (w, v) => nn.init.xavierNormal(w.model.parameters()[0]!, { gain: v })],
  ['init.constant(p0, v)', (w, v) => nn.init.constant(w.model.parameters()[0]!, v)],
  ['p0.set(v)', (w, v) => w.model.parameters()[0]!.set(v)],
  ['p0.fill(v)', (w, v) => w.model.parameters()[0]!.fill(v)],
  ['new SGD(params, {lr: v})', (w, v) => new lib.SGD(w.model.parameters(), { lr: v })],
  ['new Adam(params, {betas: v})', (w, v) => new lib.Adam(w.model.parameters(), { betas: v })],
  ['new StepLR(opt, {stepSize: v})', (w, v) => new StepLR(w.opt, { stepSize: v })],
  ['new CosineAnnealingLR(opt, {tMax: v})', (w, v) => new lib.CosineAnnealingLR(w.opt, { tMax: v })],
  ['new DataLoader(x, y, {batchSize: v, shuffle})', (w, v) => new lib.DataLoader(w.x, w.y, { batchSize: v, shuffle: true })],
  ['trainTestSplit(x, y, {testSize: v})', (w, v) => lib.trainTestSplit(w.x, w.y, { testSize: v })],
  ['new TabularModel(m, v)', (w, v) => new lib.TabularModel(w.model, v)],
  ['new StepLR(v, {stepSize: 1})', (w, v) => new StepLR(v, { stepSize: 1 })],
  ['fit({optimizer: v}) with scheduler', (w, v) => lib.fit(w.model, { loss: w.loss, optimizer: v, scheduler: w.sched, x: w.x, y: w.y, epochs: 1 })],
  ['saveCheckpoint(m, v)', (w, v) => lib.saveCheckpoint(w.model, v)],
  ['saveCheckpoint(v, o)', (w, v) => lib.saveCheckpoint(v, w.opt)],
  ['loadCheckpoint(bytes, v, o)', (w, v) => lib.loadCheckpoint(w.bytes, v, w.opt)],
  ['loadModel(v, bytes)', (w, v) => lib.loadModel(v, w.modelBytes)],
  ['modelFromJSON(v, json)', (w, v) => lib.modelFromJSON(v, lib.modelToJSON(w.model))],
  ['clipGradNorm(v, 1)', (w, v) => lib.clipGradNorm(v, 1)],
  ['gradcheck(v, x)', (w, v) => lib.gradcheck(v, w.x)],
  ['[...new DataLoader(x, y, {batchSize: v})]', (w, v) => [...new lib.DataLoader(w.x, w.y, { batchSize: v, shuffle: true })]],
  ['model.append(v)', (w, v) => w.model.append(v)],
  ['new Sequential(model, v)', (w, v) => new Sequential(w.model, v)],
  ['accuracy(v, y)', (w, v) => lib.accuracy(v, w.y)],
];

it('no hostile argument to 72 entry points changes anything when the call is rejected', () => {
  const bad: string[] = [];
  let rejected = 0, total = 0;
  for (const [label, call] of calls) {
    for (const [what, value] of hostile()) {
      const w = world();
      const before = snap(w);
      defaultGenerator.manualSeed(99);
      total++;
      let err: unknown = null;
      try { call(w, value as never); } catch (e) { err = e; }
      const name = label.replace(/\bv\b/, what);
      if (err === null) continue;
      rejected++;
      if (!(err instanceof WasmnnError)) { bad.push(`${name}: raw ${(err as Error)?.name}: ${(err as Error)?.message}`); continue; }
      if (/out of bounds|unreachable/.test((err as Error).message)) bad.push(`${name}: TRAP`);
      const after = snap(w);
      if (after !== before) {
        const a = JSON.parse(before), b = JSON.parse(after);
        const diff = Object.keys(a).filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
        bad.push(`${name}: changed ${diff.join(',')} ${diff.includes('bytes') ? `${a.bytes}->${b.bytes}` : ''} [${(err as Error).message.slice(0, 80)}]`);
      }
      if (defaultGenerator.random() !== new lib.Generator(99).random()) bad.push(`${name}: generator moved`);
    }
  }
  expect(total).toBeGreaterThan(2000);
  expect(rejected).toBeGreaterThan(1900);
  expect(bad).toEqual([]);
}, 120000);
