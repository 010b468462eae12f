// In the page (bench.html?threads=N): wasmnn and TF.js-wasm (its threaded SIMD build), both set
// to N threads on this main thread, and their training steps, timed on request by
// bench/browser.mjs. The driver opens one page per thread count, because TF.js fixes its thread
// count once per page when its backend initialises; it then alternates between the pages'
// runners in interleaved rounds. The page must be cross-origin isolated (the driver serves it so).
import * as wasmnn from '../../dist/index.js';
import { NETWORKS, wasmnnStep } from '../train-step.mjs';
import { minimizeSteps } from '../lib/tfjs-minimize.mjs';

import '../.build/tf-browser.js';

const tf = globalThis.tf;
const tfWasm = globalThis.tfWasm;
const threads = Number(new URL(globalThis.location.href).searchParams.get('threads') ?? '1');

/**
 * TF.js-wasm 4.22 creates its thread pool with min(setThreadsCount(n), hardwareConcurrency / 2)
 * threads (its backend.cc assumes two hyperthreads per core; tfjs issue 6081), so on a machine
 * whose navigator.hardwareConcurrency is 2 it runs 1 thread whatever it is asked. It reads the
 * value once, when its WASM module starts (inside tf.ready()); the page reports 2·n during
 * that call only, then the real value again.
 */
async function startTf(n) {
  const real = globalThis.navigator.hardwareConcurrency;
  tfWasm.setWasmPaths('/node_modules/@tensorflow/tfjs-backend-wasm/dist/');
  tfWasm.setThreadsCount(n);
  Object.defineProperty(globalThis.navigator, 'hardwareConcurrency', { value: Math.max(real, 2 * n), configurable: true });
  try {
    if (!(await tf.setBackend('wasm'))) throw new Error('TF.js: the wasm backend failed to initialise');
    await tf.ready();
  } finally {
    delete globalThis.navigator.hardwareConcurrency;
  }
  const binaries = globalThis.performance.getEntriesByType('resource').map((e) => e.name.split('/').pop()).filter((f) => f.endsWith('.wasm'));
  return {
    threads: tfWasm.getThreadsCount(), requested: n, binary: binaries.join(', '),
    simd: await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'), multithread: await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'),
  };
}

let runners = {};

/** Starts both libraries on this page's thread count; returns what each reports. */
globalThis.benchSetup = async () => {
  const tfInfo = await startTf(threads);
  const wasmnnInfo = await wasmnn.init({ threads });
  return {
    page: threads, crossOriginIsolated: globalThis.crossOriginIsolated, hardwareConcurrency: globalThis.navigator.hardwareConcurrency,
    tf: tfInfo, wasmnn: wasmnnInfo, userAgent: globalThis.navigator.userAgent,
  };
};

/**
 * Builds the page's runners for one network, warms each up (`warmup` steps) and fixes how many
 * steps one timing takes (about `targetMs`, at least 1). Returns ms of one warm step per runner.
 */
globalThis.benchPrepare = async ({ network, warmup, targetMs }) => {
  const net = NETWORKS[network];
  const steps = minimizeSteps(tf);
  runners = { wasmnn: wasmnnStep(net, 'wasm'), minimize: steps.minimizeStep(net), customGrad: steps.customGradStep(net) };
  const one = {};
  for (const [key, runner] of Object.entries(runners)) {
    for (let i = 0; i < warmup; i++) await runner.step();
    const t0 = globalThis.performance.now();
    await runner.step();
    one[key] = Math.max(globalThis.performance.now() - t0, 1e-3);
    runner.inner = Math.max(1, Math.round(targetMs / one[key]));
  }
  return one;
};

/** ms per step of one runner over its calibrated number of steps. */
globalThis.benchTime = async (key) => {
  const runner = runners[key];
  const start = globalThis.performance.now();
  for (let i = 0; i < runner.inner; i++) await runner.step();
  return (globalThis.performance.now() - start) / runner.inner;
};

globalThis.benchDispose = () => {
  for (const runner of Object.values(runners)) runner.dispose();
  runners = {};
};

globalThis.benchReady = true;
