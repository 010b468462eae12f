/**
 * The thread pool: workers (Node worker_threads, or Web Workers in browsers) that each run an
 * instance of the threads build on the one shared memory, and the calling thread, which takes
 * part in every job. A job is "run kernel K over the units [0, n) in chunks": threads claim
 * chunks until none is left (a slow or descheduled worker only means the others take more), and
 * reductions return one value per chunk, summed by the caller in chunk order. The protocol is
 * described in pool-worker.ts.
 */
import { StateError } from '../errors.js';
import {
  CTRL_INTS, JOB_SLOTS, LAYOUT as L, runChunks, workerSource, type PoolKernel, type WorkerInit,
} from './pool-worker.js';

/**
 * How a kernel's arguments change for one chunk [begin, end) of its units (elements, rows,
 * columns…). Argument positions are 0-based.
 */
export interface Split {
  /** Receives the chunk's unit count, end - begin (kernels of the form `(n, ptr, …)`). */
  readonly count?: number;
  /** Receives begin; the next argument receives end (kernels with `[begin, end)` arguments). */
  readonly range?: number;
  /** Pointer arguments advanced by begin · bytesPerUnit (a null pointer stays null). */
  readonly offsets?: ReadonlyArray<readonly [arg: number, bytesPerUnit: number]>;
  /**
   * Per-thread scratch: this argument is advanced by slot · scratchBytes (0 stays 0), the slot
   * being the order in which the thread joined the job: below min(threads, chunks).
   */
  readonly scratch?: number;
}

/** Chunks one job may have (reductions pick their fixed chunk size within this). */
export const MAX_CHUNKS = 4096;
/** NEXT between jobs: beyond any TOTAL, so a late claim fails. */
const IDLE = 1 << 30;
/**
 * How long an idle worker polls for the next job before it sleeps (ms). The gaps between the
 * parallel kernels of a training step (the optimizer, the loss, small kernels kept inline, the
 * JavaScript between calls) reach a few ms on the mnist network; a worker that slept in such a
 * gap pays a futex wake-up per job, which on this VM made the mnist step on 2 threads bimodal
 * (9 or 13–17 ms per process). 5 ms keeps a training loop's workers awake (measured: 8.7–8.9 ms
 * in every run) and still lets them sleep, costing nothing, soon after training stops.
 */
const WORKER_SPIN_MS = 5;
/**
 * How long the calling thread polls for the last chunks before it sleeps, where it may (ms):
 * a chunk of a split product takes 0.1–5 ms, so polling that long answers at once.
 */
const CALLER_SPIN_MS = 0.5;

/** Writes a job description into `job` (the layout of pool-worker.ts); returns its chunk count. */
export function writeJob(
  job: Float64Array, kernel: number, args: ArrayLike<number>, units: number, chunk: number, split: Split,
  scratchBytes: number, reduce: boolean,
): number {
  if (args.length > L.MAX_ARGS) throw new StateError(`internal: a pool job takes at most ${L.MAX_ARGS} arguments`);
  const offsets = split.offsets ?? [];
  if (offsets.length > L.MAX_OFFSETS) throw new StateError(`internal: at most ${L.MAX_OFFSETS} offset arguments`);
  job[L.KERNEL] = kernel;
  job[L.UNITS] = units;
  job[L.CHUNK] = chunk;
  job[L.COUNT] = split.count ?? -1;
  job[L.RANGE] = split.range ?? -1;
  job[L.SCRATCH] = split.scratch ?? -1;
  job[L.SCRATCH_BYTES] = scratchBytes;
  job[L.REDUCE] = reduce ? 1 : 0;
  job[L.ARGC] = args.length;
  job[L.N_OFFSETS] = offsets.length;
  for (let o = 0; o < offsets.length; o++) {
    job[L.OFFSETS + 2 * o] = offsets[o]![0];
    job[L.OFFSETS + 2 * o + 1] = offsets[o]![1];
  }
  for (let i = 0; i < args.length; i++) job[L.ARGS + i] = args[i]!;
  return Math.ceil(units / chunk);
}

