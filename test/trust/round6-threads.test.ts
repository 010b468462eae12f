// Round 6 probes of init({ threads }) (issue 12's promises), through the public API where it can:
// the memory moving to a shared one under live objects, the same bits on 1…4 threads for every
// loss, optimizer and layer at sizes that split unevenly (test/browser/fixtures/round6-zoo.js, also
// run in Chromium by test/browser/round6-threads.test.ts) and for random geometries, the thread
// count changed between a forward and its backward / inside fitAsync / inside a DataLoader epoch,
// init's arguments, concurrent calls, worker lifetime (OS threads, child processes), rejected calls
// and OutOfMemoryErrors under threads, and what getThreads() says. The references are computed
// before the first init, on the single-thread build's own memory.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import * as lib from '../../src/index.js';
import {
  Adam, AdaptiveAvgPool2d, AvgPool2d, BatchNorm1d, BatchNorm2d, Conv2d, CrossEntropyLoss, DataLoader, Dropout, Flatten, GELU, Generator,
  LayerNorm, Linear, MaxPool2d, MSELoss, OutOfMemoryError, ReLU, RMSprop, SGD, Sequential, ShapeError, Softmax, StateError, Tensor, ValueError,
  WasmnnError, clipGradNorm, fit, fitAsync, getThreads, init, memoryStats, setBackend,
} from '../../src/index.js';
import { runtime } from '../../src/backend/runtime.js';
import { parallelFor, setParallelThreshold, threadCount } from '../../src/backend/parallel.js';
import { setConvMethod, type ConvMethod } from '../../src/backend/ops-conv.js';
import { zooRun } from '../browser/fixtures/round6-zoo.js';
import { failAllocationAt, rejects, state } from '../helpers/trust.js';
import { workerChunks, workersTookPart } from '../helpers/threads.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

const rnd = (g: Generator, shape: number[]): Tensor =>
  Tensor.from(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => g.uniform(-1, 1)), shape);
const asRecord = (parts: Array<[string, Float64Array]>): Record<string, number[]> =>
  Object.fromEntries(parts.map(([k, v]) => [k, Array.from(v)]));

/**
 * Random geometries (a fixed seed) for every split kernel family: Linear + GELU + LayerNorm +
 * Softmax, BatchNorm1d, and Conv2d (groups, stride, padding, dilation; each method forced) +
 * BatchNorm2d + ReLU followed by max / average / adaptive pooling, Flatten and Dropout. Returns,
 * per case, the outputs, input gradients and parameter gradients.
 */
function geometries(): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  const g = new Generator(1234), cfg = new Generator(99);
  const r = (a: number, b: number): number => a + cfg.randint(b - a + 1);
  const grads = (m: Sequential | BatchNorm1d): number[] => m.parameters().flatMap((p) => [...p.grad.toFloat32Array()]);
  for (let c = 0; c < 24; c++) {
    const m = r(1, 70), k = r(1, 90), n = r(1, 70);
    const dense = new Sequential(new Linear(k, n, { generator: g }), new GELU(), new LayerNorm(n), new Softmax());
    const y = dense.forward(rnd(g, [m, k])).toFloat32Array();
    out[`dense ${m}×${k}→${n}`] = [...y, ...dense.backward(rnd(g, [m, n])).toFloat32Array(), ...grads(dense)];
    dense.dispose();
    const bn = new BatchNorm1d(n), rows = Math.max(2, m);
    const yb = bn.forward(rnd(g, [rows, n])).toFloat32Array();
    out[`BatchNorm1d ${rows}×${n}`] = [...yb, ...bn.backward(rnd(g, [rows, n])).toFloat32Array(), ...grads(bn), ...bn.runningVar!.toFloat32Array()];
    bn.dispose();
    const N = r(1, 7), C = r(1, 6), H = r(3, 13), W = r(3, 13), KH = r(1, 3), KW = r(1, 3), groups = [1, 1, 2, 3][r(0, 3)]!;
    const O = r(1, 5) * groups, stride = r(1, 2), padding = r(0, 1), dilation = r(1, 2);
    if (H + 2 * padding < dilation * (KH - 1) + 1 || W + 2 * padding < dilation * (KW - 1) + 1) continue;
    for (const method of ['direct', 'pixels', 'gemm'] as const) {
      setConvMethod(method);
      const gg = new Generator(c);
      const conv = new Sequential(new Conv2d(C * groups, O, [KH, KW], { stride, padding, dilation, groups, generator: gg }), new BatchNorm2d(O), new ReLU());
      const yc = conv.forward(rnd(gg, [N, C * groups, H, W]));
      const pools = new Sequential(new MaxPool2d(2, { ceilMode: true, stride: 1 + (c % 2) }), new AvgPool2d(2, { padding: 1, countIncludePad: c % 3 === 0 }),
        new AdaptiveAvgPool2d([r(1, 4), r(1, 4)]), new Flatten(), new Dropout(0.3, { generator: gg }));
      let pooled: number[] = [];
      if (yc.shape[2]! >= 2 && yc.shape[3]! >= 2) { // a 2×2 window fits
        const p = pools.forward(yc);
        pooled = [...p.toFloat32Array(), ...pools.backward(rnd(gg, [...p.shape])).toFloat32Array()];
      }
      const dx = conv.backward(rnd(gg, [...yc.shape])).toFloat32Array();
      out[`Conv2d ${method} [${N}, ${C * groups}, ${H}, ${W}] → ${O}, ${KH}×${KW}, stride ${stride}, padding ${padding}, dilation ${dilation}, groups ${groups}`] =
        [...yc.toFloat32Array(), ...dx, ...grads(conv), ...pooled];
      conv.dispose();
      pools.dispose();
    }
    setConvMethod(null);
  }
  return out;
}

