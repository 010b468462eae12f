// Layer specs: a CNN or MLP described on the command line as comma-separated tokens, e.g.
//   conv6x5p2,bn,relu,maxpool2,conv16x5,bn,relu,maxpool2,flatten,120,relu,84,relu,10
// One table maps each token pattern to a layer class; the shape of one sample ([C, H, W] or
// [features]) is followed through the spec, so a token that does not fit (a pooling window
// larger than the image, a Linear on an unflattened image) is refused before any training.
import {
  AdaptiveAvgPool2d, AvgPool2d, BatchNorm1d, BatchNorm2d, Conv2d, Dropout, Flatten, LayerNorm, Linear, LogSoftmax, MaxPool2d, Sequential,
  type Generator, type Module,
} from '../index.js';
import { MAX_ELEMENTS } from '../shape.js';
import { UsageError } from './options.js';
import { ACTIVATIONS } from './registry.js';

import type { SampleShape } from './image-registry.js';

/** One kind of token: its pattern, its help text and how it builds a layer for a sample shape. */
interface TokenRule {
  pattern: RegExp;
  help: string;
  build(match: RegExpMatchArray, shape: SampleShape, generator: Generator): { layer: Module; shape: SampleShape };
}

const fmt = (shape: SampleShape): string => `[${shape.join(', ')}]`;
const size = (shape: SampleShape): number => shape.reduce((a, b) => a * b, 1);

/** Thrown inside a rule: the parser adds the token's position. */
class TokenError extends Error {}

/** Largest number a token may hold (a channel count, kernel, stride, padding or size: the layers' MAX_DIM). */
const MAX_NUMBER = 2 ** 24;

/**
 * A token's number (digits), or `fallback` when it was left out. Written as plain decimal: a
 * leading zero ('06', which could be read as octal) and numbers past 2^24 (beyond any layer's
 * limit; past 2^53 the digits would be rounded) are refused here, naming the digits as written.
 */
function int(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  if (text.length > 1 && text.startsWith('0')) throw new TokenError(`the number '${text}' has a leading zero; write ${text.replace(/^0+(?=\d)/, '')}`);
  const value = Number(text);
  if (value > MAX_NUMBER) throw new TokenError(`the number ${text} is larger than ${MAX_NUMBER}`);
  return value;
}

function needImage(shape: SampleShape, what: string): [number, number, number] {
  if (shape.length !== 3) throw new TokenError(`${what} needs an image [channels, height, width], the sample here is ${fmt(shape)}`);
  return shape as [number, number, number];
}

/** Output size of a sliding window (torch's formula), refused when it would be < 1. */
export function windowOutput(size: number, kernel: number, stride: number, padding: number, what: string): number {
  const out = Math.floor((size + 2 * padding - kernel) / stride) + 1;
  if (out < 1) throw new TokenError(`${what}: window ${kernel} with padding ${padding} does not fit a size-${size} input`);
  return out;
}

