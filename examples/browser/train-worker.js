// A module Worker that trains with wasmnn and streams progress to the page. Messages in:
//   { type: 'start', epochs, seed }   { type: 'stop' }
// Messages out:
//   { type: 'progress', epoch, loss, accuracy, valAccuracy }   { type: 'done', history, testAccuracy }
import { Sequential, Linear, ReLU, CrossEntropyLoss, Adam, Generator, disk, fitAsync, evaluate } from '../../dist/index.js';

let controller = null;

self.onmessage = async ({ data }) => {
  if (data.type === 'stop') {
    controller?.abort();
    return;
  }
  if (data.type !== 'start') return;
  controller = new AbortController();
  const gen = new Generator(data.seed ?? 1);
  const train = disk(1000, gen), test = disk(1000, gen);
  const model = new Sequential(new Linear(2, 25, { generator: gen }), new ReLU(), new Linear(25, 25, { generator: gen }),
    new ReLU(), new Linear(25, 25, { generator: gen }), new ReLU(), new Linear(25, 2, { generator: gen }));
  const loss = new CrossEntropyLoss();
  const history = await fitAsync(model, {
    loss, optimizer: new Adam(model.parameters(), { lr: 1e-2 }), x: train.x, y: train.y,
    epochs: data.epochs ?? 100, batchSize: 100, seed: data.seed ?? 1, validation: { x: test.x, y: test.y },
    signal: controller.signal, yieldMs: 0,
    callbacks: { onEpochEnd: (e) => self.postMessage({ type: 'progress', epoch: e.epoch, loss: e.loss, accuracy: e.accuracy, valAccuracy: e.valAccuracy }) },
  });
  const testAccuracy = evaluate(model, { x: test.x, y: test.y, loss }).accuracy;
  self.postMessage({ type: 'done', history: history.toJSON(), testAccuracy });
};
