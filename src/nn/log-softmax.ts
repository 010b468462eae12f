import * as ops from '../backend/ops.js';
import { ShapeError, StateError, formatShape } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { checkGradOutput, checkNumber, checkTensor } from '../validate.js';
import { Workspace } from '../workspace.js';
import type { LayerConfig } from './config.js';
import { Module } from './module.js';

/**
 * log(softmax(x)) along `dim`, computed stably as x - logsumexp(x), as torch.nn.LogSoftmax.
 * Pair it with NLLLoss (together they are CrossEntropyLoss). `dim` must be the last axis of the
 * input (dim 1 of [batch, classes], or -1); other axes are refused with a ShapeError.
 *
 * @example
 * const model = new Sequential(new Linear(4, 3), new LogSoftmax(1));
 */
export class LogSoftmax extends Module {
  static override readonly typeName: string = 'LogSoftmax';
  private readonly output = this.registerWorkspace(new Workspace('LogSoftmax.forward'));
  private readonly gradInput = this.registerWorkspace(new Workspace('LogSoftmax.backward'));
  private lastOutput: Tensor | null = null;

  constructor(
    /** The dimension normalised (torch's `dim`): 1 or −1. */
    readonly dim = 1,
  ) {
    super();
    checkNumber('LogSoftmax', 'dim', dim, { integer: true });
  }

  forward(input: Tensor): Tensor {
    checkTensor('LogSoftmax.forward', 'input', input);
    this.output.checkNotHeld('LogSoftmax.forward', input);
    const rank = input.ndim;
    const axis = this.dim < 0 ? this.dim + rank : this.dim;
    if (rank === 0 || axis !== rank - 1 || input.size === 0) {
      throw new ShapeError(
        `LogSoftmax(dim=${this.dim}).forward: expected a non-empty input whose dim ${this.dim} is its last axis ` +
          `(e.g. [batch, ${this.dim === 1 ? 'classes' : '…, classes'}]), got ${formatShape(input.shape)}`,
      );
    }
    const y = this.output.next(input.shape);
    ops.logSoftmaxForward(input, y);
    this.lastOutput = y;
    return y;
  }

  backward(gradOutput: Tensor): Tensor {
    const y = this.lastOutput;
    if (!y) throw new StateError('LogSoftmax.backward: called before forward()');
    checkGradOutput('LogSoftmax.backward', gradOutput, y.shape);
    y._check('LogSoftmax.backward: the output of the last forward()');
    const dx = this.gradInput.next(y.shape);
    ops.logSoftmaxBackward(y, gradOutput, dx);
    return dx;
  }

  override extraRepr(): string {
    return `dim=${this.dim}`;
  }

  /** Constructor arguments: `new LogSoftmax(...toConfig().args)`. */
  override toConfig(): LayerConfig {
    return { args: [this.dim] };
  }

  /** No parameters. */
  static override parameterCount(): number {
    return 0;
  }
}
