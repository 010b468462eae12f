// init({ threads }): the same parameters, bit for bit, after training with 1, 2, 3 and 4 threads
// (and with the default single-thread build before any init), workers that really take part,
// validation that changes nothing, the fallback reasons, and a process that still exits.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  Adam, AdaptiveAvgPool2d, AvgPool2d, BatchNorm2d, Conv2d, CrossEntropyLoss, DataLoader, Dropout, Flatten, GELU, Generator, LayerNorm, Linear,
  LogSoftmax, MSELoss, MaxPool2d, NLLLoss, ReLU, SGD, Sequential, Tanh, Tensor, ValueError, clipGradNorm, getThreads, init, memoryStats,
} from '../../src/index.js';
import { runtime } from '../../src/backend/runtime.js';
import { setParallelThreshold } from '../../src/backend/parallel.js';
import { setConvMethod, type ConvMethod } from '../../src/backend/ops-conv.js';
import { workerChunks } from '../helpers/threads.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

function data(g: Generator, rows: number, cols: number): Tensor {
  return Tensor.from(Float32Array.from({ length: rows * cols }, () => g.uniform(-1, 1)), [rows, cols]);
}

/**
 * Two trainings that touch every split kernel: GEMMs (all three products, packed and not),
 * GELU / Tanh / ReLU, softmax cross-entropy, an MSE over more than one reduction chunk, Adam,
 * SGD with momentum, clipGradNorm (sum of squares) and the DataLoader's gather. Returns every
 * parameter's values after the last step and every loss value.
 */
function train(): { params: Float32Array[]; losses: number[] } {
  const g = new Generator(11);
  const x = data(g, 600, 96);
  const classes = Tensor.from(Array.from({ length: 600 }, () => g.randint(10)));
  const targets = data(g, 600, 64);
  const a = new Sequential(new Linear(96, 160, { generator: g }), new GELU(), new Linear(160, 144, { generator: g }),
    new Tanh(), new Linear(144, 10, { generator: g }));
  const b = new Sequential(new Linear(96, 200, { generator: g }), new ReLU(), new Linear(200, 64, { generator: g }));
  const optA = new Adam(a.parameters(), { lr: 1e-3 });
  const optB = new SGD(b.parameters(), { lr: 1e-2, momentum: 0.9 });
  const ce = new CrossEntropyLoss(), mse = new MSELoss();
  const loaderA = new DataLoader(x, classes, { batchSize: 300, shuffle: true, seed: 5 });
  const loaderB = new DataLoader(x, targets, { batchSize: 300, shuffle: true, seed: 6 });
  const losses: number[] = [];
  for (let epoch = 0; epoch < 3; epoch++) {
    for (const batch of loaderA) {
      optA.zeroGrad();
      losses.push(ce.forward(a.forward(batch.x), batch.y));
      a.backward(ce.backward());
      optA.step();
    }
    for (const batch of loaderB) {
      optB.zeroGrad();
      losses.push(mse.forward(b.forward(batch.x), batch.y));
      b.backward(mse.backward());
      clipGradNorm(b.parameters(), 0.5);
      optB.step();
    }
  }
  const params = [...a.parameters(), ...b.parameters()].map((p) => p.toFloat32Array());
  a.dispose();
  b.dispose();
  optA.dispose();
  optB.dispose();
  return { params, losses };
}

/**
 * A small CNN touching the convolution, pooling and normalisation kernels: Conv2d (and a
 * depthwise one), BatchNorm2d (batch statistics and dγ / dβ), AdaptiveAvgPool2d (16 → 12,
 * overlapping windows), MaxPool2d, AvgPool2d with padding, LayerNorm over [6, 6]
 * (rows and column dγ / dβ), Dropout (its mask split by element range), LogSoftmax + NLLLoss,
 * trained a few steps with Adam. Returns parameters, the BatchNorm
 * running statistics and the losses. `method` computes every convolution pass directly or by
 * im2col + GEMM (both have their own split: over images, taps, or none).
 */
