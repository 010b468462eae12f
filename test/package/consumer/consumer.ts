// A TypeScript user of the installed package: every README snippet in typed form, and the option
// shapes the runtime accepts (unions, optional arguments, overloads). test/package/installed.test.ts
// type-checks it against the packed tarball under moduleResolution node16, nodenext and bundler with
// `strict: true`, then runs it. Any type the README's code needs but the .d.ts refuses fails there.
import {
  Adagrad, Adam, AdamW, AdaptiveAvgPool2d, AvgPool2d, BatchNorm1d, BatchNorm2d, BCELoss, BCEWithLogitsLoss, Conv2d,
  CosineAnnealingLR, CrossEntropyLoss, DataLoader, Dropout, EarlyStopping, ELU, ExponentialLR, Flatten, GELU, Generator,
  HuberLoss, L1Loss, LabelEncoder, LayerNorm, LeakyReLU, Linear, LogSoftmax, MaxPool2d, MinMaxScaler, Module, MSELoss,
  NLLLoss, NonFiniteLossError, Parameter, ReduceLROnPlateau, ReLU, RMSprop, Scale, Sequential, SGD, ShapeError, Sigmoid,
  SmoothL1Loss, Softmax, Softplus, StandardScaler, StateError, StepLR, TabularDataError, TabularModel, TabularPreprocessor,
  Tanh, Tensor, ValueError, WasmnnError, accuracy, clipGradNorm, confusionMatrix, decodeSafetensors, disk, encodeSafetensors,
  evaluate, fit, fitAsync, getBackend, getThreads, gradcheck, init, isMissing, layerClass, linear, loadCheckpoint, loadModel,
  manualSeed, meanAbsoluteError, memoryStats, modelFromJSON, modelToJSON, moons, nn, oneHot, predict, r2Score, readModelFile,
  registerLayer, registeredLayers, rootMeanSquaredError, saveCheckpoint, saveModel, setBackend, spiral, trainTestSplit,
  xorEasy, xorQuadrants,
  type AvgPool2dOptions, type BatchNormOptions, type Conv2dOptions, type CrossEntropyLossOptions, type DecodedArray, type EpochLog,
  type Evaluation, type FitOptions, type GELUOptions, type History, type InitOptions, type InitResult, type JsonValue,
  type LayerConfig, type MaxPool2dOptions, type NestedArray, type StateDictInput, type TabularTensors, type TensorData,
} from 'wasmnn';

const out: unknown[] = [];
const log = (...v: unknown[]): void => { out.push(v); };

// README "Quick start".
{
  manualSeed(42);
  const model = new Sequential(new Linear(2, 8), new ReLU(), new Linear(8, 1), new Sigmoid());
  const lossFn = new BCELoss();
  const opt = new Adam(model.parameters(), { lr: 1e-2 });
  const x = Tensor.from([[0, 0], [0, 1], [1, 0], [1, 1]]);
  const y = Tensor.from([[0], [1], [1], [0]]);
  for (let i = 0; i < 200; i++) {
    opt.zeroGrad();
    const loss: number = lossFn.forward(model.forward(x), y);
    model.backward(lossFn.backward());
    opt.step();
    if (i % 100 === 0) log(`step ${i}: loss ${loss.toFixed(4)}`);
  }
  log(model.forward(x).toArray());
}

// README "The classic exercise".
{
  const gen = new Generator(1);
  const train = disk(1000, gen), test = disk(1000, gen);
  const layers: Module[] = [new Linear(2, 25), new ReLU(), new Linear(25, 2)];
  for (const layer of layers) if (layer instanceof Linear) nn.init.kaimingNormal(layer.weight, { nonlinearity: 'relu', generator: gen });
  const model = new Sequential(...layers);
  const lossFn = new CrossEntropyLoss();
  const opt = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
  const batch = 100;
  const xs = train.x.toFloat32Array(), ys = train.y.toFloat32Array();
  const xb = Tensor.zeros([batch, 2]), yb = Tensor.zeros([batch]);
  for (let start = 0; start < 1000; start += batch) {
    xb.set(xs.subarray(2 * start, 2 * (start + batch)));
    yb.set(ys.subarray(start, start + batch));
    opt.zeroGrad();
    lossFn.forward(model.forward(xb), yb);
    model.backward(lossFn.backward());
    opt.step();
  }
  model.eval();
  const scores = model.forward(test.x).toFloat32Array(), labels = test.y.toFloat32Array();
  let correct = 0;
  for (let i = 0; i < 1000; i++) if ((scores[2 * i + 1]! > scores[2 * i]! ? 1 : 0) === labels[i]) correct++;
  log(correct);
}

