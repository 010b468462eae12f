import { avgPool2dBackward, avgPool2dForward, maxPool2dBackward, maxPool2dForward, type PoolGeometry } from '../backend/ops-pool.js';
import { ShapeError, StateError, ValueError, formatShape } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { checkGradOutput, checkOptions } from '../validate.js';
import { Workspace } from '../workspace.js';
import { asGiven, checkImageInput, checkPair, pyRepr, windowOut, type Size2 } from './layer-args.js';
import { Module } from './module.js';

/** Options of MaxPool2d and AvgPool2d. */
export interface Pool2dOptions {
  /** Step of the window, one number or [height, width]. Default: the kernel size. */
  stride?: Size2;
  /** Implicit padding on each side (at most half the kernel). Default 0. */
  padding?: Size2;
}

/**
 * What max and average pooling share: arguments, shape checks, workspaces. Subclasses run
 * their kernels. torch's dilation and ceil_mode are not supported.
 */
abstract class Pool2d extends Module {
  readonly kernelSize: readonly [number, number];
  readonly stride: readonly [number, number];
  readonly padding: readonly [number, number];
  private readonly given: { kernelSize: Size2; stride: Size2 | undefined; padding: Size2 };
  private readonly output: Workspace;
  private readonly gradInput: Workspace;
  protected input: Tensor | null = null;
  protected geometry: PoolGeometry | null = null;

  protected constructor(kernelSize: Size2, options: Pool2dOptions) {
    super();
    const where = this.typeName;
    checkOptions(where, options, ['stride', 'padding']);
    this.kernelSize = checkPair(where, 'kernelSize', kernelSize, 1);
    this.stride = options.stride === undefined ? this.kernelSize : checkPair(where, 'stride', options.stride, 1);
    this.padding = checkPair(where, 'padding', options.padding ?? 0, 0);
    for (const d of [0, 1]) {
      if (this.padding[d]! > this.kernelSize[d]! / 2) {
        throw new ValueError(`${where}: padding ${pyRepr(this.padding)} must be at most half the kernel size ${pyRepr(this.kernelSize)}`);
      }
    }
    this.given = { kernelSize: asGiven(kernelSize), stride: options.stride === undefined ? undefined : asGiven(options.stride), padding: asGiven(options.padding ?? 0) };
    this.output = this.registerWorkspace(new Workspace(`${where}.forward`));
    this.gradInput = this.registerWorkspace(new Workspace(`${where}.backward`));
  }

  /** Checks the input and returns the output view and the geometry of this call. */
  protected prepare(input: Tensor): { x: Tensor; y: Tensor; g: PoolGeometry } {
    const where = `${this.typeName}.forward`;
    this.input = null; // a rejected forward leaves nothing for backward to use
    this.checkUsable('forward');
    const x = checkImageInput(where, input, null);
    const [N, C, H, W] = x.shape as [number, number, number, number];
    const [KH, KW] = this.kernelSize, [SH, SW] = this.stride, [PH, PW] = this.padding;
    const OH = windowOut(H, KH, SH, PH), OW = windowOut(W, KW, SW, PW);
    if (OH < 1 || OW < 1) {
      throw new ShapeError(`${where}: input ${formatShape(x.shape)} is too small for a ${KH}×${KW} window with padding ` +
        `${pyRepr(this.padding)}: needs height ≥ ${KH - 2 * PH} and width ≥ ${KW - 2 * PW}`);
    }
    const g: PoolGeometry = { planes: N * C, H, W, KH, KW, SH, SW, PH, PW, OH, OW };
    this.input = x;
    this.geometry = g;
    return { x, y: this.output.next([N, C, OH, OW]), g };
  }

  /** Checks gradOutput against the last forward; returns the gradient view to fill. */
  protected prepareBackward(gradOutput: Tensor): { dx: Tensor; g: PoolGeometry } {
    const where = `${this.typeName}.backward`;
    this._checkBackwardReady('backward');
    const input = this.input!, g = this.geometry!;
    const want = [input.shape[0]!, input.shape[1]!, g.OH, g.OW];
    checkGradOutput(where, gradOutput, want);
    return { dx: this.gradInput.next(input.shape), g };
  }

  override _checkBackwardReady(where: string): void {
    super._checkBackwardReady(where);
    if (!this.input || !this.geometry) throw new StateError(`${this.typeName}.${where}: called before a successful forward()`);
  }

  override extraRepr(): string {
    const k = this.given.kernelSize;
    return `kernel_size=${pyRepr(k)}, stride=${pyRepr(this.given.stride ?? k)}, padding=${pyRepr(this.given.padding)}`;
  }

  /** Constructor arguments that rebuild this layer. */
  override toConfig(): { args: [number | [number, number], { stride: number | [number, number]; padding: number | [number, number] }] } {
    const k = this.given.kernelSize;
    return { args: [asGiven(k), { stride: asGiven(this.given.stride ?? k), padding: asGiven(this.given.padding) }] };
  }
}

/**
 * 2-D max pooling, after torch.nn.MaxPool2d (dilation, ceil_mode and return_indices are not
 * supported). Padding counts as −∞. The position of each maximum is kept for backward, which
 * sends each gradient to it.
 *
 * Shape: [N, C, H, W] → [N, C, OH, OW], OH = ⌊(H + 2·padding − kernel) / stride⌋ + 1.
 *
 * @example
 * const pool = new MaxPool2d(2);                             // stride 2
 * pool.forward(Tensor.zeros([1, 6, 28, 28])).shape;         // [1, 6, 14, 14]
 */
export class MaxPool2d extends Pool2d {
  static override readonly typeName: string = 'MaxPool2d';
  private readonly argmax: Workspace;
  private lastArgmax: Tensor | null = null;

  constructor(kernelSize: Size2, options: Pool2dOptions = {}) {
    super(kernelSize, options);
    this.argmax = this.registerWorkspace(new Workspace('MaxPool2d (argmax)'));
  }

  forward(input: Tensor): Tensor {
    const { x, y, g } = this.prepare(input);
    this.lastArgmax = this.argmax.next(y.shape);
    maxPool2dForward(x, y, this.lastArgmax, g);
    return y;
  }

  backward(gradOutput: Tensor): Tensor {
    const { dx, g } = this.prepareBackward(gradOutput);
    maxPool2dBackward(gradOutput, this.lastArgmax!, dx, g);
    return dx;
  }

  override extraRepr(): string {
    return `${super.extraRepr()}, dilation=1, ceil_mode=False`;
  }
}

/**
 * 2-D average pooling, after torch.nn.AvgPool2d with count_include_pad=True: every window is
 * divided by kh·kw, padding counting as zeros (ceil_mode and divisor_override are not supported).
 *
 * Shape: [N, C, H, W] → [N, C, OH, OW], OH = ⌊(H + 2·padding − kernel) / stride⌋ + 1.
 */
export class AvgPool2d extends Pool2d {
  static override readonly typeName: string = 'AvgPool2d';

  constructor(kernelSize: Size2, options: Pool2dOptions = {}) {
    super(kernelSize, options);
  }

  forward(input: Tensor): Tensor {
    const { x, y, g } = this.prepare(input);
    avgPool2dForward(x, y, g);
    return y;
  }

  backward(gradOutput: Tensor): Tensor {
    const { dx, g } = this.prepareBackward(gradOutput);
    avgPool2dBackward(gradOutput, dx, g);
    return dx;
  }
}
