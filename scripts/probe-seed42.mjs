// The previous EXPERIMENTS.md explained its seed-42 XOR failures (report 001's network with
// PyTorch's default init, SGD lr 0.01 and ReLU) as a dead first layer with every output 0.5 and
// loss ln 2. This re-runs exactly that command's model (same draws as `wasmnn train --dataset xor
// --hidden 4,4 --loss bce --init default --seed 42 --epochs 20000 --early-stop-accuracy 1
// --optim sgd --lr 1e-2`) and prints which units are active on the 21 points and what it outputs.
import { Generator, Linear, LeakyReLU, ReLU, Sigmoid, Sequential, BCELoss, SGD, Tensor, fit, nn, xorEasy, predict } from 'wasmnn';
for (const Act of [LeakyReLU, ReLU]) {
  const g = new Generator(42);
  const data = xorEasy();
  const layers = [];
  for (const [i, o] of [[2, 4], [4, 4], [4, 1]]) {
    const l = new Linear(i, o, { generator: g });
    const b = 1 / Math.sqrt(i);
    nn.init.uniform(l.weight, -b, b, g); nn.init.uniform(l.bias, -b, b, g);
    layers.push(l);
    layers.push(o === 1 ? new Sigmoid() : new Act());
  }
  const model = new Sequential(...layers);
  const y = Tensor.from(data.y.toFloat32Array(), [21, 1]);
  const h = fit(model, { loss: new BCELoss(), optimizer: new SGD(model.parameters(), { lr: 0.01 }), x: data.x, y, epochs: 20000, batchSize: 100, seed: 42, evaluateTrain: true,
    earlyStopping: { monitor: 'accuracy', target: 1, patience: 20000 } });
  // activations of each hidden layer on the 21 points
  const sub = (n) => new Sequential(...layers.slice(0, n));
  const a1 = predict(sub(2), data.x).toArray(), a2 = predict(sub(4), data.x).toArray(), out = predict(model, data.x).toArray();
  const active = (a) => a[0].map((_, j) => a.filter((r) => r[j] > 0).length);
  const spread = (a) => a[0].map((_, j) => (Math.max(...a.map((r) => r[j])) - Math.min(...a.map((r) => r[j]))).toExponential(2));
  console.log(Act.name, 'epochs', h.epochs.length, 'loss', h.last.loss.toFixed(6), 'acc', h.last.accuracy.toFixed(4));
  console.log(' layer-1 units: points with output > 0:', active(a1).join(','), ' range over points:', spread(a1).join(','));
  console.log(' layer-2 units: points with output > 0:', active(a2).join(','), ' range over points:', spread(a2).join(','));
  console.log(' output: min', Math.min(...out.map((r) => r[0])).toFixed(5), 'max', Math.max(...out.map((r) => r[0])).toFixed(5), ' 10/21 =', (10 / 21).toFixed(5));
}
