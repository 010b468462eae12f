// `npm run bench -- --browser`: the browser benchmark in Debian's Chromium (playwright-core), on a
// page served cross-origin isolated (Cross-Origin-Opener-Policy: same-origin,
// Cross-Origin-Embedder-Policy: require-corp) so that wasmnn and TF.js can both use threads.
import { createServer } from 'node:http';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json' };

function serve() {
  const server = createServer((req, res) => {
    const file = join(root, normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)));
    if (!file.startsWith(root) || !existsSync(file) || !statSync(file).isFile()) return void res.writeHead(404).end();
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp',
    }).end(readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${server.address().port}`, server })));
}

/** Runs the page's benchmark; returns its rows and what TF.js and wasmnn reported. */
export async function benchBrowser({ networks, reps, threads, targetMs }) {
  const { build } = await import('esbuild');
  await build({ entryPoints: [join(root, 'bench/browser/tf-entry.mjs')], bundle: true, format: 'esm', platform: 'browser',
    outfile: join(root, 'bench/.build/tf-browser.js'), logLevel: 'warning' });
  const { chromium } = await import('playwright-core');
  const { url, server } = await serve();
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  try {
    const page = await browser.newPage();
    page.on('pageerror', (e) => console.error('page error:', e.message));
    await page.goto(`${url}/bench/browser/bench.html`);
    await page.waitForFunction(() => globalThis.benchReady, null, { timeout: 60_000 });
    return await page.evaluate((options) => globalThis.runBench(options), { networks, reps, threads, targetMs });
  } finally {
    await browser.close();
    server.close();
  }
}