// README "fit" and its options.
{
  const gen = new Generator(7);
  const train = disk(300, gen), test = disk(300, gen);
  const model = new Sequential(new Linear(2, 16, { generator: gen }), new ReLU(), new Linear(16, 2, { generator: gen, bias: true }));
  const loss = new CrossEntropyLoss();
  const optimizer = new Adam(model.parameters(), { lr: 1e-2, betas: [0.9, 0.999], amsgrad: false });
  const options: FitOptions = {
    loss, optimizer, x: train.x, y: train.y, epochs: 5, batchSize: 100, seed: 1, shuffle: true,
    validation: { x: test.x, y: test.y },
    earlyStopping: { monitor: 'valAccuracy', patience: 20, mode: 'max', minDelta: 0, restoreBestWeights: true, every: 1 },
    scheduler: new StepLR(optimizer, { stepSize: 2, gamma: 0.5 }),
    clipGradNorm: 5, evaluateTrain: true, evaluationBatchSize: 256, task: 'classification',
    callbacks: { onEpochEnd: (e: EpochLog) => { if (e.epoch % 25 === 0) log(e.epoch, e.loss.toFixed(4), e.valAccuracy); } },
  };
  const history: History = fit(model, options);
  const evaluation: Evaluation = evaluate(model, { x: test.x, y: test.y, loss });
  const { accuracy: acc, errors } = evaluation;
  log(`${history.epochs.length} epochs (${history.stopReason}); test accuracy ${acc}, ${errors} errors`, history.metric('valLoss'));
  log(accuracy(predict(model, test.x), test.y), confusionMatrix(predict(model, test.x), test.y, 2, 0.5, -100));
  fit(model, { loss, optimizer, x: train.x, y: train.y, epochs: 1, validation: { split: 0.2 } });
}

// README "Regression with fit".
{
  const gen = new Generator(3);
  const xs: number[] = [], ys: number[] = [];
  for (let i = 0; i < 100; i++) {
    const size = gen.random(), age = gen.random();
    xs.push(size, age);
    ys.push(200 + 100 * size - 50 * age + gen.normal(0, 2));
  }
  const x = Tensor.from(xs, [100, 2]), y = Tensor.from(ys, [100, 1]);
  const model = new Sequential(new Linear(2, 16, { generator: gen }), new ReLU(), new Linear(16, 1, { generator: gen }));
  const history = fit(model, { loss: new MSELoss(), optimizer: new Adam(model.parameters(), { lr: 0.05 }),
    x, y, epochs: 3, batchSize: 40, seed: 1, validation: { split: 0.2 },
    earlyStopping: { monitor: 'valRmse', patience: 30, restoreBestWeights: true } });
  log(history.task, history.last?.valR2?.toFixed(3), history.metric('valRmse').length);
  const { mae, rmse, r2 } = evaluate(model, { x, y, loss: new MSELoss() });
  log(mae?.toFixed(2), rmse?.toFixed(2), r2?.toFixed(3), r2Score(predict(model, x), y).toFixed(3));
  log(meanAbsoluteError(predict(model, x), y), rootMeanSquaredError(predict(model, x), y));
}

