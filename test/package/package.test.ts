// The published packages: `wasmnn` (the library) is one package with no dependencies and no
// install scripts, ≤ 2 MB unpacked; `wasmnn-cli` (packages/cli) carries the command and every
// package its build imports; README links and images resolve on the npm page.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const cliPkg = JSON.parse(readFileSync(join(root, 'packages/cli/package.json'), 'utf8'));
const REPO = 'https://github.com/wasmnn/wasmnn';

describe('wasmnn (the library package)', () => {
  it('has no dependencies of any kind, no install-time scripts and no command', () => {
    for (const k of ['dependencies', 'optionalDependencies', 'peerDependencies', 'bundleDependencies', 'bin']) expect(pkg[k], k).toBeUndefined();
    for (const s of ['preinstall', 'install', 'postinstall', 'prepare']) expect(pkg.scripts[s], s).toBeUndefined();
  });

  it('claims the Node versions that are tested (Node 20), in both packages and the README', () => {
    expect(pkg.engines).toEqual({ node: '>=20' });
    expect(cliPkg.engines).toEqual(pkg.engines);
    expect(process.versions.node.split('.')[0]).toBe('20'); // the suite's own Node: raise both when CI tests another
    expect(readFileSync(join(root, 'README.md'), 'utf8')).toMatch(/Node 20 or later \(`engines`; the tests run on Node 20\)/);
  });

  it('has the metadata npm shows', () => {
    expect(pkg.license).toBe('MIT');
    expect(pkg.repository.url).toBe(`git+${REPO}.git`);
    expect(pkg.homepage).toMatch(/^https:\/\//);
    expect(pkg.bugs.url).toBe(`${REPO}/issues`);
    expect(pkg.keywords.length).toBeGreaterThan(5);
  });

  it('npm pack holds the library build only, ≤ 2 MB unpacked', () => {
    const [report] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' })) as Array<{ files: Array<{ path: string }>; unpackedSize: number }>;
    expect(report!.files.map((f) => f.path).sort()).toEqual(['LICENSE', 'README.md', 'dist/index.cjs', 'dist/index.d.cts', 'dist/index.d.ts', 'dist/index.js', 'package.json']);
    expect(report!.unpackedSize).toBeLessThanOrEqual(2_000_000);
  });
});

describe('wasmnn-cli (packages/cli)', () => {
  it('is the `wasmnn` command, depends on this very version of the library, and on the tooling as the repository tests it', () => {
    expect(cliPkg.bin).toEqual({ wasmnn: './dist/cli.js' });
    expect(cliPkg.version).toBe(pkg.version);
    expect(cliPkg.dependencies.wasmnn).toBe(pkg.version);
    for (const [name, range] of Object.entries(cliPkg.dependencies)) if (name !== 'wasmnn') expect(pkg.devDependencies[name], name).toBe(range);
    expect(cliPkg.license).toBe(pkg.license);
  });

  it('declares every package the command build imports; the library comes in as the package, not a copy', () => {
    const files = readdirSync(join(root, 'dist')).filter((f) => f.endsWith('.js') && !/^(index|bench-internal)\./.test(f));
    expect(files).toContain('cli.js');
    const imported = new Set<string>();
    for (const f of files) {
      const code = readFileSync(join(root, 'dist', f), 'utf8');
      // import … from 'x', import('x'), and require('x/…') or require(`x/…${…}`) through createRequire
      // (the bundler renames that require to require2, …).
      for (const m of code.matchAll(/(?:from\s*|import\(\s*|\brequire\d*\(\s*)["'`]([^"'`./$][^"'`$]*)["'`$]/g)) {
        const spec = m[1]!;
        if (spec.startsWith('node:') || builtinModules.includes(spec)) continue;
        imported.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
      }
      expect(code, f).not.toMatch(/WASM_BASE64|AGFzbQ/); // no embedded wasm: the library is imported
    }
    expect([...imported].sort()).toEqual(Object.keys(cliPkg.dependencies).sort());
  });
});

describe('README on the npm page', () => {
  it('every link and image is absolute (or an anchor); those into this repository name files that exist', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const targets = [...readme.matchAll(/!?\[[^\]]*\]\(([^)\s]+)\)/g)].map((m) => m[1]!);
    expect(targets.length).toBeGreaterThan(5);
    for (const t of targets) {
      if (t.startsWith('#')) continue;
      expect(t, t).toMatch(/^https:\/\//);
      const local = /^https:\/\/(?:github\.com\/wasmnn\/wasmnn\/(?:blob|tree)\/main|raw\.githubusercontent\.com\/wasmnn\/wasmnn\/main)\/(.+)$/.exec(t);
      if (local) expect(existsSync(join(root, decodeURIComponent(local[1]!.split('#')[0]!))), t).toBe(true);
    }
  });
});
