import { defineConfig } from 'tsup';

// One entry, ESM (.js + .d.ts) and CommonJS (.cjs + .d.cts); the wasm is embedded in both.
export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2020',
  treeshake: true,
});