/** Token rules, tried in order; the first whose pattern matches the whole token builds it. */
export const LAYER_TOKENS: TokenRule[] = [
  {
    pattern: /^conv(\d+)x(\d+)(?:s(\d+))?(?:p(\d+))?(?:g(\d+))?$/,
    help: 'convOUTxK[sS][pP][gG]: Conv2d(channels, OUT, K, { stride: S, padding: P, groups: G }), e.g. conv6x5p2',
    build: (m, shape, generator) => {
      const [c, h, w] = needImage(shape, 'Conv2d');
      const out = int(m[1], 0), k = int(m[2], 0), stride = int(m[3], 1), padding = int(m[4], 0), groups = int(m[5], 1);
      const layer = new Conv2d(c, out, k, { stride, padding, groups, generator });
      return { layer, shape: [out, windowOutput(h, k, stride, padding, 'Conv2d'), windowOutput(w, k, stride, padding, 'Conv2d')] };
    },
  },
  ...([['max', MaxPool2d], ['avg', AvgPool2d]] as const).map(([kind, Pool]): TokenRule => ({
    pattern: new RegExp(`^${kind}pool(\\d+)(?:s(\\d+))?$`),
    help: `${kind}poolK[sS]: ${Pool.typeName}(K, { stride: S }) (stride defaults to K)`,
    build: (m, shape) => {
      const [c, h, w] = needImage(shape, `${kind}pool`);
      const k = int(m[1], 0), stride = int(m[2], k);
      const layer = new Pool(k, { stride });
      return { layer, shape: [c, windowOutput(h, k, stride, 0, layer.typeName), windowOutput(w, k, stride, 0, layer.typeName)] };
    },
  })),
  {
    pattern: /^adaptiveavgpool(\d+)$/, help: 'adaptiveavgpoolS: AdaptiveAvgPool2d(S) (S×S outputs; adaptiveavgpool1 is global average pooling)',
    build: (m, shape) => {
      const [c] = needImage(shape, 'adaptiveavgpool');
      const size = int(m[1], 0);
      return { layer: new AdaptiveAvgPool2d(size), shape: [c, size, size] };
    },
  },
  {
    pattern: /^bn$/, help: 'bn: BatchNorm2d(channels) on images, BatchNorm1d(features) on flat samples',
    build: (_m, shape) => ({ layer: shape.length === 3 ? new BatchNorm2d(shape[0]!) : new BatchNorm1d(shape[0]!), shape }),
  },
  {
    pattern: /^ln$/, help: 'ln: LayerNorm(features) on flat samples',
    build: (_m, shape) => {
      if (shape.length !== 1) throw new TokenError(`LayerNorm here needs a flat sample, the sample is ${fmt(shape)}`);
      return { layer: new LayerNorm(shape[0]!), shape };
    },
  },
  {
    pattern: /^(\d+)$/, help: 'N: Linear(features, N) (flatten images first)',
    build: (m, shape, generator) => {
      if (shape.length !== 1) throw new TokenError(`Linear needs a flat sample, the sample here is ${fmt(shape)} (add 'flatten' before it)`);
      const out = int(m[1], 0);
      return { layer: new Linear(shape[0]!, out, { generator }), shape: [out] };
    },
  },
  {
    pattern: /^flatten$/, help: 'flatten: Flatten() — [C, H, W] → [C·H·W]',
    build: (_m, shape) => ({ layer: new Flatten(), shape: [size(shape)] }),
  },
  {
    pattern: /^dropout(0?\.\d+)?$/, help: 'dropout[P]: Dropout(P), default 0.5 (e.g. dropout0.25)',
    build: (m, shape, generator) => ({ layer: new Dropout(m[1] === undefined ? 0.5 : Number(m[1]), { generator }), shape }),
  },
  {
    pattern: /^logsoftmax$/, help: 'logsoftmax: LogSoftmax(1) (pair with --loss nll)',
    build: (_m, shape) => {
      if (shape.length !== 1) throw new TokenError(`LogSoftmax needs a flat sample of class scores, the sample here is ${fmt(shape)}`);
      return { layer: new LogSoftmax(1), shape };
    },
  },
  {
    pattern: new RegExp(`^(${Object.keys(ACTIVATIONS).join('|')})$`), help: `${Object.keys(ACTIVATIONS).join('|')}: the activation`,
    build: (m, shape) => ({ layer: ACTIVATIONS[m[1]!]!(), shape }),
  },
];

/** The help lines of every token kind. */
export function layerSpecHelp(): string {
  return LAYER_TOKENS.map((r) => `    ${r.help}`).join('\n');
}

/**
 * Builds a Sequential from a spec for samples of `inputShape` ([1, 28, 28] for MNIST) and
 * returns it with the shape of one output sample. Throws UsageError naming the token, its
 * position and the sample shape it met.
 */
export function buildFromSpec(spec: string, inputShape: SampleShape, generator: Generator): { model: Sequential; outputShape: SampleShape } {
  const tokens = spec.split(',').map((t) => t.trim().toLowerCase());
  if (spec.trim() === '' || tokens.some((t) => t === '')) throw new UsageError(`--layers: empty token in '${spec}'; expected comma-separated tokens:\n${layerSpecHelp()}`);
  const model = new Sequential();
  let shape = inputShape;
  // Floats one sample needs at the least: the input, every layer's output (each layer keeps its
  // own) and the parameters with their gradients. Past WASM memory the model could never run.
  let floats = size(inputShape);
  try {
    tokens.forEach((token, i) => {
      const rule = LAYER_TOKENS.find((r) => r.pattern.test(token));
      if (!rule) throw new UsageError(`--layers: token ${i + 1} '${token}' is not a layer; allowed tokens:\n${layerSpecHelp()}`);
      try {
        const built = rule.build(token.match(rule.pattern)!, shape, generator);
        model.append(built.layer);
        floats += size(built.shape) + 2 * built.layer.parameters().reduce((n, p) => n + p.size, 0);
        if (floats > MAX_ELEMENTS) {
          throw new TokenError(`the model would need ${floats} float32 values for one sample (its input, the output of every layer, ` +
            `the parameters and their gradients), and WASM memory holds ${MAX_ELEMENTS} (4 GiB); the output here is ${fmt(built.shape)}`);
        }
        shape = built.shape;
      } catch (e) {
        if (!(e instanceof Error) || e instanceof UsageError) throw e;
        throw new UsageError(`--layers: token ${i + 1} '${token}' (sample shape ${fmt(shape)}): ${e.message}`);
      }
    });
  } catch (e) {
    model.dispose(); // the layers built so far hold WASM memory
    throw e;
  }
  return { model, outputShape: shape };
}