/** A CNN + MLP trained 3 steps; `between(step)` runs between each forward and its backward. */
async function switchedTraining(between: (step: number) => Promise<unknown>, method: ConvMethod | null): Promise<number[][]> {
  setConvMethod(method);
  const g = new Generator(5);
  const x = rnd(g, [21, 3, 11, 10]), y = Tensor.from(Array.from({ length: 21 }, () => g.randint(4)));
  const model = new Sequential(new Conv2d(3, 6, 3, { padding: 1, generator: g }), new BatchNorm2d(6), new ReLU(), new MaxPool2d(2),
    new Conv2d(6, 9, 3, { groups: 3, generator: g }), new Flatten(), new Linear(9 * 9, 37, { generator: g }), new ReLU(), new Linear(37, 4, { generator: g }));
  const opt = new Adam(model.parameters(), { lr: 1e-2 }), loss = new CrossEntropyLoss();
  const losses: number[] = [];
  for (let step = 0; step < 3; step++) {
    opt.zeroGrad();
    losses.push(loss.forward(model.forward(x), y));
    await between(step);
    model.backward(loss.backward());
    opt.step();
  }
  const out = [losses, ...model.parameters().map((p) => Array.from(p.toFloat32Array()))];
  model.dispose();
  opt.dispose();
  setConvMethod(null);
  return out;
}

/**
 * The seed network (2-25-25-25-2: Linear + ReLU fused, one kernel call per pass on one thread,
 * separate split calls on several) trained 5 steps, backward and backwardParameters in turn;
 * `between(step)` runs between each forward and its backward.
 */
async function switchedSmall(between: (step: number) => Promise<unknown>): Promise<number[][]> {
  const g = new Generator(6);
  const x = rnd(g, [100, 2]), y = Tensor.from(Array.from({ length: 100 }, () => g.randint(2)));
  const model = new Sequential(new Linear(2, 25, { generator: g }), new ReLU(), new Linear(25, 25, { generator: g }), new ReLU(),
    new Linear(25, 25, { generator: g }), new GELU(), new Linear(25, 2, { generator: g }));
  const opt = new Adam(model.parameters(), { lr: 1e-2 }), loss = new CrossEntropyLoss();
  const losses: number[] = [];
  for (let step = 0; step < 5; step++) {
    opt.zeroGrad();
    losses.push(loss.forward(model.forward(x), y));
    await between(step);
    if (step % 2) model.backward(loss.backward());
    else model.backwardParameters(loss.backward());
    opt.step();
  }
  const out = [losses, ...model.parameters().map((p) => Array.from(p.toFloat32Array()))];
  model.dispose();
  opt.dispose();
  return out;
}

