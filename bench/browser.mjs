// `npm run bench -- --browser`: the browser benchmark in Debian's Chromium (playwright-core), on
// pages served cross-origin isolated (Cross-Origin-Opener-Policy: same-origin,
// Cross-Origin-Embedder-Policy: require-corp) so that wasmnn and TF.js can both use threads.
// One page per thread count (1 and N): TF.js-wasm fixes its thread count once per page. Every
// runner of both pages is warmed up, then timed once per round, rounds interleaved and the order
// rotated each round, so that a change of machine load hits every row alike; medians of rounds.
import { createServer } from 'node:http';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NETWORKS, modelFlops } from './train-step.mjs';
import { median } from './lib/stats.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json' };
const fmt = (v) => +v.toPrecision(3);

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

/** Runner keys of a page, with their row labels given what the page reported. */
function runnersOf(info) {
  const build = info.tf.binary === 'tfjs-backend-wasm-threaded-simd.wasm' ? 'threaded SIMD' : info.tf.binary || 'no .wasm loaded';
  const tf = `TF.js wasm ${build}, ${info.tf.threads} thread${info.tf.threads === 1 ? '' : 's'},`;
  return [
    ['wasmnn', `wasmnn ${info.wasmnn.threads} thread${info.wasmnn.threads === 1 ? '' : 's'}`],
    ['minimize', `${tf} minimize`],
    ['customGrad', `${tf} customGrad workaround`],
  ];
}

/**
 * Runs the benchmark: `networks` (keys of NETWORKS), `reps` rounds, wasmnn and TF.js on 1 and
 * `threads` threads. Returns { pages (what each page reported), rows, summary (ratios per network) }.
 */
export async function benchBrowser({ networks, reps, threads, targetMs, warmup = 3, log = () => {} }) {
  const { build } = await import('esbuild');
  await build({ entryPoints: [join(root, 'bench/browser/tf-entry.mjs')], bundle: true, format: 'esm', platform: 'browser',
    outfile: join(root, 'bench/.build/tf-browser.js'), logLevel: 'warning' });
  const { chromium } = await import('playwright-core');
  const { url, server } = await serve();
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  try {
    const pages = [];
    for (const t of [...new Set([1, threads])]) {
      const page = await browser.newPage();
      page.on('pageerror', (e) => console.error(`page error (${t} threads):`, e.message));
      await page.goto(`${url}/bench/browser/bench.html?threads=${t}`);
      await page.waitForFunction(() => globalThis.benchReady, null, { timeout: 60_000 });
      const info = await page.evaluate(() => globalThis.benchSetup());
      log(`page ${t}: ${JSON.stringify({ ...info, userAgent: undefined })}`);
      pages.push({ page, info, runners: runnersOf(info) });
    }
    const rows = [], summary = [];
    for (const name of networks) {
      for (const p of pages) {
        await p.page.bringToFront();
        const one = await p.page.evaluate((o) => globalThis.benchPrepare(o), { network: name, warmup, targetMs });
        log(`${name}, page ${p.info.page}: one warm step (ms) ${JSON.stringify(one)}`);
      }
      // Table order: wasmnn, TF.js minimize, TF.js customGrad, each on 1 then N threads; the
      // timing order rotates every round.
      const impls = [0, 1, 2].flatMap((k) => pages.map((p) => ({ p, key: p.runners[k][0], label: p.runners[k][1], times: [] })));
      for (let r = 0; r < reps; r++) {
        for (let i = 0; i < impls.length; i++) {
          const impl = impls[(i + r) % impls.length];
          await impl.p.page.bringToFront();
          impl.times.push(await impl.p.page.evaluate((key) => globalThis.benchTime(key), impl.key));
        }
        log(`${name}: round ${r + 1}/${reps}`);
      }
      for (const p of pages) await p.page.evaluate(() => globalThis.benchDispose());
      summary.push(summarise(name, impls, pages, threads));
      const ours = median(impls.find((x) => x.key === 'wasmnn' && x.p.info.page === threads).times);
      for (const { label, times } of impls) {
        const m = median(times);
        rows.push({
          network: name, implementation: label, 'ms/step (median)': fmt(m), 'min–max': `${fmt(Math.min(...times))}–${fmt(Math.max(...times))}`,
          'model GFLOP/s': fmt(modelFlops(NETWORKS[name]) / m / 1e6), [`wasmnn ${threads} threads speed-up`]: fmt(m / ours),
        });
      }
    }
    return { pages: pages.map((p) => p.info), rows, summary };
  } finally {
    await browser.close();
    server.close();
  }
}

/** The ratios the issue asks for, from the medians of one network. */
function summarise(network, impls, pages, threads) {
  const med = (pageThreads, key) => median(impls.find((x) => x.p.info.page === pageThreads && x.key === key).times);
  const tfRows = impls.filter((x) => x.key !== 'wasmnn').map((x) => ({ label: x.label, m: median(x.times) }));
  const fastestTf = tfRows.reduce((a, b) => (b.m < a.m ? b : a));
  const ours = med(threads, 'wasmnn');
  return {
    network,
    [`wasmnn ${threads} vs 1 thread`]: fmt(med(1, 'wasmnn') / ours),
    [`TF.js minimize ${threads} vs 1 thread`]: fmt(med(1, 'minimize') / med(threads, 'minimize')),
    [`TF.js customGrad ${threads} vs 1 thread`]: fmt(med(1, 'customGrad') / med(threads, 'customGrad')),
    'fastest TF.js row': fastestTf.label,
    [`wasmnn ${threads} threads vs fastest TF.js`]: fmt(fastestTf.m / ours),
    [`wasmnn 1 thread vs fastest TF.js`]: fmt(fastestTf.m / med(1, 'wasmnn')),
    'TF.js threads reported': pages.map((p) => `${p.info.tf.requested}→${p.info.tf.threads}`).join(', '),
  };
}
