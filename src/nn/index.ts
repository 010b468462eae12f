/** The `nn` namespace, as torch.nn: modules, and `nn.init` for initialisation. */
export * as init from './init.js';
export { Module } from './module.js';
export { Parameter } from './parameter.js';
export { Linear } from './linear.js';
export { Sequential } from './sequential.js';
export { Scale } from './scale.js';
export { Flatten } from './flatten.js';
export { Dropout } from './dropout.js';
export { LogSoftmax } from './log-softmax.js';
export { Conv2d } from './conv2d.js';
export { MaxPool2d, AvgPool2d } from './pool.js';
export { AdaptiveAvgPool2d } from './adaptive-pool.js';
export { BatchNorm1d, BatchNorm2d } from './batchnorm.js';
export { LayerNorm } from './layernorm.js';
export { ReLU, LeakyReLU, Tanh, Sigmoid, ELU, GELU, Softplus, Softmax } from './activations.js';
