import * as ops from '../backend/ops.js';
import { StateError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { checkGradOutput, checkNumber, checkTensor } from '../validate.js';
import { Workspace } from '../workspace.js';
import type { LayerConfig } from './config.js';
import { Module } from './module.js';

/**
 * Multiplies its input by a constant: y = factor·x (no parameters). Placed before an activation
 * it gives a steeper one, e.g. `new Sequential(new Linear(2, 25), new Scale(10), new Tanh())`
 * is the tanh(10x) of one of the classic reports. Unlike scaling the weights, this keeps the
 * gradient with respect to the weights `factor` times larger, as the report's network had.
 * PyTorch equivalent: a module whose forward returns `factor * x`.
 *
 * @example
 * const steep = new Scale(10);
 * steep.forward(Tensor.from([[0.1, -0.2]]));   // [[1, -2]]
 */
export class Scale extends Module {
  static override readonly typeName: string = 'Scale';
  /** k in y = k·x. */
  readonly factor: number;
  private readonly output = this.registerWorkspace(new Workspace('Scale.forward'));
  private readonly gradInput = this.registerWorkspace(new Workspace('Scale.backward'));
  private lastShape: readonly number[] | null = null;

  constructor(factor: number) {
    super();
    this.factor = checkNumber('Scale', 'factor', factor);
  }

  forward(input: Tensor): Tensor {
    checkTensor('Scale.forward', 'input', input);
    this.output.checkNotHeld('Scale.forward', input);
    const y = this.output.next(input.shape);
    y.set(input._view('Scale.forward'));
    ops.scale(y, this.factor);
    this.lastShape = y.shape;
    return y;
  }

  backward(gradOutput: Tensor): Tensor {
    if (!this.lastShape) throw new StateError('Scale.backward: called before forward()');
    checkGradOutput('Scale.backward', gradOutput, this.lastShape);
    const dx = this.gradInput.next(gradOutput.shape);
    dx.set(gradOutput._view('Scale.backward'));
    ops.scale(dx, this.factor);
    return dx;
  }

  /** Constructor arguments that rebuild this module: `new Scale(...toConfig().args)`. */
  override toConfig(): LayerConfig {
    return { args: [this.factor] };
  }

  /** No parameters. */
  static override parameterCount(): number {
    return 0;
  }

  override extraRepr(): string {
    return `factor=${this.factor}`;
  }
}