function trainCnn(method: ConvMethod): { params: Float32Array[]; running: Float32Array[]; losses: number[]; inputGrad: Float32Array } {
  setConvMethod(method);
  const g = new Generator(23);
  const x = Tensor.from(Float32Array.from({ length: 16 * 3 * 16 * 16 }, () => g.uniform(-1, 1)), [16, 3, 16, 16]);
  const y = Tensor.from(Array.from({ length: 16 }, () => g.randint(5)));
  const bn = new BatchNorm2d(7);
  const model = new Sequential(new Conv2d(3, 7, 3, { padding: 1, generator: g }), bn, new ReLU(), new AdaptiveAvgPool2d(12), new MaxPool2d(2),
    new Conv2d(7, 7, 3, { padding: 1, groups: 7, generator: g }), new AvgPool2d(3, { stride: 1, padding: 1 }), new LayerNorm([6, 6]), new Flatten(), new Dropout(0.3, { generator: g }),
    new Linear(7 * 36, 5, { generator: g }), new LogSoftmax(1));
  const opt = new Adam(model.parameters(), { lr: 1e-2 });
  const ce = new NLLLoss();
  const losses: number[] = [];
  let inputGrad: Float32Array = new Float32Array(0);
  for (let step = 0; step < 6; step++) {
    opt.zeroGrad();
    losses.push(ce.forward(model.forward(x), y));
    inputGrad = model.backward(ce.backward()).toFloat32Array(); // the convolution's input gradient too
    opt.step();
  }
  const params = model.parameters().map((p) => p.toFloat32Array());
  const running = [bn.runningMean!, bn.runningVar!].map((t) => t.toFloat32Array());
  model.dispose();
  opt.dispose();
  setConvMethod(null);
  return { params, running, losses, inputGrad };
}


