// The package as a user installs it (round 7): `npm pack` of this repository, installed from the
// tarball into an empty directory outside it, then used by name — ESM, CommonJS, the `exports`
// map, TypeScript 5.9 under moduleResolution node16 / nodenext / bundler with `strict` (a
// consumer that uses every README snippet, typed: test/package/consumer/), doc comments in the
// published .d.ts, no side effects at import, and esbuild browser bundles (size, no Node
// built-ins, run in Chromium). Needs `npm run build` first (npm test does it).
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, transformSync } from 'esbuild';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launch } from '../browser/browser.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const readme = readFileSync(join(root, 'README.md'), 'utf8');
let dir = '';
let pack: { filename: string; size: number; unpackedSize: number };

/**
 * A CommonJS TypeScript user: `import … = require('wasmnn')` resolves the "require" condition's
 * types (dist/index.d.cts) under node16 / nodenext. Kept here as text: the repository's own
 * type-check (ESM, bundler) cannot compile an import assignment.
 */
const CONSUMER_CTS = `import wasmnn = require('wasmnn');

const model: wasmnn.Module = new wasmnn.Sequential(new wasmnn.Linear(2, 4), new wasmnn.ReLU(), new wasmnn.Linear(4, 1));
const options: wasmnn.FitOptions = {
  loss: new wasmnn.MSELoss(), optimizer: new wasmnn.SGD(model.parameters(), { lr: 0.1 }),
  x: wasmnn.Tensor.from([[0, 1], [1, 0]]), y: wasmnn.Tensor.from([[1], [0]]), epochs: 2,
};
const history: wasmnn.History = wasmnn.fit(model, options);
const init: Promise<wasmnn.InitResult> = wasmnn.init({ threads: 1 });
void init.then((r) => console.log(JSON.stringify({ ok: true, epochs: history.epochs.length, threads: r.threads })));
`;

/** Runs node with `args` in the consumer directory; its stdout. */
const node = (args: string[]): string => execFileSync(process.execPath, args, { cwd: dir, encoding: 'utf8', stdio: 'pipe' });

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wasmnn-installed-'));
  [pack] = JSON.parse(execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })) as [typeof pack];
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  // The library has no dependencies: the tarball installs offline.
  execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock', `./${pack.filename}`], { cwd: dir, stdio: 'ignore' });
  copyFileSync(join(root, 'test/package/consumer/consumer.ts'), join(dir, 'consumer.ts'));
  writeFileSync(join(dir, 'consumer.cts'), CONSUMER_CTS);
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('npm install wasmnn (from the packed tarball, in an empty directory)', () => {
  it('installs exactly the build, the README, the licence and package.json', () => {
    const installed = join(dir, 'node_modules/wasmnn');
    expect(readdirSync(installed).sort()).toEqual(['LICENSE', 'README.md', 'dist', 'package.json']);
    expect(readdirSync(join(installed, 'dist')).sort()).toEqual(['index.cjs', 'index.d.cts', 'index.d.ts', 'index.js']);
  });

  it('imports as ESM and requires as CommonJS, with the same exports', () => {
    const esm = JSON.parse(node(['--input-type=module', '-e', "import * as w from 'wasmnn'; console.log(JSON.stringify(Object.keys(w).sort()))"])) as string[];
    const cjs = JSON.parse(node(['--input-type=commonjs', '-e', "console.log(JSON.stringify(Object.keys(require('wasmnn')).sort()))"])) as string[];
    expect(cjs).toEqual(esm);
    expect(esm).toContain('Sequential');
    expect(esm).not.toContain('default');
  });

  it('exports "." and "./package.json" only: the build files, bench-internal and the sources are not reachable', () => {
    const probe = (specifiers: string[]): string[] => JSON.parse(node(['--input-type=module', '-e', `
      import { createRequire } from 'node:module';
      const require = createRequire(import.meta.url), out = [];
      for (const s of ${JSON.stringify(specifiers)}) {
        let esm = 'ok', cjs = 'ok';
        try { import.meta.resolve(s); } catch (e) { esm = e.code; }
        try { require.resolve(s); } catch (e) { cjs = e.code; }
        out.push(s + ' ' + esm + ' ' + cjs);
      }
      console.log(JSON.stringify(out));`])) as string[];
    expect(probe(['wasmnn', 'wasmnn/package.json'])).toEqual(['wasmnn ok ok', 'wasmnn/package.json ok ok']);
    const internal = ['wasmnn/dist/index.js', 'wasmnn/dist/index.cjs', 'wasmnn/bench-internal', 'wasmnn/dist/bench-internal.js', 'wasmnn/src/index.ts', 'wasmnn/cli'];
    expect(probe(internal)).toEqual(internal.map((s) => `${s} ERR_PACKAGE_PATH_NOT_EXPORTED ERR_PACKAGE_PATH_NOT_EXPORTED`));
  });

  it('has no side effect at import ("sideEffects": false): no global is set, no WebAssembly is compiled, no memory allocated', () => {
    const out = JSON.parse(node(['--input-type=module', '-e', `
      const names = new Set(Object.getOwnPropertyNames(globalThis)), symbols = Object.getOwnPropertyNames(Symbol).join();
      let compiled = 0;
      for (const k of ['Module', 'Memory', 'Instance']) { const C = WebAssembly[k]; WebAssembly[k] = new Proxy(C, { construct(t, a) { compiled++; return Reflect.construct(t, a); } }); }
      for (const k of ['compile', 'instantiate']) { const f = WebAssembly[k]; WebAssembly[k] = (...a) => { compiled++; return f(...a); }; }
      const w = await import('wasmnn');
      const after = { globals: Object.getOwnPropertyNames(globalThis).filter((n) => !names.has(n)), symbolChanged: Object.getOwnPropertyNames(Symbol).join() !== symbols, compiled };
      new w.Linear(2, 2); // the first use compiles (so the counter above can see it)
      console.log(JSON.stringify({ ...after, compiledOnUse: compiled }));`])) as { globals: string[]; symbolChanged: boolean; compiled: number; compiledOnUse: number };
    expect(out).toMatchObject({ globals: [], symbolChanged: false, compiled: 0 }); // Node 20 has Symbol.dispose: nothing to define
    expect(out.compiledOnUse).toBeGreaterThan(0);
  });
});