// README "A CNN quick start" and "Layers": every layer with its options.
{
  const gen = new Generator(1);
  const conv: Conv2dOptions = { padding: 1, stride: 1, dilation: 1, groups: 1, bias: true, generator: gen };
  const maxOptions: MaxPool2dOptions = { stride: 2, padding: 0, dilation: 1, ceilMode: false };
  const avgOptions: AvgPool2dOptions = { stride: [1, 1], padding: 0, ceilMode: false, countIncludePad: false, divisorOverride: 2 };
  const bn: BatchNormOptions = { eps: 1e-5, momentum: null, affine: true, trackRunningStats: true };
  const model = new Sequential(
    new Conv2d(1, 4, 3, conv), new BatchNorm2d(4, bn), new ReLU(), new MaxPool2d(2, maxOptions),
    new Conv2d(4, 4, [3, 3], { padding: 'same' }), new AvgPool2d(1, avgOptions), new AdaptiveAvgPool2d([null, 6]),
    new Flatten(1, -1), new Dropout(0.2, { generator: gen }), new Linear(144, 8), new BatchNorm1d(8), new LayerNorm(8, { eps: 1e-5, elementwiseAffine: true }),
    new LeakyReLU(0.1), new ELU(1), new GELU({ approximate: 'tanh' } satisfies GELUOptions), new Softplus({ beta: 1, threshold: 20 }),
    new Scale(2), new Tanh(), new Linear(8, 2), new LogSoftmax(1),
  );
  const x = Tensor.from(new Float32Array(4 * 144), [4, 1, 12, 12]);
  const loss = new NLLLoss({ ignoreIndex: -100, weight: [1, 1] });
  fit(model, { loss, optimizer: new Adam(model.parameters(), { lr: 1e-2 }), x, y: Tensor.from([0, 1, 0, 1]), epochs: 1, batchSize: 2, seed: 1 });
  model.eval();
  log(model.toString(), String(model.at(0)), Object.keys(model.stateDict()));
  log(new Softmax(1).forward(Tensor.from([[1, 2]])).toArray(), new Sigmoid().toString());
}

// Losses, optimizers, schedulers, clipGradNorm, DataLoader.
{
  const model = new Linear(3, 2);
  const ce: CrossEntropyLossOptions = { reduction: 'sum', weight: new Float32Array([1, 2]), ignoreIndex: -1, labelSmoothing: 0.1 };
  const pred = model.forward(Tensor.from([[1, 2, 3], [3, 2, 1]]));
  log(new CrossEntropyLoss(ce).forward(pred, [0, 1]), new CrossEntropyLoss().forward(pred, Tensor.from([[0.5, 0.5], [1, 0]])));
  log(new MSELoss({ reduction: 'mean' }).forward(pred, Tensor.zeros([2, 2])), new L1Loss().forward(pred, Tensor.zeros([2, 2])));
  log(new HuberLoss({ delta: 1 }).forward(pred, Tensor.zeros([2, 2])), new SmoothL1Loss({ beta: 0 }).forward(pred, Tensor.zeros([2, 2])));
  log(new BCEWithLogitsLoss().forward(pred, Tensor.zeros([2, 2])));
  const params = model.parameters();
  const optimizers = [
    new SGD(params, { lr: 0.1, momentum: 0.9, dampening: 0, nesterov: true, weightDecay: 1e-4, maximize: false }),
    new AdamW(params, { lr: 1e-3, weightDecay: 1e-2 }), new Adagrad(params, { lr: 0.1, lrDecay: 0, eps: 1e-10 }),
    new RMSprop(params, { lr: 0.01, alpha: 0.99, eps: 1e-8, momentum: 0, centered: true }),
  ];
  const opt = optimizers[0]!;
  opt.lr = 0.05;
  const schedulers = [new ExponentialLR(opt, { gamma: 0.9 }), new CosineAnnealingLR(opt, { tMax: 10, etaMin: 0 }),
    new ReduceLROnPlateau(opt, { mode: 'min', factor: 0.1, patience: 2, threshold: 1e-4, thresholdMode: 'rel', cooldown: 0, minLr: 0, eps: 1e-8 })];
  schedulers[2]!.step(1);
  schedulers[0]!.step();
  log(clipGradNorm(params, 1, { normType: Infinity, errorIfNonfinite: false }), opt.stateDict(), schedulers[0]!.stateDict());
  for (const o of optimizers) o.dispose();
  const loader = new DataLoader(Tensor.zeros([10, 3]), Tensor.zeros([10]), { batchSize: 4, shuffle: true, dropLast: false, seed: 1 });
  for (const { x, y } of loader) log(x.shape, y.shape);
  loader.dispose();
  log(new EarlyStopping({ monitor: 'loss', patience: 3 }).patience);
}

