// Size report: the .wasm and the published entry points, raw, minified and gzip-compressed.
import { readFileSync, existsSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { transformSync } from 'esbuild';

const files = ['build/wasmnn.wasm', 'build/wasmnn.threads.wasm', 'dist/index.js', 'dist/index.cjs', 'dist/cli.js'];
const rows = files.filter((f) => existsSync(f)).map((f) => {
  const bytes = readFileSync(f);
  const min = f.endsWith('.wasm') ? bytes : Buffer.from(transformSync(bytes.toString(), { minify: true, format: f.endsWith('.cjs') ? 'cjs' : 'esm' }).code);
  return { file: f, bytes: bytes.length, minified: min.length, 'min+gzip': gzipSync(min, { level: 9 }).length };
});
console.table(rows);