describe('init({ threads })', () => {
  afterAll(async () => {
    setParallelThreshold();
    await init({ threads: 1 });
  });

  // The first run happens before any init: the default build, on its own (unshared) memory.
  const reference = train();
  const cnnReference = { direct: trainCnn('direct'), pixels: trainCnn('pixels'), gemm: trainCnn('gemm') };
  const early = Tensor.from([1, 2, 3]);

  it('rejects invalid thread counts and unknown options with a ValueError, changing nothing', async () => {
    const before = getThreads();
    for (const threads of [0, -1, 1.5, NaN, Infinity, 65, '2', null, true]) {
      await expect(init({ threads: threads as number })).rejects.toThrow(ValueError);
    }
    await expect(init({ threads: 0 })).rejects.toThrow(/threads must be 'auto' or an integer from 1 to 64, got 0/);
    await expect(init({ thread: 2 } as never)).rejects.toThrow(/unknown option 'thread'/);
    await expect(init(null as never)).rejects.toThrow(ValueError);
    expect(getThreads()).toEqual(before);
    expect(runtime().shared).toBe(false);
  });

  it.each([2, 3, 4])('gives bit-identical parameters with %i threads, the workers taking part', async (threads) => {
    const result = await init({ threads });
    expect(result).toEqual({ backend: 'wasm', threads, requested: threads, reason: null });
    expect(getThreads()).toEqual({ threads, requested: threads, reason: null });
    expect(Array.from(early.toFloat32Array())).toEqual([1, 2, 3]); // made before the memory became shared
    const before = workerChunks();
    expect(train()).toEqual(reference);
    expect(workerChunks()).toBeGreaterThan(before);
  });

  it('stays bit-identical when every call is split, however small (threshold 0)', async () => {
    setParallelThreshold(0);
    try {
      for (const threads of [2, 3]) {
        await init({ threads });
        expect(train()).toEqual(reference);
      }
    } finally {
      setParallelThreshold();
    }
  });

  it.each([2, 3, 4])('trains a CNN bit-identically with %i threads, every call split, the workers taking part', async (threads) => {
    setParallelThreshold(0);
    try {
      await init({ threads });
      const before = workerChunks();
      for (const method of ['direct', 'pixels', 'gemm'] as const) expect(trainCnn(method)).toEqual(cnnReference[method]);
      expect(workerChunks()).toBeGreaterThan(before);
    } finally {
      setParallelThreshold();
    }
  });

  it('survives memory growth while the workers run', async () => {
    await init({ threads: 2 });
    const grows = memoryStats().growCount;
    const big = Tensor.zeros([4096, 1024]); // 16 MiB: memory grows with the workers running
    expect(memoryStats().growCount).toBeGreaterThan(grows);
    expect(train()).toEqual(reference);
    big.dispose();
  });

  it("init({ threads: 1 }) stops the workers; 'auto' uses the cores available", async () => {
    await init({ threads: 2 });
    expect(runtime().pool).not.toBeNull();
    expect(await init({ threads: 1 })).toEqual({ backend: 'wasm', threads: 1, requested: 1, reason: null });
    expect(runtime().pool).toBeNull();
    expect(train()).toEqual(reference);
    const auto = await init({ threads: 'auto' });
    const { availableParallelism } = await import('node:os');
    expect(auto.requested).toBe(Math.min(availableParallelism(), 64));
    expect(auto.threads).toBe(auto.requested);
    expect(auto.reason).toBeNull();
    await init({ threads: 1 });
  });

  it('falls back to one thread, saying why, without SharedArrayBuffer or cross-origin isolation', async () => {
    const g = globalThis as { SharedArrayBuffer?: unknown; crossOriginIsolated?: boolean };
    const sab = g.SharedArrayBuffer;
    try {
      delete g.SharedArrayBuffer;
      const result = await init({ threads: 2 });
      expect(result.threads).toBe(1);
      expect(result.requested).toBe(2);
      expect(result.reason).toMatch(/^SharedArrayBuffer is unavailable in this Node process/); // no page, no headers in Node
      expect(getThreads()).toEqual({ threads: 1, requested: 2, reason: result.reason });
    } finally {
      g.SharedArrayBuffer = sab;
    }
    try {
      g.crossOriginIsolated = false;
      expect((await init({ threads: 4 })).reason).toMatch(
        /not cross-origin isolated \(serve it with the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp\)/);
    } finally {
      delete g.crossOriginIsolated;
    }
    expect(runtime().pool).toBeNull();
    expect(train()).toEqual(reference);
    expect((await init({ threads: 2 })).threads).toBe(2);
  });
});

describe('a Node process that called init({ threads })', () => {
  const script = (imports: string): string => `${imports}
    const r = await init({ threads: 2 });
    const model = new Sequential(new Linear(256, 256), new ReLU(), new Linear(256, 1));
    const x = Tensor.zeros([512, 256]);
    for (let i = 0; i < 5; i++) model.backward(model.forward(x));
    console.log(JSON.stringify(r));`;
  const names = 'init, Sequential, Linear, ReLU, Tensor';

  it.each([
    ['ESM', ['--input-type=module', '-e', script(`import { ${names} } from 'wasmnn';`)]],
    ['CommonJS', ['-e', `(async () => { ${script(`const { ${names} } = require('wasmnn');`)} })()`]],
  ])('exits by itself when its work is done (%s build of dist/)', (_name, args) => {
    // execFileSync throws on a timeout: a process kept alive by its workers fails the test.
    const out = execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8', timeout: 30_000 });
    expect(JSON.parse(out.trim())).toEqual({ backend: 'wasm', threads: 2, requested: 2, reason: null });
  });
});

describe('init calls', () => {
  it('are handled one after the other: the last one wins', async () => {
    const results = await Promise.all([init({ threads: 2 }), init({ threads: 3 }), init({ threads: 1 }), init({ threads: 2 })]);
    expect(results.map((r) => r.threads)).toEqual([2, 3, 1, 2]);
    expect(getThreads().threads).toBe(2);
    expect(runtime().pool?.threads).toBe(2);
    await init({ threads: 1 });
    expect(runtime().pool).toBeNull();
  });
});
