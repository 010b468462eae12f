// Bundled by bench/browser.mjs (esbuild) into bench/.build/tf-browser.js: TF.js core with its
// gradients and the WASM backend, as the browser build of the npm packages.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import * as wasm from '@tensorflow/tfjs-backend-wasm';

globalThis.tf = tf;
globalThis.tfWasm = wasm;
