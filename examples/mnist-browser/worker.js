// The MNIST trainer, in a module Worker: LeNet-5 (optionally with BatchNorm) trained by wasmnn
// with Adam and cosine annealing; reports progress every few batches, evaluates after every
// epoch, and answers predictions for drawn digits between batches.
// In:  { type: 'start', config } | { type: 'stop' } | { type: 'predict', pixels: Float32Array(784) }
// Out: { type: 'status', text } | { type: 'progress', … } | { type: 'epoch', … } | { type: 'done', … }
//      | { type: 'prediction', probabilities } | { type: 'error', message }
import * as w from '../../dist/index.js';
import { loadMnist, subset } from './data.js';

let model = null;
let running = false;

function lenet(bn, g) {
  const norm = (c) => (bn ? [new w.BatchNorm2d(c)] : []);
  return new w.Sequential(
    new w.Conv2d(1, 6, 5, { padding: 2, generator: g }), ...norm(6), new w.ReLU(), new w.MaxPool2d(2),
    new w.Conv2d(6, 16, 5, { generator: g }), ...norm(16), new w.ReLU(), new w.MaxPool2d(2), new w.Flatten(),
    new w.Linear(400, 120, { generator: g }), new w.ReLU(), new w.Linear(120, 84, { generator: g }), new w.ReLU(),
    new w.Linear(84, 10, { generator: g }),
  );
}

const pause = () => new Promise((r) => setTimeout(r, 0));

async function train(config) {
  self.postMessage({ type: 'status', text: 'loading digits…' });
  const data = await loadMnist(config.dataUrl);
  const tr = subset(data.train, config.trainLimit), te = subset(data.test, config.testLimit);
  const x = w.Tensor.from(tr.pixels, [tr.count, 1, 28, 28]), y = w.Tensor.from(tr.labels);
  const xTest = w.Tensor.from(te.pixels, [te.count, 1, 28, 28]), yTest = w.Tensor.from(te.labels);
  const g = new w.Generator(config.seed);
  model?.dispose();
  model = lenet(config.model === 'lenet-bn', g);
  const loss = new w.CrossEntropyLoss();
  const optimizer = new w.Adam(model.parameters(), { lr: config.lr });
  const scheduler = new w.CosineAnnealingLR(optimizer, { tMax: config.epochs });
  const loader = new w.DataLoader(x, y, { batchSize: config.batchSize, shuffle: true, seed: config.seed });
  self.postMessage({ type: 'status', text: `training on ${tr.count} digits, testing on ${te.count}` });
  running = true;
  const start = performance.now();
  let steps = 0;
  for (let epoch = 1; epoch <= config.epochs && running; epoch++) {
    const t0 = performance.now();
    let sum = 0, batches = 0;
    for (const b of loader) {
      optimizer.zeroGrad();
      sum += loss.forward(model.forward(b.x), b.y);
      model.backwardParameters(loss.backward()); // the parameter gradients only: the input is data
      optimizer.step();
      batches++;
      steps++;
      if (batches % 5 === 0) {
        const seconds = (performance.now() - start) / 1000;
        self.postMessage({ type: 'progress', epoch, batch: batches, batches: loader.batchesPerEpoch, loss: sum / batches, samplesPerSecond: (steps * config.batchSize) / seconds });
        await pause(); // let 'predict' and 'stop' in
        if (!running) break;
      }
    }
    const val = w.evaluate(model, { x: xTest, y: yTest, loss });
    self.postMessage({ type: 'epoch', epoch, epochs: config.epochs, loss: sum / batches, valLoss: val.loss, valAccuracy: val.accuracy, seconds: (performance.now() - t0) / 1000, lr: optimizer.lr });
    scheduler.step();
    await pause();
  }
  running = false;
  loader.dispose();
  for (const t of [x, y, xTest, yTest]) t.dispose();
  self.postMessage({ type: 'done', seconds: (performance.now() - start) / 1000, steps });
}

function predict(pixels) {
  if (!model) throw new Error('train the network first');
  const wasTraining = model.training;
  model.eval();
  const input = w.Tensor.from(pixels, [1, 1, 28, 28]);
  const logits = Array.from(model.forward(input).toFloat32Array());
  input.dispose();
  model.train(wasTraining);
  const max = Math.max(...logits);
  const e = logits.map((v) => Math.exp(v - max));
  const total = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / total);
}

self.onmessage = async ({ data }) => {
  try {
    if (data.type === 'start' && !running) await train(data.config);
    else if (data.type === 'stop') running = false;
    else if (data.type === 'predict') self.postMessage({ type: 'prediction', probabilities: predict(data.pixels) });
  } catch (e) {
    running = false;
    self.postMessage({ type: 'error', message: e.message });
  }
};
