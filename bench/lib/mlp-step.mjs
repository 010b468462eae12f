// One training step of a benchmark MLP (bench/train-step.mjs's NETWORKS entries), built from any
// build's public API, so that the step every script times is the same one.

/**
 * Inputs of a network: x ~ U(−1, 1) [batch, in], class labels, and their one-hot rows (the MSE
 * target), from Generator(1) in that order.
 */
export function mlpInputs(lib, net) {
  const g = new lib.Generator(1);
  const n = net.batch, classes = net.sizes[net.sizes.length - 1];
  const x = Float32Array.from({ length: n * net.sizes[0] }, () => g.uniform(-1, 1));
  const labels = Array.from({ length: n }, () => g.randint(classes));
  const onehot = new Float32Array(n * classes);
  labels.forEach((c, i) => { onehot[i * classes + c] = 1; });
  return { x, labels, onehot };
}

/**
 * The model (Linear + ReLU …, weights from Generator(2)), optimizer, loss and inputs of `net` in
 * `lib` (a build's index.js), and step(): zeroGrad, forward, loss, backward, update.
 * `parametersOnly` (default true): backward as fit() runs it, Module.backwardParameters (the
 * first layer computes no input gradient), where the build has it; false: backward().
 */
export function mlpStep(lib, net, { parametersOnly = true } = {}) {
  const g = new lib.Generator(2), layers = [];
  net.sizes.slice(1).forEach((out, l) => {
    layers.push(new lib.Linear(net.sizes[l], out, { generator: g }));
    if (l < net.sizes.length - 2) layers.push(new lib.ReLU());
  });
  const model = new lib.Sequential(...layers);
  const opt = net.optim === 'adam' ? new lib.Adam(model.parameters(), { lr: 1e-3 }) : new lib.SGD(model.parameters(), { lr: 1e-3 });
  const { x: xs, labels, onehot } = mlpInputs(lib, net);
  const classes = net.sizes[net.sizes.length - 1];
  const x = lib.Tensor.from(xs, [net.batch, net.sizes[0]]);
  const target = net.loss === 'ce' ? lib.Tensor.from(labels) : lib.Tensor.from(onehot, [net.batch, classes]);
  const loss = net.loss === 'ce' ? new lib.CrossEntropyLoss() : new lib.MSELoss();
  const backward = parametersOnly && typeof model.backwardParameters === 'function'
    ? (dy) => model.backwardParameters(dy) : (dy) => model.backward(dy);
  return {
    model, opt, loss, x, target,
    step: () => {
      opt.zeroGrad();
      loss.forward(model.forward(x), target);
      backward(loss.backward());
      opt.step();
    },
    dispose: () => { model.dispose(); opt.dispose(); },
  };
}
