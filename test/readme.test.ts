// Every ```js block of README.md that imports 'wasmnn' runs, as written, against the built
// package (the file is placed inside the package so that 'wasmnn' resolves to it). Fragments that
// cannot run on their own (the Worker pattern) are fenced as ```javascript instead.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

// Round 7: the rest of README — the blocks that are not whole programs, the command lines, links
// and anchors, the API table against the exports, and the benchmark figures against bench/RESULTS.md.
const fences = [...readme.matchAll(/```(\w*)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1]!, code: m[2]! }));
const consumer = readFileSync(join(root, 'test/package/consumer/consumer.ts'), 'utf8');
const slug = (heading: string): string => heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
const anchors = (markdown: string): Set<string> => new Set([...markdown.matchAll(/^#+ (.+)$/gm)].map((m) => slug(m[1]!)));

/** A shell line's words (double quotes kept together). */
const words = (line: string): string[] => [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!);

describe('README, the rest (round 7)', () => {
  it('every fenced block is run or checked: js here, ts / javascript in the typed consumer, html in Chromium, sh below', () => {
    for (const { lang, code } of fences) {
      expect(['js', 'javascript', 'ts', 'html', 'sh'], code.slice(0, 60)).toContain(lang);
      if (lang === 'js') expect(code).toContain("from 'wasmnn'");
      // Fragments, typed (and run) in test/package/consumer/consumer.ts under the installed package.
      if (lang === 'ts') for (const line of ['using model = new Sequential(', 'using optimizer = new Adam(model.parameters(), { lr });', 'using loss = new CrossEntropyLoss();', 'fit(model, { x, y, loss, optimizer, epochs: 1 });']) expect(consumer).toContain(line);
      if (lang === 'javascript') for (const part of ['await fitAsync(model, { loss, optimizer, x, y,', 'signal: controller.signal', 'callbacks: { onEpochEnd: (e) =>']) expect(code.replace(/\s+/g, ' ')).toContain(part);
      if (lang === 'javascript') for (const part of ['await fitAsync(model, {', 'signal: controller.signal', 'controller.abort()']) expect(consumer).toContain(part);
      if (lang === 'html') expect(code).toContain("from './node_modules/wasmnn/dist/index.js'"); // loaded in Chromium by test/package/installed.test.ts
    }
    expect(fences.filter((f) => f.lang === 'sh').length).toBeGreaterThanOrEqual(5);
  });

  it('every command line (README and packages/cli/README.md) names real scripts, packages and flags (each `wasmnn train` line parses)', async () => {
    const { parseTrainArgs } = await import('../src/cli/options.js');
    const { parseTabularArgs } = await import('../src/cli/tabular-options.js');
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    const cliPkg = JSON.parse(readFileSync(join(root, 'packages/cli/package.json'), 'utf8')) as { name: string; bin: Record<string, string> };
    const cli = join(root, 'dist/cli.js');
    const help = (...command: string[]): string => execFileSync(process.execPath, [cli, ...command, '--help'], { encoding: 'utf8' });
    const command = (sub: string | undefined, rest: string[], line: string): void => {
      if (sub === 'predict' || sub === 'evaluate') {
        const usage = help(sub);
        for (const flag of rest.filter((w) => w.startsWith('--'))) expect(usage, line).toContain(flag);
      } else if (sub === 'train') {
        if (rest.includes('--help')) expect(help(...(rest.includes('--data') ? ['train', '--data', 'x.csv'] : ['train'])).length).toBeGreaterThan(0);
        else if (rest.includes('--data')) expect(() => parseTabularArgs(rest), line).not.toThrow();
        else expect(() => parseTrainArgs(rest), line).not.toThrow();
      } else throw new Error(`command line not checked: ${line}`);
    };
    const cliReadme = readFileSync(join(root, 'packages/cli/README.md'), 'utf8');
    const shell = [...fences, ...[...cliReadme.matchAll(/```(\w*)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1]!, code: m[2]! }))];
    let checked = 0;
    for (const { code } of shell.filter((f) => f.lang === 'sh')) {
      for (const raw of code.split('\n')) {
        const line = raw.replace(/\s+#.*$/, '').trim();
        if (!line) continue;
        checked++;
        for (const part of line.split(/&&|;/).map((p) => words(p.replace(/[()]/g, '')))) {
          const [cmd, sub, ...rest] = part;
          if (cmd === 'npm' && sub === 'run') expect(Object.keys(pkg.scripts), line).toContain(rest[0]);
          else if (cmd === 'npm' && (sub === 'test' || sub === 'start')) expect(Object.keys(pkg.scripts), line).toContain(sub);
          else if (cmd === 'npm') expect(['ci', 'install', 'pack'], line).toContain(sub);
          else if (cmd === 'npx') {
            expect([sub, Object.keys(cliPkg.bin)], line).toEqual([cliPkg.name, ['wasmnn']]);
            command(rest[0], rest.slice(1), line); // npx wasmnn-cli X … runs `wasmnn X …`
          } else if (cmd === 'cd') expect(existsSync(join(root, sub!)), line).toBe(true);
          else if (cmd === 'wasmnn') command(sub, rest, line);
          else throw new Error(`README command line not checked: ${line}`);
        }
      }
    }
    expect(checked).toBeGreaterThan(19);
  });

  it('every in-page anchor and every link into docs/ with an anchor points at a heading that exists', () => {
    const own = anchors(readme);
    const links = [...readme.matchAll(/\]\((#[^)\s]+|https:\/\/github\.com\/wasmnn\/wasmnn\/blob\/main\/([^)#\s]+\.md)#([^)\s]+))\)/g)];
    expect(links.length).toBeGreaterThan(1);
    for (const m of links) {
      if (m[1]!.startsWith('#')) expect(own, m[1]).toContain(m[1]!.slice(1));
      else expect(anchors(readFileSync(join(root, m[2]!), 'utf8')), m[1]).toContain(m[3]);
    }
  });

  it('the API table names every export of the package, and no capitalised name that is not one', async () => {
    const lib = await import('../src/index.js');
    const api = readme.slice(readme.indexOf('## API in brief'), readme.indexOf('### Things to know'));
    const named = new Set([...api.matchAll(/`([A-Za-z_][\w]*)/g)].map((m) => m[1]!));
    expect(Object.keys(lib).filter((k) => !named.has(k))).toEqual([]);
    expect([...named].filter((n) => /^[A-Z]/.test(n) && !(n in lib))).toEqual([]);
  });

  it('every figure of the Performance table is in bench/RESULTS.md', () => {
    const results = readFileSync(join(root, 'bench/RESULTS.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Performance'), readme.indexOf('## Development'));
    const figures = [...section.matchAll(/(\d+(?:\.\d+)?) (?:ms|s\b|GFLOP\/s)|(\d+\.\d+)×/g)].map((m) => m[1] ?? m[2]!);
    expect(figures.length).toBeGreaterThan(25);
    for (const f of figures) expect(results, f).toContain(f);
  });
});
