import { avgPool2dBackward, avgPool2dForward, maxPool2dBackward, maxPool2dForward, type PoolGeometry } from '../backend/ops-pool.js';
import { ShapeError, StateError, ValueError, formatShape } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { checkBoolean, checkGradOutput, checkNumber, checkOptions } from '../validate.js';
import { Workspace } from '../workspace.js';
import { MAX_DIM, asGiven, checkImageInput, checkPair, pyBool, pyRepr, type Size2 } from './layer-args.js';
import { Module } from './module.js';
import { poolOut, windowsHitImage } from './pool-size.js';

/** Options of MaxPool2d and AvgPool2d. */
export interface Pool2dOptions {
  /** Step of the window, one number or [height, width]. Default: the kernel size. */
  stride?: Size2;
  /** Implicit padding on each side (at most half the kernel). Default 0. */
  padding?: Size2;
  /**
   * torch's ceil_mode: round the output size up, so a last window cut by the image still counts
   * (a window that would start in the right padding is dropped, as torch does). Default false.
   */
  ceilMode?: boolean;
}

/** Options of MaxPool2d. */
export interface MaxPool2dOptions extends Pool2dOptions {
  /** Spacing of the window's taps, one number or [height, width]. Default 1. */
  dilation?: Size2;
  /** torch's return_indices: only its default false is accepted (true is refused, saying so). */
  returnIndices?: false;
}

/** Options of AvgPool2d. */
export interface AvgPool2dOptions extends Pool2dOptions {
  /** Divide by the whole window, padding included (true, torch's default) or by its image pixels (false). */
  countIncludePad?: boolean;
  /** Divide every window by this integer instead (torch's divisor_override). Default: none. */
  divisorOverride?: number;
}

/** Constructor arguments as given (for repr and toConfig). */
interface Given { kernelSize: Size2; stride: Size2 | undefined; padding: Size2; dilation: Size2 }

/**
 * What max and average pooling share: arguments, shape checks, workspaces. Subclasses run
 * their kernels.
 */
abstract class Pool2d extends Module {
  /** The `kernelSize` given to the constructor (or its default): torch's `kernel_size`. */
  readonly kernelSize: readonly [number, number];
  /** The `stride` given to the constructor (or its default): torch's `stride`. */
  readonly stride: readonly [number, number];
  /** The `padding` given to the constructor (or its default): torch's `padding`. */
  readonly padding: readonly [number, number];
  /** The `dilation` given to the constructor (or its default): torch's `dilation`. */
  readonly dilation: readonly [number, number];
  readonly ceilMode: boolean;
  protected readonly given: Given;
  private readonly output: Workspace;
  private readonly gradInput: Workspace;
  protected input: Tensor | null = null;

  /** @internal See Module._forgetForward: backward refuses until the next forward. */
  override _forgetForward(): void {
    this.input = null;
    super._forgetForward();
  }
  protected geometry: PoolGeometry | null = null;

  protected constructor(kernelSize: Size2, options: MaxPool2dOptions, extra: readonly string[], notOffered: Parameters<typeof checkOptions>[3] = {}) {
    super();
    const where = this.typeName;
    checkOptions(where, options, ['stride', 'padding', 'ceilMode', ...extra], notOffered);
    this.kernelSize = checkPair(where, 'kernelSize', kernelSize, 1);
    this.stride = options.stride === undefined ? this.kernelSize : checkPair(where, 'stride', options.stride, 1);
    this.padding = checkPair(where, 'padding', options.padding ?? 0, 0);
    this.dilation = checkPair(where, 'dilation', options.dilation ?? 1, 1);
    this.ceilMode = checkBoolean(where, 'ceilMode', options.ceilMode ?? false);
    for (const d of [0, 1]) {
      if (this.padding[d]! > this.kernelSize[d]! / 2) {
        throw new ValueError(`${where}: padding ${pyRepr(this.padding)} must be at most half the kernel size ${pyRepr(this.kernelSize)}`);
      }
    }
    this.given = {
      kernelSize: asGiven(kernelSize), stride: options.stride === undefined ? undefined : asGiven(options.stride),
      padding: asGiven(options.padding ?? 0), dilation: asGiven(options.dilation ?? 1),
    };
    this.output = this.registerWorkspace(new Workspace(`${where}.forward`));
    this.gradInput = this.registerWorkspace(new Workspace(`${where}.backward`));
  }

