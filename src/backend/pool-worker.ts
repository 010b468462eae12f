/**
 * The code every thread of the pool runs, written as self-contained functions: workers receive
 * it as source text (`workerSource`), so the package needs no separate worker file, and the
 * calling thread runs the same `runChunks`. Nothing here may refer to module scope: only
 * parameters and globals (Atomics, WebAssembly, performance).
 *
 * Protocol (all in one shared Int32Array `ctrl`, indices in `Layout`):
 * - the caller writes a job into the shared Float64Array `job`, then GEN += 1, then NEXT = 0,
 *   and wakes sleeping workers;
 * - every thread claims chunks with `Atomics.add(NEXT, 1)` until the claim passes TOTAL, runs
 *   each claimed chunk, stores its value (reductions) in `results[chunk]`, then DONE += 1;
 * - a thread's first claim in a job also takes the next scratch slot (`Atomics.add(SLOTS, 1)`,
 *   reset to 0 with each job): per-thread scratch is indexed by slot, so a job of c chunks uses
 *   at most min(threads, c) slices (a one-image convolution needs one slice on any thread count);
 * - the job is over when DONE = TOTAL; the caller then sets NEXT past any total, so a late
 *   claim never hits the next job before it is published.
 * A claim below TOTAL always belongs to the current job (it cannot end before the chunk is
 * done), so job fields read after a claim are that job's.
 */

/** Indices into `ctrl` (ints; the hot counters on separate 64-byte lines) and into `job`. */
export interface Layout {
  GEN: number; TOTAL: number; STOP: number; ERROR: number;
  NEXT: number; DONE: number; SLEEPERS: number; MAIN_WAITING: number; SLOTS: number; CHUNKS_BY_THREAD: number;
  KERNEL: number; UNITS: number; CHUNK: number; COUNT: number; RANGE: number; SCRATCH: number;
  SCRATCH_BYTES: number; REDUCE: number; ARGC: number; N_OFFSETS: number; OFFSETS: number; ARGS: number;
  MAX_ARGS: number; MAX_OFFSETS: number;
}

export const LAYOUT: Layout = {
  GEN: 0, TOTAL: 1, STOP: 2, ERROR: 3, NEXT: 16, DONE: 32, SLEEPERS: 48, MAIN_WAITING: 49, SLOTS: 50, CHUNKS_BY_THREAD: 64,
  KERNEL: 0, UNITS: 1, CHUNK: 2, COUNT: 3, RANGE: 4, SCRATCH: 5, SCRATCH_BYTES: 6, REDUCE: 7, ARGC: 8,
  N_OFFSETS: 9, OFFSETS: 10, ARGS: 26, MAX_ARGS: 24, MAX_OFFSETS: 8,
};
/** Int32 slots of `ctrl` (the last 64 count the chunks each thread ran, for tests and diagnostics). */
export const CTRL_INTS = 128;
/** Float64 slots of `job`. */
export const JOB_SLOTS = LAYOUT.ARGS + LAYOUT.MAX_ARGS;

/** A kernel as the pool calls it: up to MAX_ARGS numbers in, a number (reductions) or nothing out. */
export type PoolKernel = (...args: number[]) => number | void;

/**
 * Claims and runs chunks of the current job until none is left. `a` is scratch for one call's
 * arguments (MAX_ARGS numbers); `thread` is this thread's index (for CHUNKS_BY_THREAD); its
 * slice of per-thread scratch is the slot its first claim in the job took.
 */
