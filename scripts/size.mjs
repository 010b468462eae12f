// Size report: the .wasm and the published entry points, raw and gzip-compressed.
import { readFileSync, existsSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const files = ['build/wasmnn.wasm', 'dist/index.js', 'dist/index.cjs'];
const rows = files.filter((f) => existsSync(f)).map((f) => {
  const bytes = readFileSync(f);
  return { file: f, bytes: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
});
console.table(rows);