  /** Pooling holds no parameters. */
  static override parameterCount(): number {
    return 0;
  }

  /** The average's divisor rule for the kernels (see PoolGeometry.D). */
  protected divisorRule(): number { return 0; }

  /**
   * Checks the input and returns the output view and the geometry of this call. The layer records
   * them for backward only in commit(), after every allocation of the forward succeeded.
   */
  protected prepare(input: Tensor): { x: Tensor; y: Tensor; g: PoolGeometry } {
    const where = `${this.typeName}.forward`;
    this.input = null; // a rejected forward leaves nothing for backward to use
    this.checkUsable('forward');
    const x = checkImageInput(where, input, null);
    this.output.checkNotHeld(where, x);
    const [N, C, H, W] = x.shape as [number, number, number, number];
    const [KH, KW] = this.kernelSize, [SH, SW] = this.stride, [PH, PW] = this.padding, [DH, DW] = this.dilation;
    const OH = poolOut(H, KH, SH, PH, DH, this.ceilMode), OW = poolOut(W, KW, SW, PW, DW, this.ceilMode);
    if (OH < 1 || OW < 1) {
      throw new ShapeError(`${where}: input ${formatShape(x.shape)} is too small for a ${KH}×${KW} window with padding ` +
        `${pyRepr(this.padding)} and dilation ${pyRepr(this.dilation)}: needs height ≥ ${DH * (KH - 1) + 1 - 2 * PH} ` +
        `and width ≥ ${DW * (KW - 1) + 1 - 2 * PW}`);
    }
    if (!windowsHitImage(H, SH, PH, DH, OH) || !windowsHitImage(W, SW, PW, DW, OW)) {
      throw new ShapeError(`${where}: input ${formatShape(x.shape)}: with dilation ${pyRepr(this.dilation)} and padding ` +
        `${pyRepr(this.padding)} a window holds no pixel of the image (torch returns -inf there; use a smaller dilation)`);
    }
    const g: PoolGeometry = { planes: N * C, H, W, KH, KW, SH, SW, PH, PW, DH, DW, D: this.divisorRule(), OH, OW };
    return { x, y: this.output.next([N, C, OH, OW]), g };
  }

  /** Records the input and geometry of a forward whose allocations all succeeded, for backward. */
  protected commit(x: Tensor, g: PoolGeometry): void {
    this.input = x;
    this.geometry = g;
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

  /** The options that differ from the defaults (a file written without them stays readable by older versions). */
  protected configOptions(): Record<string, number | boolean | [number, number]> {
    const k = this.given.kernelSize;
    const o: Record<string, number | boolean | [number, number]> = { stride: asGiven(this.given.stride ?? k), padding: asGiven(this.given.padding) };
    if (this.ceilMode) o.ceilMode = true;
    return o;
  }

  /** Constructor arguments that rebuild this layer. */
  override toConfig(): { args: [number | [number, number], Record<string, number | boolean | [number, number]>] } {
    return { args: [asGiven(this.given.kernelSize), this.configOptions()] };
  }
}

/**
 * 2-D max pooling, after torch.nn.MaxPool2d (return_indices is not supported). Padding counts
 * as −∞. The position of each maximum is kept for backward, which sends each gradient to it.
 *
 * Shape: [N, C, H, W] → [N, C, OH, OW], OH = ⌊(H + 2·padding − dilation·(kernel − 1) − 1) / stride⌋ + 1
 * (⌈…⌉ with ceilMode, minus a last window that would start in the right padding).
 *
 * @example
 * const pool = new MaxPool2d(2);                             // stride 2
 * pool.forward(Tensor.zeros([1, 6, 28, 28])).shape;         // [1, 6, 14, 14]
 */
export class MaxPool2d extends Pool2d {
  static override readonly typeName: string = 'MaxPool2d';
  private readonly argmax: Workspace;
  private lastArgmax: Tensor | null = null;

