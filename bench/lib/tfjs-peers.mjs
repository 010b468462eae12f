// TF.js training steps for the benchmark: tfjs-layers trainOnBatch, optimizer.minimize on a
// hand-built MLP, and minimize with each dense layer as a tf.customGrad whose backward uses
// tf.transpose + plain matMul (the user workaround for slow transposed matMuls on tfjs-wasm).
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tfl from '@tensorflow/tfjs-layers';
import { minimizeSteps } from './tfjs-minimize.mjs';

const { data } = minimizeSteps(tf);

export async function useBackend(name) {
  await tf.setBackend(name);
  await tf.ready();
}

/** tfjs-layers: model.trainOnBatch. */
export function layersStep(net) {
  const { sizes } = net;
  const model = tfl.sequential();
  for (let l = 1; l < sizes.length; l++) {
    const last = l === sizes.length - 1;
    model.add(tfl.layers.dense({ units: sizes[l], inputShape: l === 1 ? [sizes[0]] : undefined,
      activation: last ? (net.loss === 'ce' ? 'softmax' : 'linear') : 'relu' }));
  }
  const optimizer = net.optim === 'adam' ? tf.train.adam(1e-3) : tf.train.sgd(1e-3);
  model.compile({ optimizer, loss: net.loss === 'ce' ? 'categoricalCrossentropy' : 'meanSquaredError' });
  const { x, y } = data(net);
  return { step: async () => { await model.trainOnBatch(x, y); }, dispose: () => { model.dispose(); tf.dispose([x, y]); } };
}

export const { minimizeStep, customGradStep } = minimizeSteps(tf);
