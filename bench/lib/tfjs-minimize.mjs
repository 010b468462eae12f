// TF.js training steps built on `optimizer.minimize`, for any `tf` namespace (the npm packages in
// Node, the UMD bundle in a browser): the stock dense layer relu(x·W + b), and the customGrad
// workaround whose backward uses tf.transpose + plain matMul (no transposed matMul).
export function minimizeSteps(tf) {
  function data(net) {
    const { sizes, batch } = net;
    const x = tf.randomUniform([batch, sizes[0]], -1, 1, 'float32', 1);
    const classes = sizes[sizes.length - 1];
    const labels = tf.cast(tf.oneHot(tf.randomUniform([batch], 0, classes, 'int32', 2), classes), 'float32');
    return { x, y: labels };
  }
  function variables(sizes) {
    const vars = [];
    for (let l = 1; l < sizes.length; l++) {
      const bound = 1 / Math.sqrt(sizes[l - 1]);
      vars.push({ w: tf.variable(tf.randomUniform([sizes[l - 1], sizes[l]], -bound, bound)), b: tf.variable(tf.zeros([sizes[l]])) });
    }
    return vars;
  }
  const lossOf = (net, out, y) => (net.loss === 'ce' ? tf.losses.softmaxCrossEntropy(y, out) : tf.losses.meanSquaredError(y, out));
  /** optimizer.minimize over relu(dense(x)) layers; `dense` builds one layer. */
  function minimizeWith(net, dense) {
    const vars = variables(net.sizes);
    const optimizer = net.optim === 'adam' ? tf.train.adam(1e-3) : tf.train.sgd(1e-3);
    const { x, y } = data(net);
    const forward = () => {
      let h = x;
      vars.forEach((v, l) => {
        h = dense(h, v.w, v.b, l === 0);
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
  const denseCustom = tf.customGrad((x, w, b, save) => {
    save([x, w]);
    return {
      value: tf.add(tf.matMul(x, w), b),
      gradFunc: (dy, [sx, sw]) => [tf.matMul(dy, tf.transpose(sw)), tf.matMul(tf.transpose(sx), dy), tf.sum(dy, 0)],
    };
  });
  // The first layer's input is data: a careful user returns zeros for its gradient instead of
  // computing dy·Wᵀ (customGrad must return one gradient per input), as wasmnn's fit() and
  // PyTorch skip it and stock minimize never asks for it.
  const denseCustomFirst = tf.customGrad((x, w, b, save) => {
    save([x]);
    return {
      value: tf.add(tf.matMul(x, w), b),
      gradFunc: (dy, [sx]) => [tf.zerosLike(sx), tf.matMul(tf.transpose(sx), dy), tf.sum(dy, 0)],
    };
  });
  return {
    data,
    minimizeStep: (net) => minimizeWith(net, (h, w, b) => tf.add(tf.matMul(h, w), b)),
    customGradStep: (net) => minimizeWith(net, (h, w, b, first) => (first ? denseCustomFirst : denseCustom)(h, w, b)),
  };
}
