// init({ threads }) in Chromium: on a cross-origin isolated page (COOP + COEP headers) the kernels
// of an MLP and of a CNN fed by a DataLoader run on 1…4 threads, the workers taking part — on the page's main thread, which polls instead of blocking, and in a
// module Worker — with the same result bits as in Node; on a page without the headers, init
// resolves with one thread and the reason, and logs nothing.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { ISOLATED, hasChromium, openPage, useBrowser } from './browser.js';

const PAGE = '/test/browser/fixtures/threads.html';

interface Run {
  info: { threads: number; requested: number; reason: string | null; backend: string };
  hash: string;
  /** Chunks the workers (threads other than the page's) ran during the training. */
  workerChunks: number;
}

/**
 * Runs the shared training on the page's main thread with init({ threads }), through the bench
 * entry (the public API plus the pool's per-thread chunk counts).
 */
function onMainThread(page: Page, threads: number): Promise<Run> {
  // A string, so that vitest's transform leaves the browser's own import() alone.
  return page.evaluate(`(async () => {
    const lib = await import('/dist/bench-internal.js');
    const { threadsRun } = await import('/test/browser/fixtures/threads-run.js');
    const info = await lib.init({ threads: ${threads} });
    const workers = () => (lib.runtime().pool?.chunksByThread() ?? [0]).slice(1).reduce((s, c) => s + c, 0);
    const before = workers();
    const digest = await crypto.subtle.digest('SHA-256', threadsRun(lib));
    return { info, workerChunks: workers() - before, hash: Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('') };
  })()`);
}

describe.skipIf(!hasChromium)('threads in Chromium', () => {
  const ctx = useBrowser();
  let nodeHash = '';

  async function expectedHash(): Promise<string> {
    if (!nodeHash) {
      const { threadsRun } = await import('./fixtures/threads-run.js');
      const lib = await import('../../dist/index.js');
      nodeHash = createHash('sha256').update(threadsRun(lib)).digest('hex');
    }
    return nodeHash;
  }

  const open = (path: string): Promise<{ page: Page; logs: string[] }> => openPage(ctx, path);

  it('runs on 1, 2, 3 and 4 threads on an isolated page\'s main thread, bit-identical to Node', async () => {
    const { page, logs } = await open(ISOLATED + PAGE);
    expect(await page.evaluate('crossOriginIsolated')).toBe(true);
    for (const threads of [2, 3, 4, 1]) {
      const run = await onMainThread(page, threads);
      expect(run.info).toEqual({ backend: 'wasm', threads, requested: threads, reason: null });
      expect(run.hash, `${threads} threads`).toBe(await expectedHash());
      if (threads > 1) expect(run.workerChunks, `${threads} threads`).toBeGreaterThan(0);
      else expect(run.workerChunks).toBe(0);
    }
    expect(logs).toEqual([]);
    await page.close();
  });

  it('runs on 2 threads inside a module Worker of an isolated page, bit-identical to Node', async () => {
    const { page, logs } = await open(ISOLATED + PAGE);
    const run = await page.evaluate(`new Promise((resolve, reject) => {
      const worker = new Worker('${ISOLATED}/test/browser/fixtures/threads-worker.js', { type: 'module' });
      worker.onmessage = (e) => resolve(e.data);
      worker.onerror = (e) => reject(new Error(e.message));
      worker.postMessage({ threads: 2 });
    })`) as Run;
    expect(run.info).toEqual({ backend: 'wasm', threads: 2, requested: 2, reason: null });
    expect(run.hash).toBe(await expectedHash());
    expect(logs).toEqual([]);
    await page.close();
  });

  it('falls back to one thread with the reason on a page without the headers, and logs nothing', async () => {
    const { page, logs } = await open(PAGE);
    expect(await page.evaluate('crossOriginIsolated')).toBe(false);
    const run = await onMainThread(page, 2);
    expect(run.info.threads).toBe(1);
    expect(run.info.requested).toBe(2);
    expect(run.info.reason).toMatch(/Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp/);
    expect(run.hash).toBe(await expectedHash());
    expect(logs).toEqual([]);
    await page.close();
  });
});
