/**
 * init({ threads }): what the environment allows, and starting or stopping the pool. The
 * runtime (runtime.ts) owns the state; this file decides and reports, never logs.
 */
import { ValueError } from '../errors.js';
import { describe } from '../check-values.js';
import { Pool, isNode } from './pool.js';
import { compileThreads } from './wasm.js';

/** The most threads init accepts. */
export const MAX_THREADS = 64;

/** What getThreads() reports. */
export interface ThreadsInfo {
  /** Threads the kernels run on (1: the calling thread only). */
  threads: number;
  /** Threads asked for by the last init({ threads }), with 'auto' resolved to a count. */
  requested: number;
  /**
   * Why the kernels run on one thread or fewer than were asked for (no SharedArrayBuffer, the
   * reference kernels, workers that failed to start — or 'auto' finding one core); null otherwise.
   */
  reason: string | null;
}

/** The part of the runtime that threads change. */
export interface ThreadHost {
  pool: Pool | null;
  threads: ThreadsInfo;
  /** Whether the WASM kernels (not the reference) are available. */
  readonly hasWasm: boolean;
  /** Moves onto the threads build and a shared memory (once); returns what workers share. */
  share(module: WebAssembly.Module): { memory: WebAssembly.Memory; exports: Record<string, unknown> };
}

/** Validates the `threads` option: a whole count in [1, MAX_THREADS] or 'auto'. */
export function checkThreads(value: unknown): number | 'auto' {
  if (value === 'auto') return value;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_THREADS) {
    throw new ValueError(
      `init: threads must be 'auto' or an integer from 1 to ${MAX_THREADS}, got ${describe(value)}`);
  }
  return value;
}

/** Logical cores available to this process or page. */
async function availableCores(): Promise<number> {
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  if (nav?.hardwareConcurrency) return nav.hardwareConcurrency;
  try {
    const specifier = ['node', 'os'].join(':');
    const os = (await import(/* @vite-ignore */ specifier)) as { availableParallelism?: () => number; cpus: () => unknown[] };
    return os.availableParallelism?.() ?? os.cpus().length;
  } catch {
    return 1;
  }
}

/** Why threads cannot run here, or null. */
function unavailable(host: ThreadHost): string | null {
  if (!host.hasWasm) return 'WebAssembly SIMD is unavailable here, and the reference kernels run on one thread';
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated;
  const noSab = typeof SharedArrayBuffer !== 'function';
  if (isolated === false || (noSab && !isNode())) {
    return 'SharedArrayBuffer is unavailable: the page is not cross-origin isolated (serve it with the headers ' +
      'Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)';
  }
  // Node has it unless it was switched off: there is no page, and no header to send.
  if (noSab) return 'SharedArrayBuffer is unavailable in this Node process (disabled, e.g. by --no-harmony-sharedarraybuffer, or removed from globalThis)';
  return null;
}

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Stops the pool, if any: the kernels run on the calling thread again. */
export function stopPool(host: ThreadHost): void {
  host.pool?.stop();
  host.pool = null;
}

/**
 * Runs the kernels on `requested` threads, or on fewer with the reason in host.threads. Only
 * init() calls this, one call at a time.
 */
export async function setThreads(host: ThreadHost, requested: number | 'auto'): Promise<void> {
  const count = requested === 'auto' ? Math.min(await availableCores(), MAX_THREADS) : requested;
  stopPool(host);
  const fallback = (reason: string | null): void => {
    host.threads = { threads: 1, requested: count, reason };
  };
  if (count === 1) return fallback(requested === 'auto' ? "'auto': this environment reports one core" : null);
  const why = unavailable(host);
  if (why) return fallback(why);
  let module: WebAssembly.Module;
  try {
    module = await compileThreads();
  } catch (error) {
    return fallback(`this engine cannot compile the threads build (shared WebAssembly memory): ${message(error)}`);
  }
  let shared: ReturnType<ThreadHost['share']>;
  try {
    shared = host.share(module);
  } catch (error) {
    return fallback(`cannot create a shared WebAssembly.Memory: ${message(error)}`);
  }
  try {
    host.pool = await Pool.start(count, module, shared.memory, shared.exports);
  } catch (error) {
    return fallback(`worker threads could not start: ${message(error)}`);
  }
  host.threads = { threads: count, requested: count, reason: null };
}
