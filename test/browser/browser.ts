// Shared by the browser tests: a static file server over the repository (no bundler) and
// Debian's Chromium driven by playwright-core. Without Chromium the tests are skipped with one
// line saying why — except under CI, where a missing browser is a failure.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import type { Browser, Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const root = fileURLToPath(new URL('../..', import.meta.url));
export const hasChromium = existsSync(CHROMIUM);

if (!hasChromium) {
  if (process.env.CI) throw new Error(`browser tests: ${CHROMIUM} is missing, and CI is set (.ci/run installs it with apt-get)`);
  console.warn(`browser tests skipped: ${CHROMIUM} not found (apt-get install chromium to run them)`);
}

const TYPES: Record<string, string> = {
  '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css',
  '.json': 'application/json', '.png': 'image/png', '.svg': 'image/svg+xml', '.wasm': 'application/wasm',
};

/** Paths under this prefix are the same files, served cross-origin isolated (COOP + COEP headers). */
export const ISOLATED = '/isolated';
const ISOLATION_HEADERS = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };

/**
 * Serves the repository read-only on 127.0.0.1; resolves with the base URL. `/isolated/<path>`
 * serves `<path>` with the two headers that make a page cross-origin isolated (threads).
 */
export function serve(): Promise<{ url: string; close: () => void }> {
  const server: Server = createServer((req, res) => {
    let path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    const isolated = path.startsWith(`${ISOLATED}/`);
    if (isolated) path = path.slice(ISOLATED.length);
    const file = join(root, path);
    if (!file.startsWith(root) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream', ...(isolated ? ISOLATION_HEADERS : {}),
    }).end(readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    const address = server.address() as { port: number };
    resolve({ url: `http://127.0.0.1:${address.port}`, close: () => server.close() });
  }));
}

export async function launch(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}

/** Starts the server and Chromium before the suite and stops them after; read the fields in tests. */
export function useBrowser(before?: () => Promise<void>): { browser: Browser; url: string } {
  const fixture = {} as { browser: Browser; url: string };
  let close = (): void => {};
  beforeAll(async () => {
    await before?.();
    const server = await serve();
    close = server.close;
    fixture.url = server.url;
    fixture.browser = await launch();
  });
  afterAll(async () => {
    await fixture.browser?.close();
    close();
  });
  return fixture;
}

/** A new page of the shared browser at `path` (under ctx.url), its console and page errors recorded in `logs`. */
export async function openPage(ctx: { browser: Browser; url: string }, path: string): Promise<{ page: Page; logs: string[] }> {
  const page = await ctx.browser.newPage();
  const logs: string[] = [];
  page.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => logs.push(`error: ${e.message}`));
  await page.goto(ctx.url + path);
  return { page, logs };
}