/** fitAsync of an MLP with a validation split; `onEpoch` runs at the end of each epoch. */
async function fitted(onEpoch: (epoch: number) => void): Promise<number[][]> {
  const g = new Generator(8);
  const x = rnd(g, [999, 77]), y = Tensor.from(Array.from({ length: 999 }, () => g.randint(4)));
  const model = new Sequential(new Linear(77, 301, { generator: g }), new ReLU(), new Linear(301, 4, { generator: g }));
  const history = await fitAsync(model, {
    x, y, loss: new CrossEntropyLoss(), optimizer: new Adam(model.parameters(), { lr: 1e-3 }), epochs: 5, batchSize: 111, seed: 2,
    validation: { split: 0.2 }, callbacks: { onEpochEnd: (e) => { onEpoch(e.epoch); } },
  });
  const out = [history.epochs.flatMap((e) => [e.loss, e.valLoss!]), ...model.parameters().map((p) => Array.from(p.toFloat32Array()))];
  model.dispose();
  return out;
}

/** Every batch of two epochs of a shuffled DataLoader; `afterBatch(i)` runs after batch i. */
async function gathered(afterBatch: (i: number) => Promise<unknown>): Promise<number[][]> {
  const g = new Generator(3);
  const loader = new DataLoader(rnd(g, [5001, 33]), rnd(g, [5001]), { batchSize: 777, shuffle: true, seed: 1 });
  const out: number[][] = [];
  let i = 0;
  for (let epoch = 0; epoch < 2; epoch++) {
    for (const batch of loader) {
      out.push(Array.from(batch.x.toFloat32Array()), Array.from(batch.y.toFloat32Array()));
      await afterBatch(i++);
    }
  }
  loader.dispose();
  return out;
}

/** A small CNN's three steps with the `failAt`-th allocation of step 1 (a larger batch) refused once. */
function stepsWithRefusal(failAt: number): { refused: number; state: Record<string, number[]>; losses: number[] } {
  const g = new Generator(5);
  const x = rnd(g, [13, 3, 9, 9]), y = Tensor.from(Array.from({ length: 13 }, () => g.randint(4)));
  const x2 = rnd(g, [17, 3, 9, 9]), y2 = Tensor.from(Array.from({ length: 17 }, () => g.randint(4)));
  const model = new Sequential(new Conv2d(3, 5, 3, { padding: 1, generator: g }), new BatchNorm2d(5), new ReLU(), new MaxPool2d(2), new Flatten(),
    new LayerNorm(80), new Dropout(0.2, { generator: g }), new Linear(80, 4, { generator: g }));
  const opt = new RMSprop(model.parameters(), { lr: 1e-3, momentum: 0.5 }), loss = new CrossEntropyLoss();
  let refused = 0;
  const losses: number[] = [];
  for (let step = 0; step < 3; step++) {
    for (;;) {
      if (step === 1 && refused === 0) failAllocationAt(failAt);
      try {
        opt.zeroGrad();
        losses.push(step === 1 ? loss.forward(model.forward(x2), y2) : loss.forward(model.forward(x), y));
        model.backward(loss.backward());
        opt.step();
        vi.restoreAllMocks();
        break;
      } catch (e) {
        vi.restoreAllMocks();
        expect(e).toBeInstanceOf(OutOfMemoryError);
        refused++;
      }
    }
  }
  const moments = opt.stateDict().state.flatMap((s, i) => Object.entries(s).map(([k, v]) => [`optimizer ${i}.${k}`, Array.from(v)]));
  const out = { refused, state: { ...state(model), ...Object.fromEntries(moments) }, losses };
  model.dispose();
  opt.dispose();
  loss.dispose();
  return out;
}

// ---- Everything below this line up to the first init runs on the single-thread build. ----

// Objects made before the memory becomes shared, half-way through a training: two identical
// sets, one trained on before the first init (the reference), the other after it.
function earlyObjects() {
  const g = new Generator(41);
  const x = rnd(g, [57, 19]), y = Tensor.from(Array.from({ length: 57 }, () => g.randint(3)));
  const model = new Sequential(new Linear(19, 23, { generator: g }), new BatchNorm1d(23), new ReLU(), new Dropout(0.3, { generator: g }), new Linear(23, 3, { generator: g }));
  const opt = new Adam(model.parameters(), { lr: 1e-2, amsgrad: true }), loss = new CrossEntropyLoss();
  const loader = new DataLoader(x, y, { batchSize: 20, shuffle: true, seed: 7 });
  const epoch = (): number[] => {
    const losses: number[] = [];
    for (const batch of loader) {
      opt.zeroGrad();
      losses.push(loss.forward(model.forward(batch.x), batch.y));
      model.backward(loss.backward());
      opt.step();
    }
    return losses;
  };
  epoch();
  const output = model.forward(x); // a module's output view (training mode: BatchNorm and Dropout move)
  return { model, opt, epoch, output };
}
const early = earlyObjects(), twin = earlyObjects();
const earlyDisposed = new Linear(4, 4);
earlyDisposed.dispose();
const earlyTensor = Tensor.from([[1.5, -2], [3, 4e-39]]);
const earlyOutputValues = Array.from(early.output.toFloat32Array());
const earlyState = { model: state(early.model) };
const earlyReference = { losses: [twin.epoch(), twin.epoch()], model: state(twin.model), opt: twin.opt.stateDict() };