/** The part of a Node Worker or a Web Worker the pool uses. */
interface WorkerHandle {
  terminate(): unknown;
}

/** Whether Atomics.wait may block here (not on a browser's main thread). */
function callerCanBlock(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

/** Whether this is Node (worker_threads), rather than a browser (Web Workers). */
export const isNode = (): boolean =>
  typeof process === 'object' && typeof (process as { versions?: { node?: string } }).versions?.node === 'string';

/** Why a browser worker failed to start when its error event says nothing. */
export const BLOCKED_WORKER = 'a Worker from a blob: URL failed to start (a Content-Security-Policy must allow ' +
  "worker-src blob: — or child-src / script-src blob: where worker-src is not set — for init({ threads }))";

/** Starts one worker and resolves once it has instantiated the kernels. */
async function spawn(init: WorkerInit): Promise<WorkerHandle> {
  if (isNode()) {
    // A computed specifier keeps browser bundlers from resolving a Node module.
    const specifier = ['node', 'worker_threads'].join(':');
    const { Worker } = (await import(/* @vite-ignore */ specifier)) as {
      Worker: new (code: string, options: { eval: boolean }) => NodeWorker;
    };
    const worker = new Worker(workerSource('node'), { eval: true });
    worker.unref(); // a process that used threads still exits when its own work is done
    return new Promise((resolve, reject) => {
      worker.once('message', (m: unknown) => (m === 'ready' ? resolve(worker) : reject(new Error(String(m)))));
      worker.once('error', (e: unknown) => reject(e instanceof Error ? e : new Error(String(e))));
      worker.once('exit', (code: unknown) => reject(new Error(`a worker exited with code ${String(code)}`)));
      worker.postMessage(init);
    });
  }
  if (typeof Worker !== 'function') throw new Error('this environment has no Worker');
  const url = URL.createObjectURL(new Blob([workerSource('browser')], { type: 'text/javascript' }));
  const worker = new Worker(url);
  return new Promise<WorkerHandle>((resolve, reject) => {
    worker.onmessage = (e: MessageEvent) => {
      worker.onmessage = null;
      if (e.data === 'ready') resolve(worker);
      else reject(new Error(String(e.data)));
    };
    // A worker the page's Content-Security-Policy blocks fires an error event with no message.
    worker.onerror = (e: ErrorEvent) => reject(new Error(e.message || BLOCKED_WORKER));
    worker.postMessage(init);
  }).finally(() => URL.revokeObjectURL(url));
}

interface NodeWorker extends WorkerHandle {
  unref(): void;
  once(event: string, listener: (value: unknown) => void): void;
  postMessage(value: unknown): void;
}

/** A running pool of `threads` threads (the caller and threads - 1 workers). */
export class Pool {
  private readonly args = new Float64Array(L.MAX_ARGS);
  private stopped = false;

  private constructor(
    readonly threads: number,
    private readonly ctrl: Int32Array,
    private readonly job: Float64Array,
    private readonly results: Float64Array,
    private readonly fns: PoolKernel[],
    private readonly ids: ReadonlyMap<string, number>,
    private readonly workers: WorkerHandle[],
    private readonly canBlock: boolean,
  ) {}

  /**
   * Starts threads - 1 workers on `memory` with the compiled threads build; `exports` is the
   * calling thread's instance of it. Rejects (stopping what started) when a worker fails.
   */
  static async start(
    threads: number, module: WebAssembly.Module, memory: WebAssembly.Memory, exports: Record<string, unknown>,
  ): Promise<Pool> {
    const names = Object.keys(exports).filter((name) => typeof exports[name] === 'function').sort();
    const ctrl = new Int32Array(new SharedArrayBuffer(CTRL_INTS * 4));
    const job = new Float64Array(new SharedArrayBuffer(JOB_SLOTS * 8));
    const results = new Float64Array(new SharedArrayBuffer(MAX_CHUNKS * 8));
    ctrl[L.NEXT] = IDLE;
    const settled = await Promise.allSettled(Array.from({ length: threads - 1 }, (_, i) =>
      spawn({ module, memory, ctrl, job, results, names, thread: i + 1, spinMs: WORKER_SPIN_MS, layout: L })));
    const workers = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const failed = settled.find((s) => s.status === 'rejected');
    const fns = names.map((name) => exports[name] as PoolKernel);
    const pool = new Pool(threads, ctrl, job, results, fns, new Map(names.map((n, i) => [n, i])), workers, callerCanBlock());
    if (failed) {
      pool.stop();
      throw (failed as PromiseRejectedResult).reason;
    }
    return pool;
  }

  /** Whether the calling thread sleeps in Atomics.wait (else it polls: a browser's main thread). */
  get callerBlocks(): boolean {
    return this.canBlock;
  }

  /**
   * Runs `kernel` over [0, units) in chunks of `chunk` units on all threads and returns, for a
   * reduction, the chunks' values summed in chunk order (otherwise 0).
   */
  run(kernel: string, args: ArrayLike<number>, units: number, chunk: number, split: Split, scratchBytes: number, reduce: boolean): number {
    if (this.stopped) throw new StateError('internal: the thread pool was stopped');
    const id = this.ids.get(kernel);
    if (id === undefined) throw new StateError(`internal: no kernel named ${kernel}`);
    const ctrl = this.ctrl;
    const chunks = writeJob(this.job, id, args, units, chunk, split, scratchBytes, reduce);
    if (chunks > MAX_CHUNKS) throw new StateError(`internal: ${chunks} chunks exceed ${MAX_CHUNKS}`);
    Atomics.store(ctrl, L.TOTAL, chunks);
    Atomics.store(ctrl, L.DONE, 0);
    Atomics.store(ctrl, L.ERROR, 0);
    Atomics.store(ctrl, L.SLOTS, 0);
    Atomics.add(ctrl, L.GEN, 1);
    Atomics.store(ctrl, L.NEXT, 0);
    if (Atomics.load(ctrl, L.SLEEPERS) > 0) Atomics.notify(ctrl, L.GEN);
    runChunks(this.fns, ctrl, this.job, this.results, this.args, 0, L);
    this.waitDone(chunks);
    Atomics.store(ctrl, L.NEXT, IDLE);
    if (Atomics.load(ctrl, L.ERROR) !== 0) throw new StateError(`internal: kernel ${kernel} failed on a thread`);
    if (!reduce) return 0;
    let total = 0;
    for (let c = 0; c < chunks; c++) total += this.results[c]!;
    return total;
  }

  private waitDone(chunks: number): void {
    const ctrl = this.ctrl;
    let spins = 0, until = Infinity;
    for (;;) {
      const done = Atomics.load(ctrl, L.DONE);
      if (done >= chunks) return;
      if (!this.canBlock || (++spins & 63) !== 0) continue;
      if (until === Infinity) until = performance.now() + CALLER_SPIN_MS;
      else if (performance.now() > until) {
        Atomics.store(ctrl, L.MAIN_WAITING, 1);
        Atomics.wait(ctrl, L.DONE, done, 20);
        Atomics.store(ctrl, L.MAIN_WAITING, 0);
      }
    }
  }

  /** Chunks each thread has run so far (index 0: the calling thread). */
  chunksByThread(): number[] {
    return Array.from({ length: this.threads }, (_, t) => Atomics.load(this.ctrl, L.CHUNKS_BY_THREAD + t));
  }

  /** Stops the workers (they finish no further jobs); the pool cannot be used afterwards. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    Atomics.store(this.ctrl, L.STOP, 1);
    Atomics.add(this.ctrl, L.GEN, 1);
    Atomics.notify(this.ctrl, L.GEN);
    for (const worker of this.workers) void worker.terminate();
  }
}
