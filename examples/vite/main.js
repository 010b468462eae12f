// In an app: `npm install wasmnn`, then import it. Nothing to configure: the WASM is embedded.
import { Sequential, Linear, ReLU, Sigmoid, BCELoss, Adam, Tensor, manualSeed, getBackend } from 'wasmnn';

manualSeed(42);
const model = new Sequential(new Linear(2, 8), new ReLU(), new Linear(8, 1), new Sigmoid());
const lossFn = new BCELoss();
const opt = new Adam(model.parameters(), { lr: 1e-2 });
const x = Tensor.from([[0, 0], [0, 1], [1, 0], [1, 1]]), y = Tensor.from([[0], [1], [1], [0]]);
let loss = 0;
for (let i = 0; i < 2000; i++) {
  opt.zeroGrad();
  loss = lossFn.forward(model.forward(x), y);
  model.backward(lossFn.backward());
  opt.step();
}
const predictions = model.forward(x).toArray().map(([p]) => p);
const accuracy = predictions.filter((p, i) => (p > 0.5 ? 1 : 0) === [0, 1, 1, 0][i]).length / 4;
window.wasmnnResult = { loss, accuracy, backend: getBackend() };
document.getElementById('result').textContent = JSON.stringify(window.wasmnnResult, null, 2);