const zoo = { small: asRecord(zooRun(lib, 1)), large: asRecord(zooRun(lib, 8)) };
const geometry = geometries();
const switched: number[][][] = [];
for (const method of ['direct', 'pixels', 'gemm'] as const) switched.push(await switchedTraining(async () => {}, method));
const oneThread = {
  switched,
  small: await switchedSmall(async () => {}),
  fitted: await fitted(() => {}),
  gathered: await gathered(async () => {}),
  refusals: Array.from({ length: 30 }, (_, k) => stepsWithRefusal(k + 1)),
  unrefused: stepsWithRefusal(1000),
};

afterEach(() => {
  vi.restoreAllMocks();
  setParallelThreshold();
  setConvMethod(null);
});
afterAll(async () => {
  await init({ threads: 1 });
});

describe('round 6: the memory moves to a shared one under live objects', () => {
  it('a model, its optimizer, loss, DataLoader, a kept output and a tensor made before the first init keep their values and train on identically', async () => {
    expect(runtime().shared).toBe(false);
    const statsBefore = memoryStats();
    expect(await init({ threads: 3 })).toEqual({ backend: 'wasm', threads: 3, requested: 3, reason: null });
    expect(runtime().shared).toBe(true);
    // The same size (the collector may free dropped blocks during the await: not bytesInUse).
    expect([memoryStats().memoryBytes, memoryStats().growCount]).toEqual([statsBefore.memoryBytes, statsBefore.growCount]);
    expect(state(early.model)).toEqual(earlyState.model);
    expect(Array.from(earlyTensor.toFloat32Array())).toEqual(Array.from(Float32Array.of(1.5, -2, 3, 4e-39)));
    expect(Array.from(early.output.toFloat32Array())).toEqual(earlyOutputValues); // a module's output view stays readable
    rejects(() => earlyDisposed.forward(Tensor.zeros([1, 4])), StateError, /has been disposed/);
    setParallelThreshold(0);
    const before = workerChunks();
    expect({ losses: [early.epoch(), early.epoch()], model: state(early.model), opt: early.opt.stateDict() }).toEqual(earlyReference);
    // Two epochs of 3 small batches: under load the caller may have run every chunk; more of the
    // same (a throwaway copy) until a worker has taken one.
    const extra = earlyObjects();
    expect(workersTookPart(before, () => extra.epoch())).toBe(true);
  });
});

describe('round 6: the same bits on 1…4 threads for every loss, optimizer and layer', () => {
  it.each([2, 3, 4])('the zoo on %i threads: every call split, and at the default threshold with 8× the rows', async (threads) => {
    expect((await init({ threads })).threads).toBe(threads);
    expect(asRecord(zooRun(lib, 8))).toEqual(zoo.large);
    setParallelThreshold(0);
    const before = workerChunks();
    expect(asRecord(zooRun(lib, 1))).toEqual(zoo.small);
    expect(workersTookPart(before, () => zooRun(lib, 1))).toBe(true);
  });

  it.each([3, 2])('random geometries (dense, BatchNorm1d, Conv2d by each method, pooling) on %i threads, every call split', async (threads) => {
    await init({ threads });
    setParallelThreshold(0);
    expect(geometries()).toEqual(geometry);
  });

  it.each([1, 2])('a thread count changed between each forward and its backward (3 → %i → 4), every call split', async (last) => {
    setParallelThreshold(0);
    for (const [i, method] of (['direct', 'pixels', 'gemm'] as const).entries()) {
      await init({ threads: 2 });
      const counts = [3, last, 4];
      expect(await switchedTraining((step) => init({ threads: counts[step]! }), method)).toEqual(oneThread.switched[i]);
    }
  });

  it('the seed network (fused Linear + ReLU on one thread, split calls on several) with the count changed between forward and backward', async () => {
    for (const split of [true, false]) {
      if (split) setParallelThreshold(0);
      else setParallelThreshold();
      for (const counts of [[3, 1, 2, 1, 4], [1, 3, 1, 2, 1]]) {
        await init({ threads: 2 });
        expect(await switchedSmall((step) => init({ threads: counts[step]! }))).toEqual(oneThread.small);
      }
    }
  });

  it('init inside fitAsync (between epochs) and inside a DataLoader epoch: the same bits', async () => {
    await init({ threads: 1 });
    let pending: Promise<unknown> = Promise.resolve();
    expect(await fitted((epoch) => { if (epoch === 1) pending = init({ threads: 3 }); })).toEqual(oneThread.fitted);
    await pending;
    expect(getThreads().threads).toBe(3);
    setParallelThreshold(0);
    const counts = [1, 2, 4, 3];
    expect(await gathered((i) => (i < counts.length ? init({ threads: counts[i]! }) : Promise.resolve()))).toEqual(oneThread.gathered);
  });
});

