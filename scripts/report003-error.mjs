// Report 003's "Training error: 327546.28 % (3275462 / 1000)": more errors than points. This
// measures which error count and which setting give such a number: a 2-25-25-25-1 network, MSE,
// SGD lr 0.01 momentum 0.15, one sample per update in data order, 7 epochs ("rounds"), and after
// each epoch two counts on the 1000 training points: misclassified points (output > 0.5 vs label)
// and Σ|round(output) − label|, which equals the first for outputs in [0, 1] but grows with
// the output's magnitude (also counted while training, on each sample before its update). Prints JSON (summarised by experiments-summary.mjs).
import { Generator, Linear, MSELoss, ReLU, SGD, Sequential, Sigmoid, Tanh, Tensor, disk, nn, predict } from 'wasmnn';

const ACT = { relu: () => new ReLU(), tanh: () => new Tanh(), sigmoid: () => new Sigmoid() };
const INIT = {
  ...Object.fromEntries((process.env.STDS ?? '').split(',').filter(Boolean).map((s) => [`normal-${s}`, (layer, g) => { nn.init.normal(layer.weight, 0, Number(s), g); nn.init.normal(layer.bias, 0, Number(s), g); }])),
  default: () => {}, // PyTorch's U(±1/√fan_in), drawn by Linear itself
  'normal-1': (layer, g) => { nn.init.normal(layer.weight, 0, 1, g); nn.init.normal(layer.bias, 0, 1, g); },
};

function counts(model, x, labels) {
  const out = predict(model, x), o = out.toFloat32Array();
  let misclassified = 0, sumAbsRounded = 0;
  for (let i = 0; i < labels.length; i++) {
    if ((o[i] > 0.5 ? 1 : 0) !== labels[i]) misclassified++;
    sumAbsRounded += Math.abs(Math.round(o[i]) - labels[i]);
  }
  out.dispose();
  return { misclassified, sumAbsRounded };
}

const results = [];
for (const act of (process.env.ACTS ?? 'relu,tanh,sigmoid').split(',')) {
  for (const init of Object.keys(INIT)) {
    for (let seed = 1; seed <= 10; seed++) {
      const g = new Generator(seed);
      const train = disk(1000, g), test = disk(1000, g);
      const layers = [];
      for (const [i, o] of [[2, 25], [25, 25], [25, 25], [25, 1]]) {
        const layer = new Linear(i, o, { generator: g });
        INIT[init](layer, g);
        layers.push(layer);
        if (o !== 1) layers.push(ACT[act]());
      }
      const model = new Sequential(...layers);
      const optimizer = new SGD(model.parameters(), { lr: 0.01, momentum: 0.15 });
      const loss = new MSELoss();
      const labels = train.y.toFloat32Array();
      const xs = train.x.toFloat32Array();
      const xi = Tensor.zeros([1, 2]), yi = Tensor.zeros([1, 1]);
      const epochs = [];
      let diverged = false;
      for (let epoch = 1; epoch <= 7 && !diverged; epoch++) {
        let runningSumAbsRounded = 0; // the same count on each sample's output before its update
        for (let i = 0; i < 1000; i++) {
          xi.set(xs.subarray(2 * i, 2 * i + 2));
          yi.set([labels[i]]);
          optimizer.zeroGrad();
          const out = model.forward(xi);
          runningSumAbsRounded += Math.abs(Math.round(out.item()) - labels[i]);
          try {
            loss.forward(out, yi);
          } catch {
            diverged = true; // the loss is no longer finite
            break;
          }
          model.backward(loss.backward());
          optimizer.step();
        }
        epochs.push(diverged ? { diverged: true, runningSumAbsRounded } : { ...counts(model, train.x, labels), runningSumAbsRounded });
      }
      results.push({ activation: act, init, seed, epochs, test: diverged ? null : counts(model, test.x, test.y.toFloat32Array()) });
      model.dispose();
    }
  }
}
console.log(JSON.stringify(results));
