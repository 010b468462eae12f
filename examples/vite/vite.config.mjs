import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// This example lives inside the wasmnn repository, so 'wasmnn' is aliased to the local build.
// In your own app, `npm install wasmnn` and delete the alias: no other configuration is needed.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  resolve: { alias: { wasmnn: fileURLToPath(new URL('../../dist/index.js', import.meta.url)) } },
  build: { outDir: fileURLToPath(new URL('../../test-artifacts/vite-dist', import.meta.url)), emptyOutDir: true },
  logLevel: 'warn',
});