describe('round 6: init arguments and calls', () => {
  it('0, -1, 1.5, NaN, 1e39, "2", "AUTO", {}, null, 65, 2n are ValueErrors naming threads; nothing changes', async () => {
    await init({ threads: 2 });
    const pool = runtime().pool;
    for (const threads of [0, -1, 1.5, NaN, 1e39, '2', 'AUTO', ' auto', {}, 65, 2n, [2]]) {
      const error = await init({ threads: threads as never }).catch((e: unknown) => e);
      expect(error, String(threads)).toBeInstanceOf(ValueError);
      expect((error as Error).message).toMatch(/^init: threads must be 'auto' or an integer from 1 to 64, got /);
    }
    await expect(init({ threads: null as never })).rejects.toThrow(/^init: option 'threads' is null/);
    expect(runtime().pool).toBe(pool);
    expect(getThreads()).toEqual({ threads: 2, requested: 2, reason: null });
    expect(await init()).toEqual({ backend: 'wasm', threads: 2, requested: 2, reason: null }); // no threads option: left as it is
  });

  it('two inits in flight while the synchronous API trains between them: each applies in turn, the last wins, the bits stay', async () => {
    await init({ threads: 1 });
    const first = init({ threads: 4 }), second = init({ threads: 2 });
    const mid = asRecord(zooRun(lib, 1)); // synchronously, before either has run
    const results = await Promise.all([first, second]);
    expect(results.map((r) => r.threads)).toEqual([4, 2]);
    expect(mid).toEqual(zoo.small);
    expect(runtime().pool?.threads).toBe(2);
    expect(asRecord(zooRun(lib, 8))).toEqual(zoo.large);
  });
});

describe('round 6: worker lifetime', () => {
  const osThreads = (): number => readdirSync('/proc/self/task').length;
  /** The OS thread count once it is `expected` (a terminated worker's thread ends shortly after), or stable when none is given. */
  async function settled(expected?: number): Promise<number> {
    let n = osThreads(), last = -1;
    for (let i = 0; i < 500 && (expected === undefined ? n !== last : n !== expected); i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      last = n;
      n = osThreads();
    }
    return n;
  }

  it('init({ threads: N }) runs N - 1 worker threads; a new count or init({ threads: 1 }) ends the old ones (counted in /proc/self/task)', async () => {
    await init({ threads: 1 });
    await stat(root); // libuv's thread pool (started by the first asynchronous file call) exists before the count
    const base = await settled();
    await init({ threads: 4 });
    expect(await settled(base + 3)).toBe(base + 3);
    await init({ threads: 2 });
    expect(await settled(base + 1)).toBe(base + 1);
    for (let i = 0; i < 3; i++) {
      await init({ threads: 3 });
      await init({ threads: 1 });
    }
    expect(await settled(base)).toBe(base);
  });

  const child = (args: string[]): string => execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8', timeout: 30_000 });
  const work = 'const m = new Sequential(new Linear(256, 256), new ReLU(), new Linear(256, 1)); m.backward(m.forward(Tensor.zeros([512, 256])));';

  it.each([
    ['an init that is never awaited', `import { init } from 'wasmnn'; init({ threads: 2 }); console.log('done');`],
    ['init 2, then 3, then training, then a timer', `import { init, getThreads, Sequential, Linear, ReLU, Tensor } from 'wasmnn';
      await init({ threads: 2 }); await init({ threads: 3 }); ${work}
      await new Promise((r) => setTimeout(r, 20)); console.log('done', getThreads().threads);`],
    ['init inside a worker_thread, whose pool is the worker\'s', `import { Worker } from 'node:worker_threads';
      const w = new Worker(\`import('wasmnn').then(async ({ init, Sequential, Linear, ReLU, Tensor }) => {
        const r = await init({ threads: 2 }); ${work}
        (await import('node:worker_threads')).parentPort.postMessage(r.threads); });\`, { eval: true });
      w.on('message', (m) => console.log('done', m));`],
  ])('a process exits by itself after %s', (_name, code) => {
    expect(child(['--input-type=module', '-e', code]).trim()).toMatch(/^done/);
  });
});

