// Report 004's Adam variant (docs/experiments/report004-adam.mjs) on its network and stopping rule:
// 2-8-8-1 sigmoid everywhere, MSE, full batch, stop when the training loss is < 0.005 (at most
// 100 000 epochs), 10 seeds, lr 0.01 (the report gives none). Three optimizers: the variant on the
// weights only (as its listing: the Adam branch never updates the biases), the variant on all
// parameters, and torch-exact Adam. Prints JSON (summarised by experiments-summary.mjs).
import { Adam, Generator, Linear, MSELoss, Sequential, Sigmoid, Tensor, fit, linear, xorEasy } from 'wasmnn';
import { Report004Adam } from '../docs/experiments/report004-adam.mjs';

const MAX_EPOCHS = Number(process.env.MAX_EPOCHS ?? 100_000);
const OPTIMIZERS = {
  'report004-weights-only': (model) => new Report004Adam(model.parameters().filter((p) => p.shape.length === 2), { lr: 0.01 }),
  'report004-all-parameters': (model) => new Report004Adam(model.parameters(), { lr: 0.01 }),
  'torch-adam': (model) => new Adam(model.parameters(), { lr: 0.01 }),
};

const results = [];
for (const dataset of ['xor', 'linear']) {
  for (const [name, make] of Object.entries(OPTIMIZERS)) {
    for (let seed = 1; seed <= 10; seed++) {
      const g = new Generator(seed);
      const data = dataset === 'xor' ? xorEasy() : linear(100, g);
      const model = new Sequential(new Linear(2, 8, { generator: g }), new Sigmoid(), new Linear(8, 8, { generator: g }), new Sigmoid(), new Linear(8, 1, { generator: g }), new Sigmoid());
      const y = Tensor.from(data.y.toFloat32Array(), [data.y.size, 1]);
      const history = fit(model, {
        loss: new MSELoss(), optimizer: make(model), x: data.x, y, epochs: MAX_EPOCHS, batchSize: data.y.size, shuffle: false, // the loss of each epoch's forward pass, as the report checked it
        task: 'classification', // 0/1 targets under MSE: scored by accuracy (fit would infer regression from MSELoss)
        earlyStopping: { monitor: 'loss', target: 0.005, patience: MAX_EPOCHS },
      });
      results.push({ dataset, optimizer: name, seed, epochs: history.epochs.length, stopReason: history.stopReason, loss: history.last.loss, accuracy: history.last.accuracy });
      model.dispose();
    }
  }
}
console.log(JSON.stringify(results));
