import { ShapeError, StateError, formatShape } from '../errors.js';
import { Tensor } from '../tensor.js';
import { checkGradOutput, checkNumber, checkTensor, sameShape } from '../validate.js';
import type { LayerConfig } from './config.js';
import { Module } from './module.js';

/**
 * A view of `t` with another shape of the same size, sharing its memory (no copy). The view
 * never frees the memory and goes stale exactly when `t` does.
 */
function viewAs(t: Tensor, shape: readonly number[]): Tensor {
  const view = new Tensor(t._storage, t._offset, shape, t._owner ?? 'the tensor it is a view of');
  view._generation = t._generation;
  return view;
}

/**
 * Flattens dimensions startDim..endDim (inclusive, negative counts from the end) into one,
 * as torch.nn.Flatten: [N, C, H, W] → [N, C·H·W] with the defaults. The output is a view of the
 * input's memory (no copy); backward returns a view of the gradient in the input's shape.
 *
 * @example
 * const y = new Flatten().forward(Tensor.zeros([2, 3, 4, 4]));   // shape [2, 48]
 */
export class Flatten extends Module {
  static override readonly typeName: string = 'Flatten';
  private inputShape: readonly number[] | null = null;
  private outputShape: readonly number[] = Object.freeze([]);

  constructor(
    /** The first dimension merged (torch's `start_dim`). */ readonly startDim = 1,
    /** The last dimension merged, inclusive (torch's `end_dim`). */ readonly endDim = -1,
  ) {
    super();
    checkNumber('Flatten', 'startDim', startDim, { integer: true });
    checkNumber('Flatten', 'endDim', endDim, { integer: true });
    if ((startDim >= 0) === (endDim >= 0) && startDim > endDim) {
      throw new ShapeError(`Flatten: startDim (${startDim}) cannot come after endDim (${endDim})`);
    }
  }

  /** The output shape for `shape`, or a ShapeError naming the dimensions. */
  private flattenedShape(shape: readonly number[]): number[] {
    const rank = shape.length;
    const start = this.startDim < 0 ? this.startDim + rank : this.startDim;
    const end = this.endDim < 0 ? this.endDim + rank : this.endDim;
    if (start >= 0 && start < rank && end >= 0 && end < rank && start > end) {
      // Both dimensions exist, in the wrong order (torch: "start_dim cannot come after end_dim").
      throw new ShapeError(`Flatten(start_dim=${this.startDim}, end_dim=${this.endDim}).forward: on input ${formatShape(shape)} (rank ${rank}) ` +
        `start_dim is dimension ${start}, after end_dim, dimension ${end}; start_dim cannot come after end_dim`);
    }
    if (start < 0 || start >= rank || end < 0 || end >= rank) {
      throw new ShapeError(
        `Flatten(start_dim=${this.startDim}, end_dim=${this.endDim}).forward: input ${formatShape(shape)} (rank ${rank}) ` +
          `has no dimensions ${this.startDim}..${this.endDim}; expected rank ≥ ${Math.max(this.startDim + 1, -this.endDim, this.endDim + 1, -this.startDim, 1)}`,
      );
    }
    let merged = 1;
    for (let d = start; d <= end; d++) merged *= shape[d]!;
    return [...shape.slice(0, start), merged, ...shape.slice(end + 1)];
  }

  forward(input: Tensor): Tensor {
    checkTensor('Flatten.forward', 'input', input);
    const shape = this.flattenedShape(input.shape);
    if (!sameShape(shape, this.outputShape)) this.outputShape = Object.freeze(shape);
    this.inputShape = input.shape;
    return viewAs(input, this.outputShape);
  }

  backward(gradOutput: Tensor): Tensor {
    const inputShape = this.inputShape;
    if (!inputShape) throw new StateError('Flatten.backward: called before forward()');
    checkGradOutput('Flatten.backward', gradOutput, this.outputShape);
    return viewAs(gradOutput, inputShape);
  }

  override extraRepr(): string {
    return `start_dim=${this.startDim}, end_dim=${this.endDim}`;
  }

  /** Constructor arguments: `new Flatten(...toConfig().args)` rebuilds this layer. */
  override toConfig(): LayerConfig {
    return { args: [this.startDim, this.endDim] };
  }

  /** No parameters. */
  static override parameterCount(): number {
    return 0;
  }
}