describe('round 6: errors under threads', () => {
  it('rejected calls under 2 threads (bad shapes, NaN options, a bad class index in a split batch) change nothing; the pool keeps working', async () => {
    await init({ threads: 2 });
    setParallelThreshold(0);
    const g = new Generator(17);
    const make = (): Sequential => new Sequential(new Linear(29, 41, { generator: g }), new BatchNorm1d(41), new ReLU(), new Linear(41, 5, { generator: g }));
    const model = make(), twin = make();
    const opt = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9, nesterov: true }), twinOpt = new SGD(twin.parameters(), { lr: 0.1, momentum: 0.9, nesterov: true });
    const loss = new CrossEntropyLoss(), mse = new MSELoss();
    const x = rnd(g, [3003, 29]), y = Tensor.from(Array.from({ length: 3003 }, (_, i) => i % 5));
    const step = (m: Sequential, o: SGD): number => {
      o.zeroGrad();
      const value = loss.forward(m.forward(x), y);
      m.backward(loss.backward());
      o.step();
      return value;
    };
    step(model, opt);
    const snapshot = (): unknown => ({ model: state(model), grads: model.parameters().map((p) => Array.from(p.grad.toFloat32Array())), opt: opt.stateDict() });
    const before = snapshot();
    const logits = rnd(g, [3003, 5]), badY = Tensor.from(Array.from({ length: 3003 }, (_, i) => (i === 2999 ? 5 : i % 5)));
    rejects(() => model.forward(rnd(g, [7, 28])), ShapeError, /29/);
    rejects(() => { opt.lr = NaN; }, ValueError, /lr/);
    rejects(() => clipGradNorm(model.parameters(), NaN), ValueError, /NaN/);
    rejects(() => fit(model, { x, y, loss, optimizer: opt, epochs: 1, batchSize: NaN }), ValueError, /batchSize/);
    rejects(() => fit(model, { x, y: badY, loss, optimizer: opt, epochs: 1, batchSize: 1001 }), ValueError, /y\[2999\]/);
    rejects(() => loss.forward(logits, badY), ValueError, /target\[2999\] = 5/); // the batch split in row chunks
    rejects(() => mse.forward(logits, rnd(g, [3003, 4])), ShapeError, /MSELoss\.forward/);
    expect(snapshot()).toEqual(before);
    // A twin given the same state takes the same next step.
    twin.loadStateDict(model.stateDict());
    twinOpt.loadStateDict(opt.stateDict());
    expect(step(model, opt)).toBe(step(twin, twinOpt));
    expect(state(model)).toEqual(state(twin));
    model.dispose();
    twin.dispose();
  });

  it('an OutOfMemoryError in any allocation of a training step on 3 threads leaves the same state as on 1 thread, and the pool working', async () => {
    await init({ threads: 3 });
    setParallelThreshold(0);
    let refused = 0;
    for (let k = 0; k < oneThread.refusals.length; k++) {
      const got = stepsWithRefusal(k + 1);
      refused += got.refused;
      expect(got, `allocation ${k + 1} refused`).toEqual(oneThread.refusals[k]);
    }
    expect(refused).toBeGreaterThan(5);
    // A real one: an output past 4 GiB, refused before any kernel runs.
    const wide = new Linear(1, 2 ** 20);
    const error = (() => { try { wide.forward(Tensor.zeros([1100, 1])); } catch (e) { return e; } return null; })();
    expect(error).toBeInstanceOf(OutOfMemoryError);
    expect(error).toBeInstanceOf(WasmnnError);
    wide.dispose();
    expect(stepsWithRefusal(1000)).toEqual(oneThread.unrefused);
  });
});