// README "Tabular data" and "Regression": fitTransform's y is a Tensor (the target is required).
{
  const rows = Array.from({ length: 40 }, (_, i) => ({ a: i, b: i % 3 === 0 ? null : i * 2, c: ['x', 'y'][i % 2]!, t: i % 2 ? 'odd' : 'even' }));
  const prep = new TabularPreprocessor({ target: 't', impute: { b: 'median' }, scale: 'minmax', unknownCategory: 'ignore' });
  const tensors: TabularTensors = prep.fitTransform(rows);
  const { x, y } = prep.fitTransform(rows);
  const model = new Sequential(new Linear(prep.featureCount, 8), new ReLU(), new Linear(8, prep.outputCount));
  fit(model, { loss: new CrossEntropyLoss(), optimizer: new Adam(model.parameters(), { lr: 0.01 }), x, y, epochs: 2, batchSize: 16, seed: 1 });
  const flowers = new TabularModel(model, prep);
  log(flowers.predict([{ a: 1, b: 2, c: 'x' }]), flowers.evaluate(rows), tensors.x.shape, prep.classes, prep.featureNames);
  log(TabularModel.load(flowers.save()).predict(rows.slice(0, 3)), TabularPreprocessor.fromJSON(prep.toJSON()).task);
  log(new StandardScaler(), new MinMaxScaler(), new LabelEncoder(), isMissing(''), new TabularDataError('m', 1, 'c').row);
}

// README "Saving and loading" and "Loading a model without code": a custom layer in TypeScript.
class Shift extends Module {
  static override readonly typeName: string = 'Shift';
  constructor(readonly offset: number) { super(); }
  override forward(x: Tensor): Tensor { return Tensor.from(x.toFloat32Array().map((v) => v + this.offset), x.shape); }
  override backward(grad: Tensor): Tensor { return grad; }
  override toConfig(): LayerConfig { return { args: [this.offset] }; }
}
{
  const make = (): Sequential => new Sequential(new Linear(2, 8), new ReLU(), new Linear(8, 2));
  const model = make();
  const bytes: Uint8Array = saveModel(model, { architecture: true, metadata: { note: 'typed' } });
  loadModel(make(), bytes);
  const rebuilt: Module = loadModel(bytes);
  const opt = new Adam(model.parameters(), { lr: 1e-2 });
  const checkpoint = saveCheckpoint(model, opt);
  const resumed = make();
  loadCheckpoint(checkpoint, resumed, new Adam(resumed.parameters(), { lr: 1e-2 }));
  log(rebuilt.toString(), readModelFile(bytes), modelToJSON(model));
  modelFromJSON(make(), modelToJSON(model));
  registerLayer(Shift);
  const withShift = loadModel(saveModel(new Sequential(new Linear(3, 2), new Shift(0.5))));
  log(withShift.forward(Tensor.from([[1, 2, 3]])).toArray(), layerClass('Shift') === Shift, registeredLayers());
  const dict: StateDictInput = { weight: { shape: [2, 2], data: [1, 2, 3, 4] }, bias: { data: new Float32Array(2) } };
  new Linear(2, 2).loadStateDict(dict);
  const decoded: Record<string, DecodedArray> = decodeSafetensors(encodeSafetensors({ w: { shape: [2], data: new Float32Array([1, 2]) } })).tensors;
  log(decoded);
  const config: JsonValue[] = [1, 'a', null, { k: [true] }];
  log(config);
}

