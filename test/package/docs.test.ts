// docs/ (round 7): ARCHITECTURE.md's file map names every source file of src/ and assembly/, and
// every file it names exists; relative links and anchors in docs/*.md resolve.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const walk = (dir: string): string[] => readdirSync(dir, { withFileTypes: true })
  .flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
const slug = (heading: string): string => heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');

describe('docs/ARCHITECTURE.md', () => {
  const doc = readFileSync(join(root, 'docs/ARCHITECTURE.md'), 'utf8');
  const map = doc.slice(doc.indexOf('## Layers'), doc.indexOf('## Decisions'));
  const sources = [...walk(join(root, 'src')), ...walk(join(root, 'assembly'))].filter((f) => f.endsWith('.ts'));

  it('names every source file (by file name, or by the class it holds: batchnorm.ts as BatchNorm1d/2d)', () => {
    const text = map.toLowerCase().replace(/-/g, '');
    const missing = sources.filter((f) => !text.includes(basename(f, '.ts').toLowerCase().replace(/-/g, '')));
    expect(missing.map((f) => relative(root, f))).toEqual([]);
  });

  it('every file it names exists', () => {
    const names = new Set([...map.matchAll(/(?<![\w.-])(\w[\w.-]*\.(?:ts|mjs))\b/g)].map((m) => m[1]!));
    const present = new Set([...sources, ...walk(join(root, 'bench')), ...walk(join(root, 'scripts'))].map((f) => basename(f)));
    expect([...names].filter((n) => !present.has(n))).toEqual([]);
  });
});

describe('docs/*.md links', () => {
  it('relative links name files that exist, and their anchors headings that exist', () => {
    let checked = 0;
    for (const file of readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md'))) {
      const text = readFileSync(join(root, 'docs', file), 'utf8').replace(/```[\s\S]*?```/g, ''); // code is not links
      const own = new Set([...text.matchAll(/^#+ (.+)$/gm)].map((m) => slug(m[1]!)));
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target!)) continue;
        const [path, anchor] = target!.split('#') as [string, string | undefined];
        const resolved = path ? join(root, 'docs', decodeURIComponent(path)) : join(root, 'docs', file);
        expect(existsSync(resolved), `${file}: ${target}`).toBe(true);
        if (anchor && resolved.endsWith('.md')) {
          const heads = path ? new Set([...readFileSync(resolved, 'utf8').matchAll(/^#+ (.+)$/gm)].map((m) => slug(m[1]!))) : own;
          expect(heads, `${file}: ${target}`).toContain(anchor);
        }
        checked++;
      }
      expect(dirname(join(root, 'docs', file))).toBe(join(root, 'docs'));
    }
    expect(checked).toBeGreaterThan(0);
  });
});
