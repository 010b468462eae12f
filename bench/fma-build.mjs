// A build of the kernels with relaxed SIMD's fused multiply-add: the question is whether it makes
// the seed network's 25-wide products faster (docs/PERFORMANCE.md, "Round 7: the fused
// multiply-add"). It copies assembly/ to a temporary folder, rewrites every
// `f32x4.add(acc, f32x4.mul(a, b))` into `f32x4.relaxed_madd(a, b, acc)`, compiles it with the
// release target's options plus `relaxed-simd`, and prints the .wasm's path. Nothing here ships:
// relaxed SIMD sits behind a flag in Node 20, and its madd may round once or twice by machine.
//   node --experimental-wasm-relaxed-simd bench/seed-layers.mjs "$(node bench/fma-build.mjs)"
//   node bench/seed-layers.mjs build/wasmnn.wasm          (the same run without it, to compare)
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'wasmnn-fma-'));
cpSync(join(root, 'assembly'), join(dir, 'assembly'), { recursive: true });
const product = /f32x4\.add\((\w+), f32x4\.mul\(([^()]+?), ([^()]+?)\)\)/g;
let rewritten = 0;
for (const name of readdirSync(join(dir, 'assembly')).filter((f) => f.endsWith('.ts'))) {
  const file = join(dir, 'assembly', name);
  const text = readFileSync(file, 'utf8').replace(product, (_, acc, a, b) => { rewritten++; return `f32x4.relaxed_madd(${a}, ${b}, ${acc})`; });
  writeFileSync(file, text);
}
const out = join(dir, 'wasmnn-fma.wasm');
execFileSync(join(root, 'node_modules/.bin/asc'), [join(dir, 'assembly/index.ts'), '--runtime', 'stub', '--enable', 'simd', '--enable', 'relaxed-simd',
  '--initialMemory', '16', '--use', 'abort=', '-O3', '--converge', '--noAssert', '-o', out], { stdio: ['ignore', 'ignore', 'inherit'] });
console.error(`${rewritten} products rewritten as relaxed_madd`);
console.log(out);
