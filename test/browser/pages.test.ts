// The published build in real Chromium: a plain <script type="module"> page, a Worker that trains
// and streams progress, and bit-identical weights in Node and in the browser for the same seed.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hasChromium, useBrowser } from './browser.js';

describe.skipIf(!hasChromium)('in Chromium', () => {
  const ctx = useBrowser();

  it('a plain ES-module page imports dist/ (no bundler, no .wasm to serve) and learns XOR to 100 %', async () => {
    const page = await ctx.browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${ctx.url}/examples/browser/xor.html`);
    const result = await page.waitForFunction(() => (window as unknown as { wasmnnResult?: unknown }).wasmnnResult, null, { timeout: 30_000 });
    const value = (await result.jsonValue()) as { accuracy: number; loss: number; backend: string };
    expect(errors).toEqual([]);
    expect(value.backend).toBe('wasm');
    expect(value.accuracy).toBe(1);
    expect(value.loss).toBeLessThan(0.05);
    await page.close();
  });

  it('trains in a Web Worker, streams progress, and stops when asked', async () => {
    const page = await ctx.browser.newPage();
    await page.goto(`${ctx.url}/examples/browser/worker.html?epochs=100`);
    await page.click('#start');
    await page.waitForFunction(() => (window as unknown as { finished: unknown }).finished, null, { timeout: 60_000 });
    const { progress, finished } = await page.evaluate(() => {
      const w = window as unknown as { progress: Array<{ epoch: number }>; finished: { testAccuracy: number; history: { stopReason: string } } };
      return { progress: w.progress, finished: w.finished };
    });
    expect(progress.map((p) => p.epoch)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(finished.testAccuracy).toBeGreaterThanOrEqual(0.95);
    expect(finished.history.stopReason).toBe('completed');

    await page.goto(`${ctx.url}/examples/browser/worker.html?epochs=100000`);
    await page.click('#start');
    await page.waitForFunction(() => (window as unknown as { progress: unknown[] }).progress.length >= 3, null, { timeout: 30_000 });
    await page.click('#stop');
    await page.waitForFunction(() => (window as unknown as { finished: unknown }).finished, null, { timeout: 30_000 });
    const stopped = await page.evaluate(() => (window as unknown as { finished: { history: { stopReason: string; epochs: unknown[] } } }).finished.history);
    expect(stopped.stopReason).toBe('aborted');
    expect(stopped.epochs.length).toBeLessThan(100000);
    await page.close();
  });

  it('gives bit-identical weights in Node and in Chromium for the same seed', async () => {
    const { determinismRun } = await import('../../examples/browser/determinism.js');
    const nodeWasmnn = await import('../../dist/index.js');
    const nodeBytes = determinismRun(nodeWasmnn);
    expect(nodeBytes.length).toBe(4 * (2 * 16 + 16 + 16 * 16 + 16 + 16 * 2 + 2));
    const nodeHash = createHash('sha256').update(nodeBytes).digest('hex');
    const page = await ctx.browser.newPage();
    await page.goto(`${ctx.url}/examples/browser/xor.html`);
    // A string, so that vitest's transform leaves the browser's own import() alone.
    const browserHash = await page.evaluate(`(async () => {
      const lib = await import('/dist/index.js');
      const { determinismRun } = await import('/examples/browser/determinism.js');
      const digest = await crypto.subtle.digest('SHA-256', determinismRun(lib));
      return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
    })()`);
    expect(browserHash).toBe(nodeHash);
    await page.close();
  });
});
