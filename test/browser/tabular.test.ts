// The tabular path is core and dependency-free, so it runs in a browser as in Node: the same
// seeded run in Chromium writes a byte-identical model file and predicts the same labels.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hasChromium, useBrowser } from './browser.js';

describe.skipIf(!hasChromium)('tabular data in Chromium', () => {
  const ctx = useBrowser();

  it('records → model file → labels: the same bytes and predictions as in Node', async () => {
    const { tabularRun } = await import('../../examples/browser/tabular.js');
    const node = tabularRun(await import('../../dist/index.js'));
    expect(node.predictions).toEqual(['big', 'small', 'big']);
    expect(node.accuracy).toBeGreaterThan(0.9);
    const nodeHash = createHash('sha256').update(node.file).digest('hex');
    const page = await ctx.browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${ctx.url}/examples/browser/xor.html`);
    const browser = (await page.evaluate(`(async () => {
      const lib = await import('/dist/index.js');
      const { tabularRun } = await import('/examples/browser/tabular.js');
      const r = tabularRun(lib);
      const digest = await crypto.subtle.digest('SHA-256', r.file);
      return { hash: Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join(''), predictions: r.predictions };
    })()`)) as { hash: string; predictions: string[] };
    expect(browser.predictions).toEqual(node.predictions);
    expect(browser.hash).toBe(nodeHash);
    expect(errors).toEqual([]);
    await page.close();
  });
});