describe('TypeScript users (tsc 5.9, strict)', () => {
  const tsc = join(root, 'node_modules/typescript/bin/tsc');
  const check = (name: string, compilerOptions: Record<string, unknown>, files: string[]): string => {
    writeFileSync(join(dir, `tsconfig.${name}.json`), JSON.stringify({
      compilerOptions: {
        strict: true, target: 'es2022', lib: ['es2022', 'esnext.disposable', 'dom'], noEmit: true, skipLibCheck: false, types: [], ...compilerOptions,
      },
      files,
    }));
    try {
      return execFileSync(process.execPath, [tsc, '-p', `tsconfig.${name}.json`], { cwd: dir, encoding: 'utf8' });
    } catch (e) {
      return String((e as { stdout?: string }).stdout) || String(e);
    }
  };

  it.each([['node16', 'node16'], ['nodenext', 'nodenext'], ['bundler', 'esnext'], ['node10', 'esnext']])(
    'the README, typed, type-checks against the installed .d.ts under moduleResolution %s (no @types/node needed)',
    (moduleResolution, module) => {
      expect(check(moduleResolution, { module, moduleResolution }, ['consumer.ts'])).toBe('');
    }, 120_000);

  it('the declarations need no lib beyond es2022: no dom, no @types/node (they reference esnext.disposable themselves)', () => {
    writeFileSync(join(dir, 'bare.ts'), [
      "import { Linear, MSELoss, SGD, Tensor, fit } from 'wasmnn';",
      'using layer = new Linear(2, 1);',
      'const x = Tensor.from([[1, 2]]), y = Tensor.from([[1]]);',
      'fit(layer, { x, y, loss: new MSELoss(), optimizer: new SGD(layer.parameters()), epochs: 1, signal: { aborted: false } });',
      'export const shape: readonly number[] = layer.forward(x).shape;',
    ].join('\n'));
    for (const m of ['nodenext', 'bundler']) {
      expect(check(`bare-${m}`, { module: m === 'bundler' ? 'esnext' : m, moduleResolution: m, lib: ['es2022'] }, ['bare.ts'])).toBe('');
    }
  }, 120_000);

  it.each(['node16', 'nodenext'])('require(\'wasmnn\') from a .cts type-checks under %s (the "require" condition\'s .d.cts)', (m) => {
    expect(check(`cjs-${m}`, { module: m, moduleResolution: m }, ['consumer.cts'])).toBe('');
  }, 120_000);

  it('the typed consumer runs: what the types accept, the runtime accepts', () => {
    for (const [from, to, format] of [['consumer.ts', 'consumer.mjs', 'esm'], ['consumer.cts', 'consumer.cjs', 'cjs']] as const) {
      const code = transformSync(readFileSync(join(dir, from), 'utf8'), { loader: 'ts', format, target: 'es2022' }).code;
      writeFileSync(join(dir, to), code);
      const last = node([to]).trim().split('\n').at(-1)!;
      expect(JSON.parse(last), from).toMatchObject({ ok: true });
    }
  }, 120_000);

  it('every export of the published .d.ts, and every public member of its classes, carries a doc comment; the declared values are the runtime exports', () => {
    const file = join(dir, 'node_modules/wasmnn/dist/index.d.ts');
    const program = ts.createProgram([file], { strict: true, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext });
    const checker = program.getTypeChecker();
    const exports = checker.getExportsOfModule(checker.getSymbolAtLocation(program.getSourceFile(file)!)!);
    const undocumented = exports.filter((s) => {
      const target = s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s;
      return !ts.displayPartsToString(target.getDocumentationComment(checker)).trim();
    }).map((s) => s.getName());
    expect(undocumented).toEqual(['nn']); // a namespace the .d.ts bundler emits without comments; README's API table has it
    // Public members of the exported classes too (not `_`-prefixed or @internal ones).
    const bare: string[] = [];
    for (const s of exports) {
      const target = s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s;
      if (!(target.flags & ts.SymbolFlags.Class)) continue;
      for (const m of (target.declarations![0] as ts.ClassDeclaration).members) {
        if (!m.name || ts.getCombinedModifierFlags(m) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) continue;
        const member = checker.getSymbolAtLocation(m.name);
        if (!member || /^[_#]/.test(m.name.getText()) || member.getJsDocTags(checker).some((t) => t.name === 'internal')) continue;
        if (!ts.displayPartsToString(member.getDocumentationComment(checker)).trim()) bare.push(`${s.getName()}.${m.name.getText()}`);
      }
    }
    expect([...new Set(bare)]).toEqual([]);
    // Every runtime export is declared, and every declared value is there at run time.
    const runtime = JSON.parse(node(['--input-type=module', '-e', "import * as w from 'wasmnn'; console.log(JSON.stringify(Object.keys(w)))"])) as string[];
    const values = exports.filter((s) => (s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s).flags & ts.SymbolFlags.Value).map((s) => s.getName());
    expect(values.sort()).toEqual(runtime.sort());
  }, 120_000);
});

describe('browser bundles of the installed package (esbuild, platform browser)', () => {
  const bundle = async (name: string, code: string): Promise<{ text: string; minified: number; gzip: number }> => {
    mkdirSync(join(dir, 'web'), { recursive: true });
    writeFileSync(join(dir, 'web', `${name}.mjs`), code);
    const out = await build({ entryPoints: [join(dir, 'web', `${name}.mjs`)], bundle: true, minify: true, format: 'esm', platform: 'browser', write: false, logLevel: 'silent', absWorkingDir: dir });
    const text = out.outputFiles[0]!.text;
    return { text, minified: out.outputFiles[0]!.contents.length, gzip: gzipSync(out.outputFiles[0]!.contents).length };
  };
  const linearOnly = "import { Linear, Tensor } from 'wasmnn';\nglobalThis.out = new Linear(2, 3).forward(Tensor.from([[1, 2]])).shape;\n";
  const xor = `import { Sequential, Linear, ReLU, Sigmoid, BCELoss, Adam, Tensor, manualSeed, getBackend, fit } from 'wasmnn';
manualSeed(1);
const model = new Sequential(new Linear(2, 8), new ReLU(), new Linear(8, 1), new Sigmoid());
const h = fit(model, { loss: new BCELoss(), optimizer: new Adam(model.parameters(), { lr: 0.05 }), x: Tensor.from([[0, 0], [0, 1], [1, 0], [1, 1]]),
  y: Tensor.from([[0], [1], [1], [0]]), epochs: 400, batchSize: 4, seed: 1 });
globalThis.result = { loss: h.last.loss, backend: getBackend() };
`;

  it('reach no Node built-in: no static or literal node: import, require or process.binding', async () => {
    for (const code of [linearOnly, xor, "import * as w from 'wasmnn';\nglobalThis.w = w;\n"]) {
      const { text } = await bundle('builtins', code);
      expect(text).not.toMatch(/(?:from\s*|import\(\s*|require\(\s*)["'`](?:node:|fs|os|path|worker_threads|crypto|module|url)["'`/]/);
    }
  }, 120_000);

  it('tree-shake: importing Linear and Tensor keeps one copy of the kernels, not the threads build (init brings it)', async () => {
    const linear = await bundle('linear', linearOnly);
    const withInit = await bundle('init', "import { init } from 'wasmnn';\nglobalThis.init = init;\n");
    const everything = await bundle('all', "import * as w from 'wasmnn';\nglobalThis.w = w;\n");
    const copies = (s: string): number => s.split('AGFzbQ').length - 1; // '\0asm' in base64
    expect(copies(linear.text)).toBe(1);
    expect(copies(withInit.text)).toBe(2);
    expect(linear.minified).toBeLessThan(everything.minified - 200_000); // the threads copy (176 KB of base64) and most of the library left out
    // README's figures ("In the browser"), to within 2 %: refresh them when this fails.
    const claimed = /importing\s+only\s+`Linear`\s+and\s+`Tensor`\s+is\s+(\d+)\s+KB\s+minified\s+\((\d+)\s+KB\s+gzipped\)/.exec(readme);
    expect(claimed, 'README states the tree-shaken size').not.toBeNull();
    expect(Math.abs(Number(claimed![1]) * 1000 / linear.minified - 1)).toBeLessThan(0.02);
    expect(Math.abs(Number(claimed![2]) * 1000 / linear.gzip - 1)).toBeLessThan(0.02);
  }, 120_000);

  it.skipIf(!hasChromium)('trains XOR in Chromium with the WASM kernels', async () => {
    const { text } = await bundle('xor', xor);
    const browser = await launch();
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.route('http://wasmnn.test/**', (route) => route.fulfill(route.request().url().endsWith('.js')
        ? { contentType: 'text/javascript', body: text }
        : { contentType: 'text/html', body: '<script type="module" src="/xor.js"></script>' }));
      await page.goto('http://wasmnn.test/');
      const handle = await page.waitForFunction(() => (globalThis as { result?: unknown }).result, null, { timeout: 60_000 });
      const result = (await handle.jsonValue()) as { loss: number; backend: string };
      expect(errors).toEqual([]);
      expect(result.backend).toBe('wasm');
      expect(result.loss).toBeLessThan(0.1);
    } finally {
      await browser.close();
    }
  }, 120_000);
});

describe.skipIf(!hasChromium)('README "In the browser": the <script type="module"> block, served from the install directory', () => {
  it('imports ./node_modules/wasmnn/dist/index.js with no bundler and runs', async () => {
    const block = /```html\n([\s\S]*?)```/.exec(readme)![1]!;
    const html = block.replace('</script>', 'globalThis.result = { shape: model.forward(Tensor.from([[0, 1]])).shape };\n</script>');
    const browser = await launch();
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.route('http://wasmnn.test/**', (route) => {
        const path = new URL(route.request().url()).pathname;
        return route.fulfill(path === '/' ? { contentType: 'text/html', body: html }
          : { contentType: 'text/javascript', body: readFileSync(join(dir, decodeURIComponent(path))) });
      });
      await page.goto('http://wasmnn.test/');
      const handle = await page.waitForFunction(() => (globalThis as { result?: unknown }).result, null, { timeout: 60_000 });
      expect(errors).toEqual([]);
      expect(await handle.jsonValue()).toEqual({ shape: [1, 1] });
    } finally {
      await browser.close();
    }
  }, 120_000);
});

describe('README figures about the package', () => {
  it('the packed and unpacked sizes match npm pack to within 2 %', () => {
    const m = /npm install wasmnn\s+#[^\n]*?(\d+) kB packed, ([\d.]+) MB unpacked/.exec(readme);
    expect(m, 'README states the package size').not.toBeNull();
    expect(Math.abs(Number(m![1]) * 1000 / pack.size - 1)).toBeLessThan(0.02);
    expect(Math.abs(Number(m![2]) * 1e6 / pack.unpackedSize - 1)).toBeLessThan(0.03); // one decimal of MB
  });

  it('the kernels\' size (132 KB of WASM, 30 KB gzipped) matches build/wasmnn.wasm to within 2 %', () => {
    const m = /\((\d+)\s+KB\s+of\s+WASM,\s+(\d+)\s+KB\s+gzipped/.exec(readme);
    expect(m).not.toBeNull();
    for (const file of ['build/wasmnn.wasm', 'build/wasmnn.threads.wasm']) {
      const wasm = readFileSync(join(root, file));
      expect(Math.abs(Number(m![1]) * 1000 / wasm.length - 1), file).toBeLessThan(0.02);
      expect(Math.abs(Number(m![2]) * 1000 / gzipSync(wasm, { level: 9 }).length - 1), file).toBeLessThan(0.02);
    }
  });

  it('the ESM entry\'s min+gzip size matches `npm run size` to within 2 %', () => {
    const m = /the\s+whole\s+ESM\s+entry\s+is\s+(\d+)\s+KB\s+min\+gzip/.exec(readme);
    expect(m).not.toBeNull();
    const min = transformSync(readFileSync(join(dir, 'node_modules/wasmnn/dist/index.js'), 'utf8'), { minify: true, format: 'esm' }).code;
    expect(Math.abs(Number(m![1]) * 1000 / gzipSync(Buffer.from(min), { level: 9 }).length - 1)).toBeLessThan(0.02);
  });
});
