// In the page: training steps of wasmnn (1 and N threads, on this main thread) and TF.js-wasm
// (its threaded SIMD build, stock minimize and the customGrad workaround), side by side in
// interleaved rounds. The page must be cross-origin isolated (bench/browser.mjs serves it so).
import * as wasmnn from '../../dist/index.js';
import { NETWORKS, modelFlops, wasmnnStep } from '../train-step.mjs';
import { minimizeSteps } from '../lib/tfjs-minimize.mjs';
import { measure } from '../lib/stats.mjs';

import '../.build/tf-browser.js';

const tf = globalThis.tf;
const tfWasm = globalThis.tfWasm;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function startTf(threads) {
  tfWasm.setWasmPaths('/node_modules/@tensorflow/tfjs-backend-wasm/dist/');
  tfWasm.setThreadsCount(threads);
  await tf.setBackend('wasm');
  await tf.ready();
  return {
    multithread: await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'),
    simd: await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'),
    threads: tfWasm.getThreadsCount(),
  };
}

globalThis.runBench = async ({ networks, reps, threads, targetMs }) => {
  const tfInfo = await startTf(threads);
  const steps = minimizeSteps(tf);
  const rows = [];
  for (const name of networks) {
    const net = NETWORKS[name];
    const impls = [
      [`wasmnn 1 thread`, 1, wasmnnStep(net, 'wasm')],
      [`wasmnn ${threads} threads`, threads, wasmnnStep(net, 'wasm')],
      [`TF.js wasm (threaded SIMD, ${tfInfo.threads} threads) minimize`, 0, steps.minimizeStep(net)],
      [`TF.js wasm (threaded SIMD, ${tfInfo.threads} threads) customGrad workaround`, 0, steps.customGradStep(net)],
    ];
    const times = impls.map(() => []);
    for (let r = 0; r < reps; r++) {
      for (const [i, [, t, runner]] of impls.entries()) {
        if (t) await wasmnn.init({ threads: t });
        times[i].push((await measure(runner.step, { reps: 1, warmup: 2, targetMs })).median);
      }
    }
    impls.forEach(([, , runner]) => runner.dispose());
    const ours = median(times[1]);
    impls.forEach(([impl], i) => {
      const m = median(times[i]);
      rows.push({
        network: name, implementation: impl, 'ms/step (median)': +m.toPrecision(3),
        'min–max': `${+Math.min(...times[i]).toPrecision(3)}–${+Math.max(...times[i]).toPrecision(3)}`,
        'model GFLOP/s': +(modelFlops(net) / m / 1e6).toPrecision(3), [`wasmnn ${threads} threads speed-up`]: +(m / ours).toPrecision(3),
      });
    });
  }
  await wasmnn.init({ threads: 1 });
  return { rows, tf: tfInfo, threads: wasmnn.getThreads(), userAgent: globalThis.navigator.userAgent };
};
globalThis.benchReady = true;
