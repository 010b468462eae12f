// Every ```js block of README.md that imports 'wasmnn' runs, as written, against the built
// package (the file is placed inside the package so that 'wasmnn' resolves to it). Fragments that
// cannot run on their own (the Worker pattern) are fenced as ```javascript instead.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const blocks = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]!).filter((code) => code.includes("from 'wasmnn'"));

describe('README examples', () => {
  it('has examples to test', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(2);
  });

  it.each(blocks.map((code, i) => [i, code] as const))('example %i runs without error', (_i, code) => {
    const dir = mkdtempSync(join(root, 'test/.readme-'));
    try {
      const file = join(dir, 'example.mjs');
      writeFileSync(file, code);
      execFileSync(process.execPath, [file], { cwd: root, encoding: 'utf8', stdio: 'pipe' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
