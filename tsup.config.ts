import { defineConfig } from 'tsup';

export default defineConfig([
  // The library: one entry, ESM (.js + .d.ts) and CommonJS (.cjs + .d.cts); the wasm is embedded.
  {
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    target: 'es2022',
    treeshake: true,
  },
  // The `wasmnn` command: ESM for Node, with its tooling packages left as imports.
  {
    entry: { cli: 'src/cli/main.ts' },
    format: ['esm'],
    platform: 'node',
    target: 'node18',
    sourcemap: true,
    banner: { js: '#!/usr/bin/env node' },
    external: ['vega', 'vega-lite', 'cli-progress', '@resvg/resvg-js'],
  },

  // bench/ only: kernels and allocator, for timing kernels directly (not part of the package API).
  {
    entry: { 'bench-internal': 'src/backend/bench-entry.ts' },
    format: ['esm'],
    target: 'es2022',
  },
]);