describe('round 6: per-thread scratch', () => {
  /** Module memory (output + scratch) and output of an inference Conv2d forward on `threads` threads, every call split. */
  async function inference(threads: number, images: number, method: ConvMethod): Promise<{ bytes: number; y: number[] }> {
    await init({ threads });
    setParallelThreshold(0);
    setConvMethod(method);
    const g = new Generator(3);
    const conv = new Conv2d(16, 12, 3, { padding: 1, generator: g });
    const x = rnd(g, [images, 16, 30, 30]);
    const before = memoryStats().byKind.module.bytes;
    const y = Array.from(conv.forward(x).toFloat32Array());
    const bytes = memoryStats().byKind.module.bytes - before;
    conv.dispose();
    return { bytes, y };
  }

  it('a job of 2 chunks on 8 threads writes only the first 2 scratch slices (the slice was the thread index: any of 8)', async () => {
    await init({ threads: 8 });
    const G = 20_000, slices = Tensor.zeros([8 * G]);
    const base = slices._storage.ptr(slices._offset);
    for (let rep = 0; rep < 300; rep++) {
      // fill(count, pointer, value): each chunk of G units fills G floats of its thread's slice.
      parallelFor('fill', [2 * G, base, rep + 1], 2 * G, G, { count: 0, scratch: 1 }, 1e9, 4 * G, 1);
      const v = slices.toFloat32Array();
      expect(v.subarray(2 * G).every((x) => x === 0), `repetition ${rep}: a slice past the second was written`).toBe(true);
      expect(v[0]).toBe(rep + 1); // the first thread to join takes slice 0
    }
    slices.dispose();
  });

  it.each(['direct', 'pixels', 'gemm'] as const)('a one-image Conv2d forward (%s) takes one thread\'s scratch on 8 threads (it took 8: a 224×224×64 image needed 1.3 GB, and 64 threads ran out of memory)', async (method) => {
    const one = await inference(1, 1, method);
    expect(await inference(8, 1, method)).toEqual(one);
    expect(await inference(8, 3, method)).toEqual(await inference(3, 3, method)); // 3 images: at most 3 threads take part
  });
});

describe('round 6: what getThreads() reports', () => {
  beforeAll(async () => {
    await init({ threads: 1 });
  });

  it('a Node process without SharedArrayBuffer is told so, not to serve a page with COOP / COEP headers (it was)', async () => {
    const g = globalThis as { SharedArrayBuffer?: unknown };
    const sab = g.SharedArrayBuffer;
    const logged = (['log', 'info', 'warn', 'error', 'debug'] as const).map((name) => vi.spyOn(console, name));
    try {
      delete g.SharedArrayBuffer;
      const result = await init({ threads: 2 });
      for (const spy of logged) expect(spy).not.toHaveBeenCalled(); // said through the result, not the console
      expect(result).toMatchObject({ threads: 1, requested: 2 });
      expect(result.reason).toBe('SharedArrayBuffer is unavailable in this Node process (disabled, e.g. by --no-harmony-sharedarraybuffer, or removed from globalThis)');
      expect(getThreads().reason).toBe(result.reason);
    } finally {
      g.SharedArrayBuffer = sab;
    }
    expect((await init({ threads: 2 })).threads).toBe(2);
  });

  it("with setBackend('reference') the kernels run on one thread, and getThreads() / init say so (they said 2 / 3)", async () => {
    await init({ threads: 2 });
    try {
      setBackend('reference');
      expect(threadCount()).toBe(1);
      expect(getThreads()).toEqual({ threads: 1, requested: 2, reason: expect.stringMatching(/^setBackend\('reference'\) is active: .*on 2 threads again/) });
      const result = await init({ threads: 3 });
      expect(result).toMatchObject({ backend: 'reference', threads: 1, requested: 3 });
      expect(result.reason).toMatch(/setBackend\('wasm'\) runs the kernels on 3 threads again/);
      setBackend('wasm');
      expect(threadCount()).toBe(3);
      expect(getThreads()).toEqual({ threads: 3, requested: 3, reason: null });
    } finally {
      setBackend('wasm');
    }
  });
});
