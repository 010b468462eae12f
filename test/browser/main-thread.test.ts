// The synchronous API on a browser's main thread with init({ threads }): Atomics.wait is not
// allowed there, so the calling thread polls until the workers' chunks are done (the decision
// documented in README "Threads" and docs/PERFORMANCE.md "Waiting"). A training whose GEMM chunks
// last about a millisecond makes the calling thread wait for the worker many times: in a module
// Worker it then sleeps in Atomics.wait (so the waits are real and long), on the page's main
// thread it finishes with no Atomics.wait call at all; both give Node's bits. (The Worker repeats
// the training until it has waited once, up to 20 times: a worker scheduled late can leave the
// calling thread nothing to wait for in one run.)
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ISOLATED, hasChromium, useBrowser } from './browser.js';

const FIXTURES = `${ISOLATED}/test/browser/fixtures`;

interface Counted { info: { threads: number; reason: string | null }; waits: number; runs: number; hash: string; error?: string }

describe.skipIf(!hasChromium)('threads on a browser main thread', () => {
  const ctx = useBrowser();

  it('polls instead of calling Atomics.wait, where a Worker doing the same sleeps in it', async () => {
    const { bigRun } = await import('./fixtures/waits-run.js');
    const lib = await import('../../dist/index.js');
    const nodeHash = createHash('sha256').update(bigRun(lib)).digest('hex');
    const page = await ctx.browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${ctx.url}${FIXTURES}/threads.html`);
    // A string, so that vitest's transform leaves the browser's own import() alone.
    const { main, worker } = await page.evaluate(`(async () => {
      const lib = await import('/dist/index.js');
      const { countedRun } = await import('${FIXTURES}/waits-run.js');
      const main = await countedRun(lib, 2);
      const w = new Worker('${FIXTURES}/waits-worker.js', { type: 'module' });
      const worker = await new Promise((resolve, reject) => {
        w.onmessage = (e) => resolve(e.data);
        w.onerror = (e) => reject(new Error(e.message));
        w.postMessage({ threads: 2, untilWaited: 20 });
      });
      w.terminate();
      return { main, worker };
    })()`) as { main: Counted; worker: Counted };
    expect(worker.error).toBeUndefined();
    expect(worker.info).toMatchObject({ threads: 2, reason: null });
    expect(worker.waits, `Atomics.wait calls of the Worker waiting for its pool, over ${worker.runs} run(s)`).toBeGreaterThan(0);
    expect(worker.hash).toBe(nodeHash);
    expect(main.info).toMatchObject({ threads: 2, reason: null });
    expect(main.waits, 'Atomics.wait calls on the main thread').toBe(0);
    expect(main.hash).toBe(nodeHash);
    expect(errors).toEqual([]);
    await page.close();
  });
});
