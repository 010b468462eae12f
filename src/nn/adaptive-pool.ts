import { adaptiveAvgPool2dBackward, adaptiveAvgPool2dForward, type AdaptivePoolGeometry } from '../backend/ops-pool.js';
import { StateError, ValueError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { checkGradOutput, checkNumber } from '../validate.js';
import { Workspace } from '../workspace.js';
import { MAX_DIM, checkImageInput } from './layer-args.js';
import { Module } from './module.js';

/** An adaptive pool's output size: one number for both sides, or [height, width] where null keeps the input's size. */
export type AdaptiveSize = number | readonly [number | null, number | null];

/**
 * 2-D adaptive average pooling, after torch.nn.AdaptiveAvgPool2d: the output has a fixed size
 * whatever the input's, output row oy averaging input rows [⌊oy·H/OH⌋, ⌈(oy + 1)·H/OH⌉) (columns
 * likewise; neighbouring windows overlap by one when OH does not divide H). `new
 * AdaptiveAvgPool2d(1)` is global average pooling.
 *
 * Shape: [N, C, H, W] → [N, C, OH, OW].
 *
 * @example
 * const gap = new AdaptiveAvgPool2d(1);
 * gap.forward(Tensor.zeros([8, 16, 7, 7])).shape;            // [8, 16, 1, 1]
 */
export class AdaptiveAvgPool2d extends Module {
  static override readonly typeName: string = 'AdaptiveAvgPool2d';
  /** The output size as given (torch's output_size). */
  readonly outputSize: number | readonly [number | null, number | null];
  private readonly output: Workspace;
  private readonly gradInput: Workspace;
  private input: Tensor | null = null;

  /** @internal See Module._forgetForward: backward refuses until the next forward. */
  override _forgetForward(): void {
    this.input = null;
    super._forgetForward();
  }
  private geometry: AdaptivePoolGeometry | null = null;

  constructor(outputSize: AdaptiveSize) {
    super();
    const where = 'AdaptiveAvgPool2d', rule = { integer: true, min: 1, max: MAX_DIM };
    if (Array.isArray(outputSize)) {
      if (outputSize.length !== 2) throw new ValueError(`${where}: outputSize must be a number or a pair [height, width], got an array of length ${outputSize.length}`);
      const side = (i: number): number | null => (outputSize[i] === null ? null : checkNumber(where, `outputSize[${i}]`, outputSize[i], rule));
      this.outputSize = Object.freeze([side(0), side(1)] as const);
    } else {
      this.outputSize = checkNumber(where, 'outputSize', outputSize, rule);
    }
    this.output = this.registerWorkspace(new Workspace(`${where}.forward`));
    this.gradInput = this.registerWorkspace(new Workspace(`${where}.backward`));
  }

  forward(input: Tensor): Tensor {
    this.input = null; // a rejected forward leaves nothing for backward to use
    this.checkUsable('forward');
    const x = checkImageInput('AdaptiveAvgPool2d.forward', input, null);
    this.output.checkNotHeld('AdaptiveAvgPool2d.forward', x);
    const g = this.geometryFor(x.shape);
    const y = this.output.next([x.shape[0]!, x.shape[1]!, g.OH, g.OW]);
    adaptiveAvgPool2dForward(x, y, g);
    this.input = x;
    this.geometry = g;
    return y;
  }

  /** The geometry of an [N, C, H, W] input: the last one while the input shape repeats (no object per step). */
  private geometryFor(shape: readonly number[]): AdaptivePoolGeometry {
    const [N, C, H, W] = shape as [number, number, number, number], last = this.geometry;
    if (last && last.planes === N * C && last.H === H && last.W === W) return last;
    const s = this.outputSize;
    const OH = typeof s === 'number' ? s : s[0] ?? H, OW = typeof s === 'number' ? s : s[1] ?? W;
    return { planes: N * C, H, W, OH, OW };
  }

  backward(gradOutput: Tensor): Tensor {
    this._checkBackwardReady('backward');
    const input = this.input!, g = this.geometry!;
    checkGradOutput('AdaptiveAvgPool2d.backward', gradOutput, [input.shape[0]!, input.shape[1]!, g.OH, g.OW]);
    const dx = this.gradInput.next(input.shape);
    adaptiveAvgPool2dBackward(gradOutput, dx, g);
    return dx;
  }

  override _checkBackwardReady(where: string): void {
    super._checkBackwardReady(where);
    if (!this.input || !this.geometry) throw new StateError(`AdaptiveAvgPool2d.${where}: called before a successful forward()`);
    this.input._check(`AdaptiveAvgPool2d.${where}: the input of the last forward()`);
  }

  static override parameterCount(): number {
    return 0;
  }

  override extraRepr(): string {
    const s = this.outputSize;
    return `output_size=${typeof s === 'number' ? s : `(${s.map((v) => (v === null ? 'None' : String(v))).join(', ')})`}`;
  }

  /** Constructor arguments that rebuild this layer. */
  override toConfig(): { args: [number | [number | null, number | null]] } {
    const s = this.outputSize;
    return { args: [typeof s === 'number' ? s : [s[0], s[1]]] };
  }
}
