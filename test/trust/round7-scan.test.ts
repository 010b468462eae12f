import { it, expect } from 'vitest';
import * as lib from '../../src/index.js';
import { rawErrors } from '../helpers/trust.js';
const { Tensor, Linear, Sequential, ReLU, SGD, MSELoss, CrossEntropyLoss, DataLoader } = lib;

function hostile(): Array<[string, unknown]> {
  const disposed = Tensor.zeros([2, 3]); disposed.dispose();
  const layer = new Linear(3, 3);
  const stale = layer.forward(Tensor.zeros([1, 3])); layer.forward(Tensor.zeros([1, 3]));
  const nan = Tensor.from([NaN, 1, 2, 3, 4, 5], [2, 3]);
  return [
    ['null', null], ['undefined', undefined], ['NaN', NaN], ['Infinity', Infinity], ['-Infinity', -Infinity],
    ['1e39', 1e39], ['-1', -1], ['1.5', 1.5], ["'2'", '2'], ['{}', {}], ['[]', []], ['0', 0], ['true', true],
    ['disposed', disposed], ['rank3', Tensor.zeros([2, 3, 4])], ['stale', stale], ['fn', () => 1], ['[1,2,3]', [1, 2, 3]],
    ['t23', Tensor.zeros([2, 3])], ['t3', Tensor.zeros([3])], ['sym', Symbol('x')], ['big', 10n], ['t0', Tensor.zeros([0, 3])],
    ['nanT', nan], ['1e300', 1e300], ['2**53', 2 ** 53], ['-0', -0], ['objnull', Object.create(null)], ['t21', Tensor.zeros([2, 1])],
    ['u8', new Uint8Array([1, 2, 3])], ['disposedModel', (() => { const m = new Linear(3, 2); m.dispose(); return m; })()],
  ];
}
type Call = (v: never) => unknown;
const model = () => new Sequential(new Linear(3, 2), new ReLU());
const X = () => Tensor.from([[0, 1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 5]]);
const Y = () => Tensor.from([0, 1, 1, 0]);
const Yr = () => Tensor.from([[0, 1], [1, 1], [1, 0], [0, 0]]);
const rows = [{ a: 1, b: 'x', t: 'p' }, { a: 2, b: 'y', t: 'q' }, { a: 3, b: 'x', t: 'p' }, { a: 4, b: 'y', t: 'q' }];