// README "Writing your own layer".
class FeatureScale extends Module {
  static override readonly typeName: string = 'FeatureScale';
  readonly weight: Parameter;
  private input: Tensor | null = null;
  constructor(readonly features: number) {
    super();
    this.weight = this.registerParameter('weight', new Parameter([features], 'FeatureScale'));
    nn.init.uniform(this.weight, 0.5, 1.5);
  }
  override forward(x: Tensor): Tensor {
    this.input = x;
    const w = this.weight.toFloat32Array();
    return Tensor.from(Array.from(x.toFloat32Array(), (v, i) => v * w[i % this.features]!), x.shape);
  }
  override backward(dy: Tensor): Tensor {
    const w = this.weight.toFloat32Array(), grad = this.weight.grad.toFloat32Array(), x = this.input!.toFloat32Array();
    const d = Array.from(dy.toFloat32Array());
    d.forEach((g, i) => { grad[i % this.features]! += g * x[i]!; });
    this.weight.grad.set(grad);
    return Tensor.from(d.map((g, i) => g * w[i % this.features]!), dy.shape);
  }
}
{
  const result = gradcheck(new FeatureScale(3), Tensor.from([[0.5, -1, 2], [1.5, 0.25, -0.75]]), { eps: 1e-3, atol: 1e-3, rtol: 1e-2, seed: 1 });
  if (!result.ok) throw new Error(`gradcheck failed at ${result.worst?.name}[${result.worst?.index}]`);
  log(result.checked, nn.init.calculateGain('leaky_relu', 0.2));
}

// Tensors, data sets, errors, runtime.
{
  const nested: NestedArray[] = [[[1, 2], [3, 4]]];
  const data: TensorData[] = [[1, 2], [[1, 2]], new Float32Array(2), nested, new Float64Array(2), new Int32Array(2)];
  const frozen = [[1, 2], [3, 4]] as const;
  const rows: ReadonlyArray<readonly number[]> = [[1, 2]];
  log(Tensor.from(frozen).shape, Tensor.from(rows).shape, Tensor.from([1, 2, 3, 4] as const, [2, 2]).shape); // read-only data: Tensor.from only reads it
  for (const d of data) Tensor.from(d).dispose();
  const t = Tensor.full([2, 3], 1.5);
  log(t.reshape([3, -1]).shape, t.view([-1]).item === undefined, t.clone().toArray(), t.fill(0).shape);
  {
    using scoped = Tensor.zeros([2]);
    log(scoped.shape);
  }
  for (const ds of [linear(10), xorEasy(), xorQuadrants(10), spiral(10), moons(10)]) log(ds.x.shape);
  const split = trainTestSplit(Tensor.zeros([10, 2]), Tensor.zeros([10]), { testSize: 0.2, shuffle: true, generator: new Generator(1) });
  log(split, oneHot(Tensor.from([0, 1]), 2).shape);
  try {
    new Linear(2, 1).forward(Tensor.from([[1, 2, 3]]));
  } catch (e) {
    if (!(e instanceof ShapeError) || !(e instanceof WasmnnError)) throw e;
  }
  log(ValueError.name, StateError.name, NonFiniteLossError.name, memoryStats().byKind.tensor.bytes, getBackend());
  setBackend('reference');
  setBackend('wasm');
}

// README "Threads" and "In the browser" (fitAsync with an AbortSignal).
const initOptions: InitOptions[] = [{ threads: 'auto' }, { threads: 2 }, { threads: 1 }, {}];
for (const o of initOptions) {
  const r: InitResult = await init(o);
  log(r.threads, r.reason ?? '', r.backend);
}
await init();
log(getThreads());
{
  const controller = new AbortController();
  const model = new Linear(2, 2);
  const d = disk(50);
  const history = await fitAsync(model, { loss: new CrossEntropyLoss(), optimizer: new SGD(model.parameters(), { lr: 0.1 }), x: d.x, y: d.y,
    epochs: 3, signal: controller.signal, callbacks: { onEpochEnd: (e) => { if (e.epoch === 2) controller.abort(); } } });
  log(history.stopReason);
}

// README "Things to know": `using` frees models, optimizers and losses at the end of a block.
const x = Tensor.zeros([8, 10]), y = Tensor.from([0, 1, 2, 3, 4, 5, 6, 7]);
for (const lr of [1e-3, 1e-2]) {
  using model = new Sequential(new Linear(10, 16), new ReLU(), new Linear(16, 10));
  using optimizer = new Adam(model.parameters(), { lr });
  using loss = new CrossEntropyLoss();
  fit(model, { x, y, loss, optimizer, epochs: 1 });
}

console.log(JSON.stringify({ ok: true, entries: out.length }));
