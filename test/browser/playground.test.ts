// The playground driven through its UI in Chromium: Start, wait, read the accuracy it shows.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasChromium, root, useBrowser } from './browser.js';

describe.skipIf(!hasChromium)('playground', () => {
  const ctx = useBrowser();

  it('trains the disk to ≥ 95 % test accuracy from the UI, draws the boundary, and shows steps/s', async () => {
    const page = await ctx.browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${ctx.url}/examples/playground/index.html`);
    await page.waitForFunction(() => document.getElementById('test-acc')?.textContent !== '–');
    await page.click('#start');
    // Read what the page shows at the moment it reaches 95 % (later reports may fluctuate).
    const reached = await page.waitForFunction(() => {
      const acc = Number(document.getElementById('test-acc')?.textContent);
      return acc >= 0.95 && {
        acc,
        epoch: Number(document.getElementById('epoch')!.textContent),
        stepsPerSecond: Number(document.getElementById('steps-per-sec')!.textContent!.replace(/,/g, '')),
      };
    }, null, { timeout: 60_000 });
    const shown = (await reached.jsonValue()) as { acc: number; epoch: number; stepsPerSecond: number };
    await page.click('#start'); // pause
    expect(await page.textContent('#start')).toBe('Start');
    expect(shown.acc).toBeGreaterThanOrEqual(0.95);
    expect(shown.epoch).toBeGreaterThan(0);
    expect(shown.stepsPerSecond).toBeGreaterThan(0);
    // The canvas is not blank: many distinct colours (heat map gradient + points).
    const colours = await page.evaluate(() => {
      const c = document.getElementById('boundary') as HTMLCanvasElement;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      const set = new Set<number>();
      for (let i = 0; i < d.length; i += 4 * 7) set.add((d[i]! << 16) | (d[i + 1]! << 8) | d[i + 2]!);
      return set.size;
    });
    expect(colours).toBeGreaterThan(50);
    const dir = join(root, 'test-artifacts');
    mkdirSync(dir, { recursive: true });
    await page.screenshot({ path: join(dir, 'playground.png') });
    console.log(`playground: test accuracy ${shown.acc} after ${shown.epoch} epochs, ${shown.stepsPerSecond} steps/s`);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('the regression data set (surface) trains to test R² ≥ 0.9, shown as R²', async () => {
    const page = await ctx.browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${ctx.url}/examples/playground/index.html`);
    await page.selectOption('#dataset', 'surface');
    await page.waitForFunction(() => document.getElementById('test-metric')?.textContent === 'test R²');
    await page.click('#start');
    const reached = await page.waitForFunction(() => {
      const r2 = Number(document.getElementById('test-acc')?.textContent);
      return r2 >= 0.9 && { r2, epoch: Number(document.getElementById('epoch')!.textContent) };
    }, null, { timeout: 60_000 });
    const shown = (await reached.jsonValue()) as { r2: number; epoch: number };
    await page.click('#start');
    console.log(`playground surface: test R² ${shown.r2} after ${shown.epoch} epochs`);
    expect(shown.r2).toBeGreaterThanOrEqual(0.9);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('reports bad settings in the page instead of failing silently', async () => {
    const page = await ctx.browser.newPage();
    await page.goto(`${ctx.url}/examples/playground/index.html`);
    await page.fill('#hidden', '16,abc');
    await page.dispatchEvent('#hidden', 'change');
    await expect.poll(() => page.textContent('#error')).toMatch(/Hidden layers/);
    await page.close();
  });
});
