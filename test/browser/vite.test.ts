// examples/vite built by Vite (the most common bundler) and run in Chromium.
import { describe, expect, it } from 'vitest';
import { hasChromium, useBrowser } from './browser.js';

describe.skipIf(!hasChromium)('Vite build', () => {
  const ctx = useBrowser(async () => {
    const { build } = await import('vite');
    await build({ configFile: new URL('../../examples/vite/vite.config.mjs', import.meta.url).pathname });
  });

  it('bundles wasmnn with no configuration and trains XOR in the page', async () => {
    const page = await ctx.browser.newPage();
    // Vite emits absolute /assets/ URLs: serve the build output as the site root via its index.
    await page.route('**/assets/**', (route) => route.continue({ url: route.request().url().replace('/assets/', '/test-artifacts/vite-dist/assets/') }));
    await page.goto(`${ctx.url}/test-artifacts/vite-dist/index.html`);
    const handle = await page.waitForFunction(() => (window as unknown as { wasmnnResult?: unknown }).wasmnnResult, null, { timeout: 30_000 });
    const result = (await handle.jsonValue()) as { accuracy: number; backend: string };
    expect(result.backend).toBe('wasm');
    expect(result.accuracy).toBe(1);
    await page.close();
  });
});
