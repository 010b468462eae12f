import { describe, expect, it } from 'vitest';
import { BatchNorm1d, Generator, Tensor } from '../../src/index.js';
import { buildFromSpec } from '../../src/cli/layer-spec.js';
import { MODEL_PRESETS } from '../../src/cli/image-registry.js';
import { UsageError } from '../../src/cli/options.js';

const g = (): Generator => new Generator(1);

describe('layer specs', () => {
  it('builds the LeNet-5 preset with BatchNorm, following the sample shape to [10]', () => {
    const { model, outputShape } = buildFromSpec(MODEL_PRESETS['lenet-bn']!, [1, 28, 28], g());
    expect(outputShape).toEqual([10]);
    expect(model.toString().split('\n').slice(1, 6).map((l) => l.trim())).toEqual([
      '(0): Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2))',
      '(1): BatchNorm2d(6, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)',
      '(2): ReLU()',
      '(3): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)',
      '(4): Conv2d(6, 16, kernel_size=(5, 5), stride=(1, 1))',
    ]);
    expect(model.forward(Tensor.zeros([2, 1, 28, 28])).shape).toEqual([2, 10]);
    // 6·25+6 + 2·6 + 16·150+16 + 2·16 + 400·120+120 + 120·84+84 + 84·10+10
    expect(model.parameters().reduce((a, p) => a + p.size, 0)).toBe(156 + 12 + 2416 + 32 + 48120 + 10164 + 850);
  });

  it('reads strides, padding, average pooling, dropout, layer norm and batch norm on flat samples', () => {
    const { model, outputShape } = buildFromSpec('conv4x3s2p1,avgpool2s1,flatten,dropout0.25,32,bn,ln,gelu,5,logsoftmax', [3, 9, 9], g());
    // conv: (9 + 2 - 3)/2 + 1 = 5; avgpool 2 stride 1: 4 → 4·4·4 = 64 features.
    expect(outputShape).toEqual([5]);
    expect(model.at(3).toString()).toBe('Dropout(p=0.25, inplace=False)');
    expect(model.at(5)).toBeInstanceOf(BatchNorm1d);
    expect(model.forward(Tensor.zeros([2, 3, 9, 9])).shape).toEqual([2, 5]);
  });

  it('reads adaptive average pooling (global with 1)', () => {
    const { model, outputShape } = buildFromSpec('conv4x3,adaptiveavgpool1,flatten,10', [1, 28, 28], g());
    expect(outputShape).toEqual([10]);
    expect(model.at(1).toString()).toBe('AdaptiveAvgPool2d(output_size=1)');
    expect(model.forward(Tensor.zeros([2, 1, 28, 28])).shape).toEqual([2, 10]);
    expect(() => buildFromSpec('adaptiveavgpool0', [1, 28, 28], g())).toThrow(/token 1 'adaptiveavgpool0'.*outputSize must be ≥ 1/);
  });

  it('reads groups: a depthwise convolution after an ordinary one', () => {
    const { model, outputShape } = buildFromSpec('conv4x3p1,conv8x3p1g4,flatten,10', [2, 6, 6], g());
    expect(outputShape).toEqual([10]);
    expect(model.at(1).toString()).toBe('Conv2d(4, 8, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), groups=4)');
    expect(() => buildFromSpec('conv6x5g4', [1, 28, 28], g())).toThrow(/token 1 'conv6x5g4' \(sample shape \[1, 28, 28\]\).*divisible by groups \(4\)/);
  });

  it('refuses unknown tokens, misplaced layers and windows that do not fit, naming token and shape', () => {
    const fails = (spec: string, message: RegExp): void => {
      expect(() => buildFromSpec(spec, [1, 28, 28], g())).toThrow(UsageError);
      expect(() => buildFromSpec(spec, [1, 28, 28], g())).toThrow(message);
    };
    fails('conv6x5,flatten,softmaxx', /token 3 'softmaxx' is not a layer/);
    fails('conv6x5,120', /token 2 '120' \(sample shape \[6, 24, 24\]\).*add 'flatten'/);
    fails('flatten,conv6x5', /token 2 'conv6x5' \(sample shape \[784\]\): Conv2d needs an image/);
    fails('maxpool29', /token 1 'maxpool29'.*does not fit a size-28 input/);
    fails('conv6x5,,10', /empty token/);
    fails('', /empty token/);
    fails('flatten,dropout1.5', /token 2 'dropout1.5' is not a layer/);
    fails('conv0x5', /token 1 'conv0x5'.*outChannels/);
  });
});
