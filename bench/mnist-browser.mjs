// The MNIST page (examples/mnist-browser) trained to the end in Debian's Chromium, as a person
// would: LeNet-5 + BatchNorm (or plain LeNet), Adam lr 2e-3 with cosine annealing, batch 64, on
// the 8,000 / 2,000 split, in the page's Worker on one thread. Prints each epoch's test accuracy
// and seconds, then the final figures.
//   npm run build && node bench/mnist-browser.mjs [epochs = 20] [model = lenet-bn|lenet]
import { createServer } from 'node:http';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { loadAverage } from './lib/machine.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.json': 'application/json', '.css': 'text/css' };
const epochs = Number(process.argv[2] ?? 20), model = process.argv[3] ?? 'lenet-bn';

const server = createServer((req, res) => {
  const file = join(root, normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)));
  if (!file.startsWith(root) || !existsSync(file) || !statSync(file).isFile()) return void res.writeHead(404).end();
  res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
});
try {
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error' && !m.text().includes('404')) console.error(`page: ${m.text()}`); }); // 404: the favicon
  await page.goto(`http://127.0.0.1:${server.address().port}/examples/mnist-browser/index.html?epochs=${epochs}&model=${model}`);
  console.log(`MNIST page in Chromium: ${model}, ${epochs} epochs, load average ${loadAverage()}`);
  await page.click('#train');
  let seen = '';
  for (;;) {
    const status = (await page.textContent('#status')) ?? '';
    if (status !== seen && /^epoch \d+\//.test(status)) console.log(`  ${status.replace(' — draw a digit', '')}: test accuracy ${await page.textContent('#accuracy')}`);
    seen = status;
    const error = await page.textContent('#error');
    if (error) throw new Error(error);
    if (status.startsWith('trained')) break;
    await page.waitForTimeout(100);
  }
  console.log(`${(await page.textContent('#status')).replace(' — draw a digit', '')}; final test accuracy ${await page.textContent('#accuracy')} on 2,000 digits`);
} finally {
  await browser.close();
  server.close();
}
