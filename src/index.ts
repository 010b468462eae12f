/**
 * wasmnn: neural-network training in JavaScript with WebAssembly SIMD kernels.
 * PyTorch-like modules, losses and optimizers; explicit backward; Node and browsers.
 */
export { Tensor, type NestedArray, type ReadonlyNestedArray, type TensorData } from './tensor.js';
export { WasmnnError, ShapeError, ValueError, StateError, OutOfMemoryError, NonFiniteLossError, type NonFiniteSource } from './errors.js';
export { Generator, manualSeed, defaultGenerator } from './random.js';
export {
  init, getThreads, setBackend, getBackend, memoryStats, type BackendName, type InitOptions, type InitResult,
} from './backend/runtime.js';
export type { ThreadsInfo } from './backend/threads.js';
export type { MemoryStats, MemoryKind, KindUsage } from './backend/memory.js';

export { Module } from './nn/module.js';
export { Parameter } from './nn/parameter.js';
export { Linear, type LinearOptions } from './nn/linear.js';
export { Sequential } from './nn/sequential.js';
export { Scale } from './nn/scale.js';
export { Conv2d, type Conv2dOptions } from './nn/conv2d.js';
export { MaxPool2d, AvgPool2d, type Pool2dOptions, type MaxPool2dOptions, type AvgPool2dOptions } from './nn/pool.js';
export { AdaptiveAvgPool2d, type AdaptiveSize } from './nn/adaptive-pool.js';
export { BatchNorm, BatchNorm1d, BatchNorm2d, type BatchNormOptions } from './nn/batchnorm.js';
export { LayerNorm, type LayerNormOptions } from './nn/layernorm.js';
export type { Size2 } from './nn/layer-args.js';
export type { StateEntry, StateDtype, IncompatibleKeys, BufferOptions } from './nn/module.js';
export type { StateDictInput } from './nn/state-dict.js';
export { gradcheck, type GradcheckOptions, type GradcheckResult, type GradcheckElement } from './nn/gradcheck.js';
export {
  ElementwiseActivation, ReLU, LeakyReLU, Tanh, Sigmoid, ELU, GELU, Softplus, Softmax, type SoftplusOptions, type GELUOptions,
} from './nn/activations.js';
export { Flatten } from './nn/flatten.js';
export { Dropout, type DropoutOptions } from './nn/dropout.js';
export { LogSoftmax } from './nn/log-softmax.js';
/** torch.nn's layout: `nn.init` (weight initialisers: kaimingNormal, xavierUniform, …) and every layer class again (`nn.Linear`, …). */
export * as nn from './nn/index.js';
export type { Nonlinearity, KaimingOptions, XavierOptions } from './nn/init.js';

export { Loss, ElementwiseLoss, type Reduction, type LossOptions, type PredictionKind } from './losses/loss.js';
export { MSELoss, L1Loss, HuberLoss, SmoothL1Loss, type HuberLossOptions, type SmoothL1LossOptions } from './losses/regression.js';
export { BCELoss, BCEWithLogitsLoss } from './losses/binary.js';
export { CrossEntropyLoss, type CrossEntropyTarget, type CrossEntropyLossOptions } from './losses/cross-entropy.js';
export { NLLLoss, type NLLLossOptions } from './losses/nll.js';
export type { ClassWeightOptions } from './losses/class-weight.js';

export { Optimizer, type OptimizerStateDict, type Hyperparameters } from './optim/optimizer.js';
export { SGD, type SGDOptions } from './optim/sgd.js';
export { Adam, AdamW, type AdamOptions } from './optim/adam.js';
export { Adagrad, type AdagradOptions } from './optim/adagrad.js';
export { RMSprop, type RMSpropOptions } from './optim/rmsprop.js';

export { LRScheduler, StepLR, ExponentialLR, CosineAnnealingLR, ReduceLROnPlateau, type ReduceLROnPlateauOptions, type SchedulerStateDict } from './optim/schedulers.js';
export { clipGradNorm, type ClipGradNormOptions } from './optim/clip-grad.js';

export {
  disk, linear, xorEasy, xorQuadrants, spiral, moons, oneHot, trainTestSplit, DISK_RADIUS, type Dataset, type SplitOptions,
} from './data/datasets.js';
export { TabularPreprocessor, type TabularOptions, type TabularTensors, type Task } from './data/tabular/preprocessor.js';
export { StandardScaler, MinMaxScaler, type Scaler } from './data/tabular/scalers.js';
export { LabelEncoder, type Label } from './data/tabular/label-encoder.js';
export { TabularDataError, isMissing, type ImputeStrategy } from './data/tabular/missing.js';
export type { TableInput } from './data/tabular/table.js';
export type { UnknownCategory } from './data/tabular/columns.js';
export { DataLoader, type DataLoaderOptions, type Batch } from './data/dataloader.js';

export { fit, fitAsync, type FitOptions, type BatchLog } from './train/fit.js';
export { evaluate, predict, type Evaluation, type EvaluateOptions } from './train/evaluate.js';
export { accuracy, confusionMatrix } from './train/metrics.js';
export { meanAbsoluteError, rootMeanSquaredError, r2Score, type RegressionFigures } from './train/regression-metrics.js';
export { History, type EpochLog, type MetricName, type StopReason } from './train/history.js';
export { EarlyStopping, type EarlyStoppingOptions, type Monitor } from './train/early-stopping.js';

export { modelToJSON, modelFromJSON, saveCheckpoint, loadCheckpoint } from './io/checkpoint.js';
export { saveModel, loadModel, readModelFile, type SaveModelOptions } from './io/model-file.js';
export { TabularModel, type TabularEvaluation, type TabularPredictOptions } from './io/tabular-model.js';
export { ARCHITECTURE_LIMITS } from './io/architecture.js';
export { registerLayer, layerClass, registeredLayers, type LayerClass } from './nn/registry.js';
export type { JsonValue, LayerConfig, LayerSpec } from './nn/config.js';
export { encodeSafetensors, decodeSafetensors, type NamedArray, type DecodedArray, type SafetensorsDtype } from './io/safetensors.js';
