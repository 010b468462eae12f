import { defineConfig } from 'tsup';
import type { Plugin } from 'esbuild';

// The command imports the library as the package 'wasmnn' (src/cli → '../index.js' becomes
// 'wasmnn'), so the wasmnn-cli package depends on wasmnn instead of carrying a second copy. Inside
// this repository Node resolves 'wasmnn' to the root package itself (self-reference via "exports").
const libraryAsPackage: Plugin = {
  name: 'library-as-package',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/index\.js$/ }, (args) => (/[\\/]src[\\/]cli[\\/]/.test(args.importer) ? { path: 'wasmnn', external: true } : undefined));
  },
};

export default defineConfig([
  // The library: one entry, ESM (.js + .d.ts) and CommonJS (.cjs + .d.cts); the wasm is embedded.
  // No source maps: the bundle is not minified (readable as it is), and maps doubled the package size.
  {
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    // Symbol.dispose (the `using` methods) is in TypeScript's esnext.disposable lib: referenced,
    // so that a program whose lib lacks it (es2022, dom) and without @types/node type-checks the
    // declarations (skipLibCheck false).
    dts: { banner: '/// <reference lib="esnext.disposable" />' },
    sourcemap: false,
    target: 'es2022',
    treeshake: true,
  },
  // The `wasmnn` command (published as the wasmnn-cli package, packages/cli): ESM for Node, with
  // the library and its tooling packages left as imports.
  {
    entry: { cli: 'src/cli/main.ts' },
    format: ['esm'],
    platform: 'node',
    target: 'node20',
    sourcemap: false,
    banner: { js: '#!/usr/bin/env node' },
    external: ['wasmnn', 'vega', 'vega-lite', 'cli-progress', '@resvg/resvg-js', 'csv-parse'],
    esbuildPlugins: [libraryAsPackage],
  },

  // bench/ only: kernels and allocator, for timing kernels directly (not part of the package API).
  {
    entry: { 'bench-internal': 'src/backend/bench-entry.ts' },
    format: ['esm'],
    target: 'es2022',
  },
]);
