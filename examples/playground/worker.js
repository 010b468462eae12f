// The playground's trainer, in a module Worker so the page stays responsive.
// In:  { type: 'reset', config } | { type: 'start' } | { type: 'pause' } | { type: 'step' }
// Out: { type: 'report', epoch, trainLoss, trainAccuracy, testLoss, testAccuracy, stepsPerSecond, grid, points, running, regression }
// For the regression data set ('surface') the two "accuracy" figures are R² and the grid holds
// the predicted value mapped onto [0, 1].
import * as w from '../../dist/index.js';

const GRID = 64;
const ACTIVATIONS = { relu: () => new w.ReLU(), tanh: () => new w.Tanh(), sigmoid: () => new w.Sigmoid(), leaky_relu: () => new w.LeakyReLU(0.1), gelu: () => new w.GELU() };
const DATASETS = {
  disk: (n, g) => w.disk(n, g), xor: (n, g) => w.xorQuadrants(n, g), linear: (n, g) => w.linear(n, g),
  spiral: (n, g, noise) => w.spiral(n, noise, g), moons: (n, g, noise) => w.moons(n, noise, g),
};
/** A regression data set: t = sin(2π·x₁)·cos(π·x₂) on [0, 1]², Gaussian noise of std `noise` on t. */
function surface(n, g, noise) {
  const x = new Float32Array(2 * n), y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const a = g.random(), b = g.random();
    x[2 * i] = a;
    x[2 * i + 1] = b;
    y[i] = Math.sin(2 * Math.PI * a) * Math.cos(Math.PI * b) + g.normal(0, noise);
  }
  return { x: w.Tensor.from(x, [n, 2]), y: w.Tensor.from(y, [n, 1]) };
}
const REGRESSION = { surface };
const OPTIMIZERS = {
  adam: (p, lr) => new w.Adam(p, { lr }), sgd: (p, lr) => new w.SGD(p, { lr, momentum: 0.9 }),
  rmsprop: (p, lr) => new w.RMSprop(p, { lr }), adagrad: (p, lr) => new w.Adagrad(p, { lr }),
};

let s = null;
let running = false;

function jitter(data, noise, g) {
  if (noise > 0) { const d = data.x.toFloat32Array(); for (let i = 0; i < d.length; i++) d[i] += g.normal(0, noise); data.x.set(d); }
  return data;
}

function reset(config) {
  running = false;
  s?.model.dispose();
  s?.loader.dispose();
  const g = new w.Generator(config.seed ?? 1);
  const regression = config.dataset in REGRESSION;
  const make = regression ? REGRESSION[config.dataset] : DATASETS[config.dataset];
  const noisy = regression || config.dataset === 'spiral' || config.dataset === 'moons';
  const train = noisy ? make(config.n, g, config.noise) : jitter(make(config.n, g), config.noise, g);
  const test = noisy ? make(config.n, g, config.noise) : jitter(make(config.n, g), config.noise, g);
  const sizes = [2, ...config.hidden, regression ? 1 : 2];
  const layers = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    layers.push(new w.Linear(sizes[i], sizes[i + 1], { generator: g }));
    if (i + 2 < sizes.length) layers.push(ACTIVATIONS[config.activation]());
  }
  const model = new w.Sequential(...layers);
  // Regression always trains with MSE on the values; classification with the chosen loss.
  const loss = regression || config.loss === 'mse' ? new w.MSELoss() : new w.CrossEntropyLoss();
  const target = (labels) => (regression || config.loss !== 'mse' ? labels : w.oneHot(labels, 2));
  const grid = new Float32Array(GRID * GRID * 2);
  for (let i = 0; i < GRID; i++) for (let j = 0; j < GRID; j++) { grid[2 * (i * GRID + j)] = (j + 0.5) / GRID; grid[2 * (i * GRID + j) + 1] = 1 - (i + 0.5) / GRID; }
  s = {
    config, regression, model, loss, train, test, yTrain: target(train.y), yTest: target(test.y),
    optimizer: OPTIMIZERS[config.optimizer](model.parameters(), config.lr),
    loader: new w.DataLoader(train.x, target(train.y), { batchSize: config.batchSize, shuffle: true, seed: 7 }),
    gridX: w.Tensor.from(grid, [GRID * GRID, 2]), epoch: 0, steps: 0, stepTime: 0,
  };
  report();
}

function epoch() {
  const t0 = performance.now();
  for (const b of s.loader) {
    s.optimizer.zeroGrad();
    s.loss.forward(s.model.forward(b.x), b.y);
    s.model.backward(s.loss.backward());
    s.optimizer.step();
    s.steps++;
  }
  s.stepTime += performance.now() - t0;
  s.epoch++;
}

/** R² of the model on (x, t): 1 − SSE / SST. */
function r2(x, t) {
  const out = w.predict(s.model, x);
  const p = out.toFloat32Array(), y = t.toFloat32Array();
  out.dispose();
  const mean = y.reduce((a, b) => a + b, 0) / y.length;
  let sse = 0, sst = 0;
  for (let i = 0; i < y.length; i++) { sse += (p[i] - y[i]) ** 2; sst += (y[i] - mean) ** 2; }
  return 1 - sse / sst;
}

function report() {
  const tr = w.evaluate(s.model, { x: s.train.x, y: s.yTrain, loss: s.loss });
  const te = w.evaluate(s.model, { x: s.test.x, y: s.yTest, loss: s.loss });
  if (s.regression) { tr.accuracy = r2(s.train.x, s.yTrain); te.accuracy = r2(s.test.x, s.yTest); }
  const out = w.predict(s.model, s.gridX);
  const o = out.toFloat32Array(), grid = new Float32Array(GRID * GRID);
  for (let k = 0; k < grid.length; k++) grid[k] = s.regression ? Math.min(1, Math.max(0, (o[k] + 1) / 2)) : 1 / (1 + Math.exp(o[2 * k] - o[2 * k + 1]));
  out.dispose();
  const points = { x: s.test.x.toFloat32Array(), y: s.test.y.toFloat32Array() };
  self.postMessage({
    type: 'report', epoch: s.epoch, trainLoss: tr.loss, trainAccuracy: tr.accuracy, testLoss: te.loss, testAccuracy: te.accuracy,
    stepsPerSecond: s.stepTime > 0 ? (1000 * s.steps) / s.stepTime : 0, grid, gridSize: GRID, points, running, regression: s.regression,
  }, [grid.buffer]);
}

async function loop() {
  while (running) {
    const until = performance.now() + 30; // train ~30 ms, then report and let messages in
    while (running && performance.now() < until) epoch();
    report();
    await new Promise((r) => setTimeout(r, 0));
  }
}

self.onmessage = ({ data }) => {
  if (data.type === 'reset') reset(data.config);
  else if (data.type === 'start' && !running) { running = true; loop(); }
  else if (data.type === 'pause') { running = false; report(); }
  else if (data.type === 'step' && !running) { epoch(); report(); }
};