function calls(): Array<[string, Call]> {
  const out: Array<[string, Call]> = [];
  const t = () => Tensor.zeros([2, 3]);
  out.push(
    ['Tensor.from(v)', (v) => Tensor.from(v)], ['Tensor.from([1,2,3,4,5,6], v)', (v) => Tensor.from([1, 2, 3, 4, 5, 6], v)],
    ['Tensor.zeros(v)', (v) => Tensor.zeros(v)], ['Tensor.full(v, 1)', (v) => Tensor.full(v, 1)], ['Tensor.full([2], v)', (v) => Tensor.full([2], v)],
    ['t.set(v)', (v) => t().set(v)], ['t.set([1], v)', (v) => t().set([1], v)], ['t.fill(v)', (v) => t().fill(v)],
    ['t.view(v)', (v) => t().view(v)], ['t.reshape(v)', (v) => t().reshape(v)], ['[v].reshape', (v) => t().reshape([v, 3])],
    ['new DataLoader(v, y)', (v) => new DataLoader(v, Y())], ['new DataLoader(x, v)', (v) => new DataLoader(X(), v)],
    ['new DataLoader(x, y, v)', (v) => new DataLoader(X(), Y(), v)],
    ...['batchSize', 'shuffle', 'dropLast', 'generator'].map((k): [string, Call] => [`DataLoader {${k}: v}`, (v) => [...new DataLoader(X(), Y(), { [k]: v })]]),
    ['accuracy(v, y)', (v) => lib.accuracy(v, Y())], ['accuracy(out, v)', (v) => lib.accuracy(Tensor.zeros([4, 2]), v)],
    ['accuracy(out, y, v)', (v) => lib.accuracy(Tensor.zeros([4, 2]), Y(), v)], ['accuracy(out, y, 0.5, v)', (v) => lib.accuracy(Tensor.zeros([4, 2]), Y(), 0.5, v)],
    ['confusionMatrix(v, y, 2)', (v) => lib.confusionMatrix(v, Y(), 2)], ['confusionMatrix(out, v, 2)', (v) => lib.confusionMatrix(Tensor.zeros([4, 2]), v, 2)],
    ['confusionMatrix(out, y, v)', (v) => lib.confusionMatrix(Tensor.zeros([4, 2]), Y(), v)],
    ['confusionMatrix(out, y, 2, v)', (v) => lib.confusionMatrix(Tensor.zeros([4, 2]), Y(), 2, v)],
    ['confusionMatrix(out, y, 2, .5, v)', (v) => lib.confusionMatrix(Tensor.zeros([4, 2]), Y(), 2, 0.5, v)],
    ['mae(v, y)', (v) => lib.meanAbsoluteError(v, Yr())], ['mae(y, v)', (v) => lib.meanAbsoluteError(Yr(), v)],
    ['rmse(v, y)', (v) => lib.rootMeanSquaredError(v, Yr())], ['r2(v, y)', (v) => lib.r2Score(v, Yr())], ['r2(y, v)', (v) => lib.r2Score(Yr(), v)],
    ['new History(v)', (v) => new lib.History(v)], ['history.metric(v)', (v) => new lib.History().metric(v)], ['history.series(v)', (v) => new lib.History().series(v)],
    ['new EarlyStopping(v)', (v) => new lib.EarlyStopping(v)],
    ...['patience', 'minDelta', 'monitor', 'mode', 'restoreBestWeights', 'target'].map((k): [string, Call] => [`EarlyStopping {${k}: v}`, (v) => new lib.EarlyStopping({ [k]: v })]),
    ['disk(v)', (v) => lib.disk(v)], ['disk(3, v)', (v) => lib.disk(3, v)], ['linear(v)', (v) => lib.linear(v)], ['spiral(4, v)', (v) => lib.spiral(4, v)], ['moons(4, v)', (v) => lib.moons(4, v)],
    ['spiral(v)', (v) => lib.spiral(v)], ['moons(v)', (v) => lib.moons(v)], ['xorQuadrants(v)', (v) => lib.xorQuadrants(v)],
    ['oneHot(v, 2)', (v) => lib.oneHot(v, 2)], ['oneHot(y, v)', (v) => lib.oneHot(Y(), v)],
    ['trainTestSplit(v, y)', (v) => lib.trainTestSplit(v, Y())], ['trainTestSplit(x, v)', (v) => lib.trainTestSplit(X(), v)], ['trainTestSplit(x, y, v)', (v) => lib.trainTestSplit(X(), Y(), v)],
    ...['testFraction', 'testSize', 'shuffle', 'seed', 'generator', 'stratify'].map((k): [string, Call] => [`trainTestSplit {${k}: v}`, (v) => lib.trainTestSplit(X(), Y(), { [k]: v })]),
    ['new TabularPreprocessor(v)', (v) => new lib.TabularPreprocessor(v)],
    ...['target', 'features', 'categorical', 'scaler', 'impute', 'unknownCategory', 'task'].map((k): [string, Call] => [`TabularPreprocessor {${k}: v}`, (v) => new lib.TabularPreprocessor({ target: 't', [k]: v }).fit(rows)]),
    ['tp.fit(v)', (v) => new lib.TabularPreprocessor({ target: 't' }).fit(v)],
    ['tp.transform(v)', (v) => new lib.TabularPreprocessor({ target: 't' }).fit(rows).transform(v)],
    ['tp.transformFeatures(v)', (v) => new lib.TabularPreprocessor({ target: 't' }).fit(rows).transformFeatures(v)],
    ['tp.decode(v, 1)', (v) => new lib.TabularPreprocessor({ target: 't' }).fit(rows).decode(v, 1)],
    ['tp.decode([0, 1], v)', (v) => new lib.TabularPreprocessor({ target: 't' }).fit(rows).decode([0, 1], v)],
    ['tp.targetValues(v)', (v) => new lib.TabularPreprocessor({ target: 't' }).fit(rows).targetValues(v)],
    ['TabularPreprocessor.fromJSON(v)', (v) => lib.TabularPreprocessor.fromJSON(v)],
    ['new StandardScaler().fit(v, 2)', (v) => new lib.StandardScaler().fit(v, 2)], ['StandardScaler fit([1,2,3,4], v)', (v) => new lib.StandardScaler().fit([1, 2, 3, 4], v)],
    ['StandardScaler transform(v)', (v) => new lib.StandardScaler().fit([1, 2, 3, 4], 2).transform(v)],
    ['StandardScaler inverseTransform(v)', (v) => new lib.StandardScaler().fit([1, 2, 3, 4], 2).inverseTransform(v)],
    ['MinMaxScaler fit(v,1)', (v) => new lib.MinMaxScaler().fit(v, 1)], ['MinMaxScaler.fromJSON(v)', (v) => lib.MinMaxScaler.fromJSON(v)], ['StandardScaler.fromJSON(v)', (v) => lib.StandardScaler.fromJSON(v)],
    ['StandardScaler transform unfitted(v)', (v) => new lib.StandardScaler().transform(v)],
    ['new LabelEncoder().fit(v)', (v) => new lib.LabelEncoder().fit(v)], ['LabelEncoder.decode(v)', (v) => new lib.LabelEncoder().fit(['a', 'b']).decode(v)],
    ['LabelEncoder.fromJSON(v)', (v) => lib.LabelEncoder.fromJSON(v)], ['isMissing(v)', (v) => lib.isMissing(v)],
    ['fit(v, opts)', (v) => lib.fit(v, { loss: new MSELoss(), optimizer: new SGD(model().parameters()), x: X(), y: Yr() })],
    ['fit(m, v)', (v) => lib.fit(model(), v)],
    ...['epochs', 'batchSize', 'loss', 'optimizer', 'shuffle', 'seed', 'validation', 'callbacks', 'earlyStopping', 'scheduler', 'clipGradNorm', 'task', 'threshold', 'evaluateTrain', 'evaluationBatchSize', 'signal', 'x', 'y'].map((k): [string, Call] => [`fit {${k}: v}`, (v) => { const m = model(); return lib.fit(m, { loss: new CrossEntropyLoss(), optimizer: new SGD(m.parameters()), x: X(), y: Y(), epochs: 1, [k]: v }); }]),
    ...['monitor', 'patience', 'minDelta', 'mode', 'restoreBestWeights', 'target', 'foo'].map((k): [string, Call] => [`fit {earlyStopping: {${k}: v}}`, (v) => { const m = model(); return lib.fit(m, { loss: new CrossEntropyLoss(), optimizer: new SGD(m.parameters()), x: X(), y: Y(), epochs: 1, validation: { split: 0.5 }, earlyStopping: { [k]: v } }); }]),
    ...['onEpochEnd', 'onBatchEnd', 'foo'].map((k): [string, Call] => [`fit {callbacks: {${k}: v}}`, (v) => { const m = model(); return lib.fit(m, { loss: new CrossEntropyLoss(), optimizer: new SGD(m.parameters()), x: X(), y: Y(), epochs: 1, callbacks: { [k]: v } }); }]),
    ['fit {validation: {x: v, y}}', (v) => { const m = model(); return lib.fit(m, { loss: new CrossEntropyLoss(), optimizer: new SGD(m.parameters()), x: X(), y: Y(), epochs: 1, validation: { x: v, y: Y() } }); }],
    ['fit {validation: {x, y: v}}', (v) => { const m = model(); return lib.fit(m, { loss: new CrossEntropyLoss(), optimizer: new SGD(m.parameters()), x: X(), y: Y(), epochs: 1, validation: { x: X(), y: v } }); }],
    ['fit {validation: {split: v}}', (v) => { const m = model(); return lib.fit(m, { loss: new CrossEntropyLoss(), optimizer: new SGD(m.parameters()), x: X(), y: Y(), epochs: 1, validation: { split: v } }); }],
    ['fitAsync {epochs: v}', (v) => { const m = model(); return lib.fitAsync(m, { loss: new CrossEntropyLoss(), optimizer: new SGD(m.parameters()), x: X(), y: Y(), epochs: v }); }],
    ['evaluate(v, opts)', (v) => lib.evaluate(v, { x: X(), y: Y(), loss: new CrossEntropyLoss() })], ['evaluate(m, v)', (v) => lib.evaluate(model(), v)],
    ...['x', 'y', 'loss', 'batchSize', 'task', 'threshold', 'foo'].map((k): [string, Call] => [`evaluate {${k}: v}`, (v) => lib.evaluate(model(), { x: X(), y: Y(), loss: new CrossEntropyLoss(), [k]: v })]),
    ['predict(v, x)', (v) => lib.predict(v, X())], ['predict(m, v)', (v) => lib.predict(model(), v)], ['predict(m, x, v)', (v) => lib.predict(model(), X(), v)],
    ['predict(m, x, {batchSize: v})', (v) => lib.predict(model(), X(), { batchSize: v })],
    ['init(v)', (v) => lib.init(v)], ['init({threads: v})', (v) => lib.init({ threads: v })],
    ['new ReduceLROnPlateau(opt, {v})', (v) => new lib.ReduceLROnPlateau(new SGD(model().parameters()), { mode: v })],
    ['Tensor.from([[1,2],[3]])', (v) => Tensor.from([[1, 2], [3, v]])],
    ['Tensor.from({length: v})', (v) => Tensor.from({ length: v } as never)],
    ['Tensor.from([1,2], [v])', (v) => Tensor.from([1, 2], [v])],
    ['t.view([v, -1])', (v) => Tensor.zeros([2, 3]).view([v, -1])],
    ['LabelEncoder.fit([v])', (v) => new lib.LabelEncoder().fit(['a', v])], ['LabelEncoder.encode([v])', (v) => new lib.LabelEncoder().fit(['a']).encode([v])],
    ['tp.fit(rows with a: v)', (v) => new lib.TabularPreprocessor({ target: 't' }).fit([...rows, { a: v, b: 'x', t: 'p' }])],
    ['tp.fit(rows with b: v)', (v) => new lib.TabularPreprocessor({ target: 't' }).fit([...rows, { a: 1, b: v, t: 'p' }])],
    ['tp.fit(rows with t: v)', (v) => new lib.TabularPreprocessor({ target: 't' }).fit([...rows, { a: 1, b: 'x', t: v }])],
    ['tp.transform(rows with a: v)', (v) => new lib.TabularPreprocessor({ target: 't' }).fit(rows).transform([{ a: v, b: 'x', t: 'p' }])],
    ['tp.transform(rows with b: v)', (v) => new lib.TabularPreprocessor({ target: 't' }).fit(rows).transform([{ a: 1, b: v, t: 'p' }])],
    ['tp.fit({columns} v)', (v) => new lib.TabularPreprocessor({ target: 't' }).fit({ a: [1, 2, v], t: ['p', 'q', 'p'] } as never)],
    ['tp.fit([v])', (v) => new lib.TabularPreprocessor({ target: 't' }).fit([v] as never)],
    ['TabularModel.predict([v])', (v) => new lib.TabularModel(new Sequential(new Linear(3, 2)), new lib.TabularPreprocessor({ target: 't' }).fit(rows)).predict([v] as never)],
    ['modelToJSON(v)', (v) => lib.modelToJSON(v)], ['modelFromJSON(m, v)', (v) => lib.modelFromJSON(model(), v)], ['modelFromJSON(v, json)', (v) => lib.modelFromJSON(v, lib.modelToJSON(model()))],
    ['saveCheckpoint(m, v)', (v) => lib.saveCheckpoint(model(), v)], ['loadCheckpoint(v, m, o)', (v) => { const m = model(); lib.loadCheckpoint(v, m, new SGD(m.parameters())); }],
    ['loadCheckpoint(b, v, o)', (v) => { const m = model(); const o = new SGD(m.parameters()); lib.loadCheckpoint(lib.saveCheckpoint(m, o), v, o); }],
    ['loadCheckpoint(b, m, v)', (v) => { const m = model(); const o = new SGD(m.parameters()); lib.loadCheckpoint(lib.saveCheckpoint(m, o), m, v); }],
    ['saveModel(v)', (v) => lib.saveModel(v)], ['saveModel(m, v)', (v) => lib.saveModel(model(), v)],
    ...['metadata', 'architecture'].map((k): [string, Call] => [`saveModel {${k}: v}`, (v) => lib.saveModel(model(), { [k]: v })]),
    ['loadModel(v)', (v) => lib.loadModel(v)], ['loadModel(m, v)', (v) => lib.loadModel(model(), v)], ['loadModel(v, bytes)', (v) => lib.loadModel(v, lib.saveModel(model()))],
    ['readModelFile(v)', (v) => lib.readModelFile(v)],
    ['new TabularModel(v, p)', (v) => new lib.TabularModel(v, new lib.TabularPreprocessor({ target: 't' }).fit(rows))],
    ['new TabularModel(m, v)', (v) => new lib.TabularModel(new Sequential(new Linear(2, 2)), v)],
    ['TabularModel.predict(v)', (v) => new lib.TabularModel(new Sequential(new Linear(3, 2)), new lib.TabularPreprocessor({ target: 't' }).fit(rows)).predict(v)],
    ['TabularModel.evaluate(v)', (v) => new lib.TabularModel(new Sequential(new Linear(3, 2)), new lib.TabularPreprocessor({ target: 't' }).fit(rows)).evaluate(v)],
    ['TabularModel.load(v)', (v) => lib.TabularModel.load(v)],
    ['registerLayer(v)', (v) => lib.registerLayer(v)], ['layerClass(v)', (v) => lib.layerClass(v)],
    ['encodeSafetensors(v)', (v) => lib.encodeSafetensors(v)], ['encodeSafetensors({a: v})', (v) => lib.encodeSafetensors({ a: v })],
    ['encodeSafetensors({a: {data: v}})', (v) => lib.encodeSafetensors({ a: { data: v, shape: [1] } })], ['encodeSafetensors({a: {shape: v}})', (v) => lib.encodeSafetensors({ a: { data: [1], shape: v } })],
    ['encodeSafetensors({a}, v)', (v) => lib.encodeSafetensors({ a: { data: [1], shape: [1] } }, v)],
    ['decodeSafetensors(v)', (v) => lib.decodeSafetensors(v)],
    ['gradcheck(v, x)', (v) => lib.gradcheck(v, Tensor.zeros([2, 3]))], ['gradcheck(m, v)', (v) => lib.gradcheck(new Linear(3, 2), v)],
    ['gradcheck(m, x, v)', (v) => lib.gradcheck(new Linear(3, 2), Tensor.zeros([2, 3]), v)],
    ...['eps', 'atol', 'rtol', 'parameters', 'input', 'maxElements', 'seed', 'generator'].map((k): [string, Call] => [`gradcheck {${k}: v}`, (v) => lib.gradcheck(new Linear(3, 2), Tensor.zeros([2, 3]), { [k]: v })]),
    ['setBackend(v)', (v) => lib.setBackend(v)],
    ['model.backwardParameters(v)', (v) => { const m = model(); m.forward(Tensor.zeros([2, 3])); m.backwardParameters(v); }],
    ['model.namedBuffers(v)', (v) => model().namedBuffers(v)],
    ['bn.forward(v)', (v) => new lib.BatchNorm1d(3).forward(v)], ['Flatten(v)', (v) => new lib.Flatten(v)], ['Dropout(v)', (v) => new lib.Dropout(v)],
    ['Dropout.forward(v)', (v) => new lib.Dropout(0.5).forward(v)], ['Scale(v)', (v) => new lib.Scale(v)], ['AdaptiveAvgPool2d(v)', (v) => new lib.AdaptiveAvgPool2d(v)],
    ['LogSoftmax(v)', (v) => new lib.LogSoftmax(v)], ['NLLLoss(v)', (v) => new lib.NLLLoss(v)],
    ['NLLLoss.forward(v, y)', (v) => new lib.NLLLoss().forward(v, Y())],
    ['scheduler.loadStateDict(v)', (v) => new lib.StepLR(new SGD(model().parameters()), { stepSize: 1 }).loadStateDict(v)],
    ['plateau.loadStateDict(v)', (v) => new lib.ReduceLROnPlateau(new SGD(model().parameters())).loadStateDict(v)],
    ['cos.loadStateDict(v)', (v) => new lib.CosineAnnealingLR(new SGD(model().parameters()), { tMax: 3 }).loadStateDict(v)],
    ['generator.normal(0, v)', (v) => new lib.Generator(1).normal(0, v)],
    ['generator.permutation(v, out)', (v) => new lib.Generator(1).permutation(3, v)],
  );
  return out;
}

it('no hostile argument gets anything but a WasmnnError out of any of them', () => {
  const { raw, total } = rawErrors(calls(), hostile());
  expect(total).toBeGreaterThan(6000);
  expect(raw).toEqual([]);
}, 120000);
