// Round 6 probes of init({ threads }) in Chromium: the round-6 zoo (every loss, optimizer and
// layer at sizes that split unevenly; test/browser/fixtures/round6-zoo.js) gives Node's bits on
// 1…4 threads on an isolated page's main thread (which polls) and in a module Worker (which
// sleeps in Atomics.wait), every call split and at the default threshold; init({ threads }) ends
// the Web Workers of the count before (the page's worker list); and a page whose
// Content-Security-Policy refuses blob: workers gets one thread with a reason that names the
// policy (it said only "a worker failed to start"), the tensors made before still usable.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { ISOLATED, hasChromium, openPage, useBrowser } from './browser.js';

const FIXTURES = '/test/browser/fixtures';

interface Run {
  info: { threads: number; requested: number; reason: string | null; backend: string };
  hash: string;
  workerChunks: number;
  error?: string;
}

describe.skipIf(!hasChromium)('round 6: threads in Chromium', () => {
  const ctx = useBrowser();
  const nodeHashes = new Map<number, string>();

  /** The zoo's hash in Node (dist/, one thread, before any init). */
  async function nodeHash(scale: number): Promise<string> {
    if (!nodeHashes.has(scale)) {
      const { zooBytes, zooRun } = await import('./fixtures/round6-zoo.js');
      const lib = await import('../../dist/index.js');
      nodeHashes.set(scale, createHash('sha256').update(zooBytes(zooRun(lib, scale))).digest('hex'));
    }
    return nodeHashes.get(scale)!;
  }

  const open = (path: string): Promise<{ page: Page; logs: string[] }> => openPage(ctx, path);

  /** The zoo on the page's main thread. */
  function onMainThread(page: Page, threads: number, split: boolean, scale: number): Promise<Run> {
    // A string, so that vitest's transform leaves the browser's own import() alone.
    return page.evaluate(`(async () => {
      const lib = await import('/dist/bench-internal.js');
      const { zooBytes, zooRun } = await import('${FIXTURES}/round6-zoo.js');
      const info = await lib.init({ threads: ${threads} });
      if (${split}) lib.setParallelThreshold(0);
      const workers = () => (lib.runtime().pool?.chunksByThread() ?? [0]).slice(1).reduce((s, c) => s + c, 0);
      const before = workers();
      const digest = await crypto.subtle.digest('SHA-256', zooBytes(zooRun(lib, ${scale})));
      // Under load the calling thread can take every chunk before a worker is scheduled: more
      // split work (result unchecked) until a worker has run one (test/helpers/threads.ts's rule).
      for (let i = 0; ${split} && i < 50 && workers() === before; i++) zooRun(lib, ${scale});
      lib.setParallelThreshold();
      return { info, workerChunks: workers() - before, hash: Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('') };
    })()`);
  }

  it('the zoo on 1, 2, 3 and 4 threads on an isolated page\'s main thread gives Node\'s bits, every call split and at the default threshold', async () => {
    const { page, logs } = await open(`${ISOLATED}${FIXTURES}/threads.html`);
    for (const threads of [3, 2, 4, 1]) {
      const split = await onMainThread(page, threads, true, 1);
      expect(split.info).toEqual({ backend: 'wasm', threads, requested: threads, reason: null });
      expect(split.hash, `${threads} threads, every call split`).toBe(await nodeHash(1));
      if (threads > 1) expect(split.workerChunks).toBeGreaterThan(0);
      expect((await onMainThread(page, threads, false, 8)).hash, `${threads} threads, default threshold`).toBe(await nodeHash(8));
    }
    expect(logs).toEqual([]);
    await page.close();
  });

  it('the zoo on 3 threads in a module Worker of an isolated page gives Node\'s bits', async () => {
    const { page, logs } = await open(`${ISOLATED}${FIXTURES}/threads.html`);
    const run = await page.evaluate(`new Promise((resolve, reject) => {
      const worker = new Worker('${ISOLATED}${FIXTURES}/round6-worker.js', { type: 'module' });
      worker.onmessage = (e) => { worker.terminate(); resolve(e.data); };
      worker.onerror = (e) => reject(new Error(e.message));
      worker.postMessage({ threads: 3, split: true, scale: 1 });
    })`) as Run;
    expect(run.error).toBeUndefined();
    expect(run.info).toEqual({ backend: 'wasm', threads: 3, requested: 3, reason: null });
    expect(run.hash).toBe(await nodeHash(1));
    expect(run.workerChunks).toBeGreaterThan(0);
    expect(logs).toEqual([]);
    await page.close();
  });

  it('init({ threads: N }) runs N - 1 Web Workers; a new count, or 1, ends the others (the page\'s worker list)', async () => {
    const { page, logs } = await open(`${ISOLATED}${FIXTURES}/threads.html`);
    const initAt = (threads: number): Promise<unknown> =>
      page.evaluate(`(async () => (await (await import('/dist/index.js')).init({ threads: ${threads} })).threads)()`);
    /** The page's dedicated workers once they number `expected` (a terminated one closes shortly after). */
    const workers = async (expected: number): Promise<number> => {
      for (let i = 0; i < 500 && page.workers().length !== expected; i++) await new Promise((resolve) => setTimeout(resolve, 10));
      return page.workers().length;
    };
    expect(page.workers()).toHaveLength(0);
    for (const threads of [4, 2, 3, 1]) {
      expect(await initAt(threads)).toBe(threads);
      expect(await workers(threads - 1), `after init({ threads: ${threads} })`).toBe(threads - 1);
    }
    expect(logs).toEqual([]);
    await page.close();
  });

  it('a Content-Security-Policy without worker-src blob: gives one thread and a reason naming the policy; earlier tensors stay usable', async () => {
    const { page, logs } = await open(`${ISOLATED}${FIXTURES}/round6-csp.html`);
    expect(await page.evaluate('crossOriginIsolated')).toBe(true);
    const run = await page.evaluate(`(async () => {
      const lib = await import('/dist/index.js');
      const t = lib.Tensor.from([1, 2, 3]);
      const info = await lib.init({ threads: 2 });
      return { info, values: Array.from(t.toFloat32Array()), threads: lib.getThreads() };
    })()`) as { info: Run['info']; values: number[]; threads: Omit<Run['info'], 'backend'> };
    expect(run.info).toMatchObject({ backend: 'wasm', threads: 1, requested: 2 });
    expect(run.info.reason).toMatch(/^worker threads could not start: a Worker from a blob: URL failed to start \(a Content-Security-Policy must allow worker-src blob:/);
    expect(run.threads).toEqual({ threads: 1, requested: 2, reason: run.info.reason });
    expect(run.values).toEqual([1, 2, 3]);
    // Only the browser's own report of the violation: wasmnn logs nothing.
    for (const line of logs) expect(line).toMatch(/violates the following Content Security Policy directive/);
    await page.close();
  });
});