export function runChunks(
  fns: PoolKernel[], ctrl: Int32Array, job: Float64Array, results: Float64Array, a: Float64Array,
  thread: number, L: Layout,
): void {
  let gen = -1, fn: PoolKernel = fns[0]!, units = 0, chunk = 1, count = -1, range = -1, scratch = -1;
  let scratchBytes = 0, reduce = 0, argc = 0, nOffsets = 0, slot = 0;
  for (;;) {
    const c = Atomics.add(ctrl, L.NEXT, 1);
    const total = Atomics.load(ctrl, L.TOTAL);
    if (c >= total) return;
    const g = Atomics.load(ctrl, L.GEN);
    if (g !== gen) {
      gen = g;
      fn = fns[job[L.KERNEL]!]!;
      units = job[L.UNITS]!; chunk = job[L.CHUNK]!; count = job[L.COUNT]!; range = job[L.RANGE]!;
      scratch = job[L.SCRATCH]!; scratchBytes = job[L.SCRATCH_BYTES]!; reduce = job[L.REDUCE]!;
      argc = job[L.ARGC]!; nOffsets = job[L.N_OFFSETS]!;
      slot = Atomics.add(ctrl, L.SLOTS, 1); // before the job can end: this claim's chunk is not done
    }
    const begin = c * chunk;
    const end = Math.min(units, begin + chunk);
    for (let i = 0; i < argc; i++) a[i] = job[L.ARGS + i]!;
    if (count >= 0) a[count] = end - begin;
    if (range >= 0) {
      a[range] = begin;
      a[range + 1] = end;
    }
    for (let o = 0; o < nOffsets; o++) {
      const arg = job[L.OFFSETS + 2 * o]!;
      // A null pointer (an absent optional buffer) stays null.
      if (a[arg] !== 0) a[arg] = a[arg]! + begin * job[L.OFFSETS + 2 * o + 1]!;
    }
    if (scratch >= 0 && a[scratch] !== 0) a[scratch] = a[scratch]! + slot * scratchBytes;
    let value = 0;
    try {
      value = Number(fn(a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, a[5]!, a[6]!, a[7]!, a[8]!, a[9]!, a[10]!, a[11]!,
        a[12]!, a[13]!, a[14]!, a[15]!, a[16]!, a[17]!, a[18]!, a[19]!, a[20]!, a[21]!, a[22]!, a[23]!));
    } catch {
      Atomics.store(ctrl, L.ERROR, 1);
    }
    if (reduce) results[c] = value;
    Atomics.add(ctrl, L.CHUNKS_BY_THREAD + thread, 1);
    if (Atomics.add(ctrl, L.DONE, 1) + 1 === total && Atomics.load(ctrl, L.MAIN_WAITING) !== 0) {
      Atomics.notify(ctrl, L.DONE);
    }
  }
}

/** What a worker receives in its first message. */
export interface WorkerInit {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  ctrl: Int32Array;
  job: Float64Array;
  results: Float64Array;
  /** Export names, in the order of kernel ids. */
  names: string[];
  /** This worker's thread index (1…threads-1; the calling thread is 0). */
  thread: number;
  /** How long an idle worker polls for the next job before it sleeps in Atomics.wait. */
  spinMs: number;
  layout: Layout;
}

/** A worker's life: instantiate the kernels on the shared memory, say ready, serve jobs until STOP. */
export function workerLoop(init: WorkerInit, ready: (message: string) => void): void {
  const L = init.layout, ctrl = init.ctrl;
  let fns: PoolKernel[];
  try {
    const instance = new WebAssembly.Instance(init.module, { env: { memory: init.memory } });
    const exports = instance.exports as Record<string, PoolKernel>;
    fns = init.names.map((name) => exports[name]!);
  } catch (error) {
    ready('error: ' + String(error));
    return;
  }
  const a = new Float64Array(L.MAX_ARGS);
  let seen = Atomics.load(ctrl, L.GEN);
  ready('ready');
  for (;;) {
    if (Atomics.load(ctrl, L.GEN) === seen) {
      const until = performance.now() + init.spinMs;
      let spins = 0;
      while (Atomics.load(ctrl, L.GEN) === seen) {
        if ((++spins & 255) === 0 && performance.now() > until) {
          Atomics.add(ctrl, L.SLEEPERS, 1);
          Atomics.wait(ctrl, L.GEN, seen);
          Atomics.sub(ctrl, L.SLEEPERS, 1);
        }
      }
    }
    seen = Atomics.load(ctrl, L.GEN);
    if (Atomics.load(ctrl, L.STOP) !== 0) return;
    runChunks(fns, ctrl, init.job, init.results, a, init.thread, L);
  }
}

/** The source text of a worker: the two functions above and a bootstrap for Node or browsers. */
export function workerSource(platform: 'node' | 'browser'): string {
  const boot = platform === 'node'
    // import(), not require: the eval'd source runs as ESM when the process was started so; a
    // computed specifier, as everywhere in the core, so that bundlers leave it alone.
    ? "import(['node', 'worker_threads'].join(':')).then(({ parentPort }) =>\n" +
      '  parentPort.once("message", (init) => serve(init, (m) => parentPort.postMessage(m))));\n'
    : 'self.onmessage = (e) => { self.onmessage = null; serve(e.data, (m) => self.postMessage(m)); };\n';
  // runChunks keeps whatever name the bundler gave it (workerLoop calls it by that name);
  // workerLoop is bound to a fixed one. `__name` covers bundlers that keep names with a helper.
  return `'use strict';\nvar __name = (f) => f;\n${runChunks.toString()}\nconst serve = (${workerLoop.toString()});\n${boot}`;
}
