// Loading several builds of wasmnn into one process, for the interleaved A/B scripts: a dist/
// directory (its own module state and WASM memory), or a bare .wasm file (its own instance).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The public API of the build in `dir` (a dist/ directory: its index.js). */
export const importBuild = (dir) => import(pathToFileURL(resolve(dir, 'index.js')).href);

/** The kernel exports of a .wasm file (the default, unthreaded build: no imports), on a memory of its own. */
export const instantiateWasm = (file) => new WebAssembly.Instance(new WebAssembly.Module(readFileSync(file)), {}).exports;