  constructor(kernelSize: Size2, options: MaxPool2dOptions = {}) {
    super(kernelSize, options, ['dilation'], {
      returnIndices: { torchDefault: false, reason: 'the argmax is kept for backward but not returned (there is no MaxUnpool2d)' },
    });
    this.argmax = this.registerWorkspace(new Workspace('MaxPool2d (argmax)'));
  }

  forward(input: Tensor): Tensor {
    const { x, y, g } = this.prepare(input);
    this.lastArgmax = this.argmax.next(y.shape);
    this.commit(x, g);
    maxPool2dForward(x, y, this.lastArgmax, g);
    return y;
  }

  backward(gradOutput: Tensor): Tensor {
    const { dx, g } = this.prepareBackward(gradOutput);
    maxPool2dBackward(gradOutput, this.lastArgmax!, dx, g);
    return dx;
  }

  override extraRepr(): string {
    return `${super.extraRepr()}, dilation=${pyRepr(this.given.dilation)}, ceil_mode=${pyBool(this.ceilMode)}`;
  }

  protected override configOptions(): Record<string, number | boolean | [number, number]> {
    const o = super.configOptions();
    if (this.dilation[0] !== 1 || this.dilation[1] !== 1) o.dilation = asGiven(this.given.dilation);
    return o;
  }
}

/**
 * 2-D average pooling, after torch.nn.AvgPool2d: each window's sum divided by the window size
 * inside the padded image (countIncludePad, the default), by its image pixels, or by
 * divisorOverride. Padding adds zeros.
 *
 * Shape: [N, C, H, W] → [N, C, OH, OW], OH = ⌊(H + 2·padding − kernel) / stride⌋ + 1 (⌈…⌉ with ceilMode).
 */
export class AvgPool2d extends Pool2d {
  static override readonly typeName: string = 'AvgPool2d';
  /** The `countIncludePad` given to the constructor (or its default): torch's `count_include_pad`. */
  readonly countIncludePad: boolean;
  /** The `divisorOverride` given to the constructor (or its default): torch's `divisor_override`. */
  readonly divisorOverride: number | null;

  constructor(kernelSize: Size2, options: AvgPool2dOptions = {}) {
    super(kernelSize, options, ['countIncludePad', 'divisorOverride']);
    this.countIncludePad = checkBoolean(this.typeName, 'countIncludePad', options.countIncludePad ?? true);
    const d = options.divisorOverride;
    this.divisorOverride = d === undefined ? null : checkNumber(this.typeName, 'divisorOverride', d, { integer: true, min: 1, max: MAX_DIM });
  }

  protected override divisorRule(): number {
    return this.divisorOverride ?? (this.countIncludePad ? 0 : -1);
  }

  forward(input: Tensor): Tensor {
    const { x, y, g } = this.prepare(input);
    this.commit(x, g);
    avgPool2dForward(x, y, g);
    return y;
  }

  backward(gradOutput: Tensor): Tensor {
    const { dx, g } = this.prepareBackward(gradOutput);
    avgPool2dBackward(gradOutput, dx, g);
    return dx;
  }

  protected override configOptions(): Record<string, number | boolean | [number, number]> {
    const o = super.configOptions();
    if (!this.countIncludePad) o.countIncludePad = false;
    if (this.divisorOverride !== null) o.divisorOverride = this.divisorOverride;
    return o;
  }
}
