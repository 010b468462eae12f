// Writes the MNIST split the command trains on (src/cli/mnist-split.ts, per digit the first 80 %
// for training) to bench/.build/mnist-split.bin for the PyTorch scripts:
//   int32 nTrain, int32 nTest, float32 train pixels [nTrain·784], float32 test pixels,
//   uint8 train labels, uint8 test labels (little-endian).
// Usage: node scripts/export-mnist.mjs [out]
import { build } from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = resolve(process.argv[2] ?? `${root}/bench/.build/mnist-split.bin`);
const bundled = await build({ entryPoints: [`${root}/src/cli/mnist-split.ts`], bundle: true, format: 'esm', write: false, platform: 'neutral' });
const { splitDigits } = await import(`data:text/javascript;base64,${Buffer.from(bundled.outputFiles[0].text).toString('base64')}`);
const require = createRequire(import.meta.url);
const { train, test } = splitDigits(Array.from({ length: 10 }, (_, d) => require(`mnist/src/digits/${d}.json`).data));
const header = new Int32Array([train.count, test.count]);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, Buffer.concat([header, train.pixels, test.pixels, train.labels, test.labels].map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength))));
console.log(`wrote ${out}: ${train.count} train, ${test.count} test images`);
