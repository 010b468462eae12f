// TF.js training steps for the benchmark: tfjs-layers trainOnBatch, optimizer.minimize on a
// hand-built MLP, and minimize with each dense layer as a tf.customGrad whose backward uses
// tf.transpose + plain matMul (the user workaround for slow transposed matMuls on tfjs-wasm).
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tfl from '@tensorflow/tfjs-layers';

export async function useBackend(name) {
  await tf.setBackend(name);
  await tf.ready();
}

function data(net) {
  const { sizes, batch } = net;
  const x = tf.randomUniform([batch, sizes[0]], -1, 1, 'float32', 1);
  const classes = sizes[sizes.length - 1];
  const labels = tf.cast(tf.oneHot(tf.randomUniform([batch], 0, classes, 'int32', 2), classes), 'float32');
  return { x, y: labels };
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

function variables(sizes) {
  const vars = [];
  for (let l = 1; l < sizes.length; l++) {
    const bound = 1 / Math.sqrt(sizes[l - 1]);
    vars.push({ w: tf.variable(tf.randomUniform([sizes[l - 1], sizes[l]], -bound, bound)), b: tf.variable(tf.zeros([sizes[l]])) });
  }
  return vars;
}

function lossOf(net, out, y) {
  return net.loss === 'ce' ? tf.losses.softmaxCrossEntropy(y, out) : tf.losses.meanSquaredError(y, out);
}

/** optimizer.minimize over relu(x·W + b) layers; `dense` builds one layer. */
function minimizeWith(net, dense) {
  const vars = variables(net.sizes);
  const optimizer = net.optim === 'adam' ? tf.train.adam(1e-3) : tf.train.sgd(1e-3);
  const { x, y } = data(net);
  const forward = () => {
    let h = x;
    vars.forEach((v, l) => {
      h = dense(h, v.w, v.b);
      if (l < vars.length - 1) h = tf.relu(h);
    });
    return lossOf(net, h, y);
  };
  return {
    step: async () => {
      const cost = optimizer.minimize(forward, true);
      await cost.data();
      cost.dispose();
    },
    dispose: () => { optimizer.dispose(); tf.dispose([x, y, ...vars.flatMap((v) => [v.w, v.b])]); },
  };
}

export const minimizeStep = (net) => minimizeWith(net, (h, w, b) => tf.add(tf.matMul(h, w), b));

/** The customGrad workaround: no transposed matMul anywhere in the backward pass. */
const denseCustom = tf.customGrad((x, w, b, save) => {
  save([x, w]);
  return {
    value: tf.add(tf.matMul(x, w), b),
    gradFunc: (dy, [sx, sw]) => [tf.matMul(dy, tf.transpose(sw)), tf.matMul(tf.transpose(sx), dy), tf.sum(dy, 0)],
  };
});
export const customGradStep = (net) => minimizeWith(net, (h, w, b) => denseCustom(h, w, b));
