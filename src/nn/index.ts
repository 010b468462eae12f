/** The `nn` namespace, as torch.nn: modules, and `nn.init` for initialisation. */
export * as init from './init.js';
export { Module } from './module.js';
export { Parameter } from './parameter.js';
export { Linear } from './linear.js';
export { Sequential } from './sequential.js';
export { Flatten } from './flatten.js';
export { Dropout } from './dropout.js';
export { LogSoftmax } from './log-softmax.js';
export { ReLU, LeakyReLU, Tanh, Sigmoid, ELU, GELU, Softplus, Softmax } from './activations.js';
