// The plain LeNet training step at batch 64 on one thread, side by side in 5 interleaved rounds of 30 steps (medians), for
//   - every convolution pass by im2col + GEMM and backward() through the first layer (the
//     step as it was before the direct kernels),
//   - the same with backwardParameters() (the first layer's input gradient skipped, as PyTorch),
//   - what Conv2d runs now (convMethods) with backwardParameters(),
// and PyTorch 1.13 on one thread (bench/mnist_torch.py --step, the same network) once per round.
// Everything from the bench bundle, so that setConvMethod reaches the layers built here.
//   npm run build && flock /work/bench.lock node bench/lenet-methods.mjs
import * as lib from '../dist/bench-internal.js';
import { BATCH, LENET_FLOPS, lenet, torchStep } from './lenet-step.mjs';
import { loadAverage } from './lib/machine.mjs';
import { median, msPerCall } from './lib/stats.mjs';

const { Adam, CrossEntropyLoss, Generator, Tensor, setConvMethod } = lib;

const variants = [
  ['im2col + GEMM, backward()', 'gemm', false],
  ['im2col + GEMM, backwardParameters()', 'gemm', true],
  ['convMethods (direct), backwardParameters()', null, true],
];
const g = new Generator(1);
const x = Tensor.from(Float32Array.from({ length: BATCH * 784 }, () => g.random()), [BATCH, 1, 28, 28]);
const y = Tensor.from(Array.from({ length: BATCH }, () => g.randint(10)));
const ms = variants.map(() => []);
const torch = [];
console.log(`load average ${loadAverage(1)}`);
for (let round = 0; round < 5; round++) {
  variants.forEach(([, method, paramsOnly], i) => {
    setConvMethod(method);
    const model = lenet(false, new Generator(2), lib), opt = new Adam(model.parameters(), { lr: 1e-3 }), loss = new CrossEntropyLoss();
    const step = () => {
      opt.zeroGrad();
      loss.forward(model.forward(x), y);
      if (paramsOnly) model.backwardParameters(loss.backward());
      else model.backward(loss.backward());
      opt.step();
    };
    for (let k = 0; k < 5; k++) step();
    ms[i].push(msPerCall(step, 30));
    model.dispose();
    opt.dispose();
  });
  const t = torchStep(false, 10);
  if (!t.error) torch.push(t.median);
}
setConvMethod(null);
const base = median(ms[0]);
console.table(variants.map(([label], i) => ({
  step: label, 'ms/step (median)': +median(ms[i]).toFixed(2), 'model GFLOP/s': +(LENET_FLOPS / median(ms[i]) / 1e6).toFixed(2),
  'speed-up': +(base / median(ms[i])).toFixed(2),
})).concat(torch.length ? [{
  step: 'PyTorch 1.13, 1 thread', 'ms/step (median)': +median(torch).toFixed(2), 'model GFLOP/s': +(LENET_FLOPS / median(torch) / 1e6).toFixed(2),
  'speed-up': +(base / median(torch)).toFixed(2),
}] : []));
console.log(`load average ${loadAverage(1)}`);
