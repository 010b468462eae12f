import * as ops from '../backend/ops.js';
import { StateError, ValueError } from '../errors.js';
import { defaultGenerator, type Generator } from '../random.js';
import type { Tensor } from '../tensor.js';
import { checkGenerator, checkGradOutput, checkNumber, checkOptions, checkTensor, describe } from '../validate.js';
import { Workspace } from '../workspace.js';
import type { LayerConfig } from './config.js';
import { pyFloat } from './layer-args.js';
import { Module } from './module.js';

/** Options of Dropout. */
export interface DropoutOptions {
  /** Draws the two 32-bit keys of each forward's mask. Default: the generator seeded by manualSeed(). */
  generator?: Generator;
  /** torch's inplace: only its default false is accepted (true is refused, saying so). */
  inplace?: false;
}

/**
 * Inverted dropout, as torch.nn.Dropout: in training mode each element is zeroed with
 * probability p and the others are scaled by 1/(1 - p); in eval() mode it is the identity.
 *
 * The mask is drawn inside WASM by a counter-based generator keyed by two numbers taken from
 * `generator` at each forward (integer arithmetic only), so the same seed gives the same mask in
 * every engine and with either backend. backward() applies the last forward's mask.
 *
 * @example
 * const drop = new Dropout(0.25, { generator: new Generator(1) });
 * drop.eval();   // identity at evaluation time
 */
export class Dropout extends Module {
  static override readonly typeName: string = 'Dropout';
  /** The `p` given to the constructor (or its default): torch's `p`. */
  readonly p: number;
  private readonly generator: Generator;

  /** @internal The generator the mask's keys come from (gradcheck puts it back after a refusal). */
  get _generator(): Generator {
    return this.generator;
  }
  private readonly output = this.registerWorkspace(new Workspace('Dropout.forward'));
  private readonly mask = this.registerWorkspace(new Workspace('Dropout mask'));
  private readonly gradInput = this.registerWorkspace(new Workspace('Dropout.backward'));
  /** The last forward's shape and mask (null: it ran in eval mode, the gradient passes through). */
  private lastShape: readonly number[] | null = null;
  private lastMask: Tensor | null = null;
  /** @internal The first key of the last training-mode mask (gradcheck compares both between two forwards). */
  _key0 = 0;
  /** @internal The second key of the last training forward's mask (see _key0). */
  _key1 = 0;

  constructor(p = 0.5, options: DropoutOptions = {}) {
    super();
    this.p = checkNumber('Dropout', 'p', p, { min: 0, max: 1 });
    checkOptions('Dropout', options, ['generator'], {
      inplace: { torchDefault: false, reason: "outputs live in the layer's own re-used memory, so nothing is computed in place (the repr says inplace=False, as torch's)" },
    });
    this.generator = options.generator === undefined ? defaultGenerator : checkGenerator<Generator>('Dropout', 'options.generator', options.generator);
    // The mask's keys come from nextUint32, which checkGenerator (uniform, normal) does not ask for.
    if (typeof (this.generator as Partial<Generator>).nextUint32 !== 'function') {
      throw new ValueError(`Dropout: options.generator must be a Generator (new Generator(seed)); this one has no nextUint32() for the mask's keys`);
    }
  }

  forward(input: Tensor): Tensor {
    checkTensor('Dropout.forward', 'input', input);
    if (!this.training) {
      this.lastShape = input.shape;
      this.lastMask = null;
      return input;
    }
    this.output.checkNotHeld('Dropout.forward', input);
    // Memory first, keys second: a forward refused for lack of memory has not moved the
    // generator, and leaves no shape behind that the old mask does not have (backward refuses).
    let mask: Tensor, y: Tensor;
    try {
      mask = this.mask.next(input.shape);
      y = this.output.next(input.shape);
    } catch (e) {
      this.lastShape = null;
      this.lastMask = null;
      throw e;
    }
    this.lastShape = input.shape;
    const key0 = this.generator.nextUint32(), key1 = this.generator.nextUint32();
    if (key0 !== key0 >>> 0 || key1 !== key1 >>> 0) {
      // A generator-like object's keys that are not 32-bit unsigned integers (NaN, 2^40) would be truncated silently.
      this.lastShape = null;
      this.lastMask = null;
      throw new ValueError(`Dropout.forward: options.generator.nextUint32() returned ${describe(key0 !== key0 >>> 0 ? key0 : key1)}, not an integer in [0, 2^32)`);
    }
    this._key0 = key0;
    this._key1 = key1;
    const scale = this.p === 1 ? 0 : 1 / (1 - this.p);
    ops.dropoutForward(input, y, mask, key0, key1, this.p, scale);
    this.lastMask = mask;
    return y;
  }

  backward(gradOutput: Tensor): Tensor {
    const shape = this.lastShape;
    if (!shape) throw new StateError('Dropout.backward: called before forward()');
    checkGradOutput('Dropout.backward', gradOutput, shape);
    const mask = this.lastMask;
    if (!mask) return gradOutput;
    mask._check('Dropout.backward: the mask of the last forward()');
    const dx = this.gradInput.next(shape);
    ops.dropoutBackward(gradOutput, mask, dx);
    return dx;
  }

  override extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=False`;
  }

  /** Constructor arguments without the generator: `new Dropout(...toConfig().args)`. */
  override toConfig(): LayerConfig {
    return { args: [this.p] };
  }

  /** No parameters. */
  static override parameterCount(): number {
    return 0;
  }
}
