import { conv2dBackward, conv2dForward, scratchSize, type ConvGeometry } from '../backend/ops-conv.js';
import { ShapeError, StateError, ValueError, formatShape } from '../errors.js';
import { defaultGenerator, type Generator } from '../random.js';
import type { Tensor } from '../tensor.js';
import { checkBoolean, checkGenerator, checkGradOutput, checkNumber, checkOptions } from '../validate.js';
import { Workspace } from '../workspace.js';
import * as init from './init.js';
import { MAX_DIM, asGiven, checkImageInput, checkPair, pyRepr, windowOut, type Size2 } from './layer-args.js';
import { optionsArg, type JsonValue } from './config.js';
import { Module } from './module.js';
import { Parameter } from './parameter.js';
import { resolvePaddingMode, type PaddingMode } from './same-padding.js';

/** Options of Conv2d (torch.nn.Conv2d's keyword arguments; `padding_mode` only as its default). */
export interface Conv2dOptions {
  /** torch's padding_mode: only its default 'zeros' is accepted (any other is refused, saying so). */
  paddingMode?: 'zeros';
  /** Step of the window, one number or [height, width]. Default 1. */
  stride?: Size2;
  /**
   * Zeros added on each side, one number or [height, width]; or torch's 'valid' (none) or 'same'
   * (stride 1 only: the output keeps the input's size; with an even total padding the odd zero
   * goes to the bottom / right, as torch). Default 0.
   */
  padding?: Size2 | PaddingMode;
  /** Spacing between kernel taps, one number or [height, width]. Default 1. */
  dilation?: Size2;
  /**
   * Blocked connections (torch's `groups`): input and output channels split into this many groups,
   * each output channel seeing only its group's inChannels / groups input channels; `groups =
   * inChannels` is a depthwise convolution. Must divide both channel counts. Default 1.
   */
  groups?: number;
  /** Learn an additive bias per output channel. Default true. */
  bias?: boolean;
  /** Generator for the initial weights. Default: the generator seeded by manualSeed(). */
  generator?: Generator;
}

/**
 * 2-D convolution over NCHW images, after torch.nn.Conv2d (cross-correlation, as torch):
 * y[n, o] = bias[o] + Σ_c weight[o, c] ⋆ x[n, c], the sum over the input channels of o's group.
 *
 * Shape: input [N, inChannels, H, W] → output [N, outChannels, OH, OW] with
 * OH = ⌊(H + 2·padding − dilation·(kernel − 1) − 1) / stride⌋ + 1 (OW likewise); weight
 * [outChannels, inChannels / groups, kh, kw]; bias [outChannels].
 * Init (PyTorch's default): weight and bias ~ U(−1/√fanIn, 1/√fanIn), fanIn = (inChannels / groups)·kh·kw.
 * Computed by direct SIMD kernels or im2col + the packed GEMM, chosen per pass (see docs/ARCHITECTURE.md).
 *
 * @example
 * const conv = new Conv2d(1, 6, 5, { padding: 2 });
 * const y = conv.forward(Tensor.zeros([64, 1, 28, 28]));   // shape [64, 6, 28, 28]
 */
export class Conv2d extends Module {
  static override readonly typeName: string = 'Conv2d';
  /** The learnable weight [outChannels, inChannels / groups, kh, kw] (torch's `weight`). */
  readonly weight: Parameter;
  /** The learnable bias [outChannels], or null when created with `bias: false`. */
  readonly bias: Parameter | null;
  /** The `kernelSize` given to the constructor (or its default): torch's `kernel_size`. */
  readonly kernelSize: readonly [number, number];
  /** The `stride` given to the constructor (or its default): torch's `stride`. */
  readonly stride: readonly [number, number];
  /** The `padding` given to the constructor (or its default): torch's `padding`. */
  readonly padding: readonly [number, number];
  /** The `dilation` given to the constructor (or its default): torch's `dilation`. */
  readonly dilation: readonly [number, number];
  /** Channel groups (torch's `groups`); 1 = an ordinary convolution. */
  readonly groups: number;
  private readonly args: { kernelSize: Size2; stride: Size2; padding: Size2 | PaddingMode; dilation: Size2 };
  /**
   * 'same' padding's odd bottom / right zero (even kernels), [0, 0] otherwise: the kernels take
   * it through the output size (their PH / PW are the top / left padding).
   */
  private readonly extra: readonly [number, number] = [0, 0];
  private readonly output: Workspace;
  private readonly gradInput: Workspace;
  private readonly col: Workspace;
  private input: Tensor | null = null;

  /** @internal See Module._forgetForward: backward refuses until the next forward. */
  override _forgetForward(): void {
    this.input = null;
    super._forgetForward();
  }
  private geometry: ConvGeometry | null = null;

  constructor(
    /** The input channel count (torch's `in_channels`). */
    readonly inChannels: number,
    /** The output channel count (torch's `out_channels`). */
    readonly outChannels: number,
    kernelSize: Size2,
    options: Conv2dOptions = {},
  ) {
    super();
    const where = 'Conv2d';
    checkNumber(where, 'inChannels', inChannels, { integer: true, min: 1, max: MAX_DIM });
    checkNumber(where, 'outChannels', outChannels, { integer: true, min: 1, max: MAX_DIM });
    checkOptions(where, options, ['stride', 'padding', 'dilation', 'groups', 'bias', 'generator'], {
      paddingMode: { torchDefault: 'zeros', reason: "wasmnn pads with zeros only ('reflect', 'replicate' and 'circular' are not offered)" },
    });
    const groups = checkNumber(where, 'groups', options.groups ?? 1, { integer: true, min: 1, max: MAX_DIM });
    if (inChannels % groups !== 0) throw new ValueError(`${where}: inChannels must be divisible by groups (${groups}), got ${inChannels}`);
    if (outChannels % groups !== 0) throw new ValueError(`${where}: outChannels must be divisible by groups (${groups}), got ${outChannels}`);
    this.kernelSize = checkPair(where, 'kernelSize', kernelSize, 1);
    this.stride = checkPair(where, 'stride', options.stride ?? 1, 1);
    this.dilation = checkPair(where, 'dilation', options.dilation ?? 1, 1);
    if (typeof options.padding === 'string' && options.padding !== 'same' && options.padding !== 'valid') {
      throw new ValueError(`${where}: padding must be a number, a pair [height, width], 'same' or 'valid', got '${options.padding}'`);
    }
    const mode = options.padding === 'same' || options.padding === 'valid' ? options.padding : null;
    const resolved = mode ? resolvePaddingMode(where, mode, this.kernelSize, this.stride, this.dilation) : null;
    this.padding = resolved ? resolved.padding : checkPair(where, 'padding', options.padding ?? 0, 0);
    const useBias = checkBoolean(where, 'bias', options.bias ?? true);
    const generator = checkGenerator<Generator>(where, 'generator', options.generator ?? defaultGenerator);
    const weights = outChannels * (inChannels / groups) * this.kernelSize[0] * this.kernelSize[1];
    if (weights > 2 ** 28) throw new ValueError(`${where}: the weight would have ${weights} elements (at most 2^28 fit in memory)`);
    this.args = {
      kernelSize: asGiven(kernelSize), stride: asGiven(options.stride ?? 1),
      padding: mode ?? asGiven((options.padding ?? 0) as Size2), dilation: asGiven(options.dilation ?? 1),
    };
    this.groups = groups;
    const name = `Conv2d(${inChannels}, ${outChannels})`;
    this.weight = this.registerParameter('weight', new Parameter([outChannels, inChannels / groups, ...this.kernelSize], name));
    this.bias = useBias ? this.registerParameter('bias', new Parameter([outChannels], name)) : null;
    this.output = this.registerWorkspace(new Workspace(`${name}.forward`));
    this.gradInput = this.registerWorkspace(new Workspace(`${name}.backward`));
    this.col = this.registerWorkspace(new Workspace(`${name} (im2col scratch)`));
    if (resolved) this.extra = resolved.extra;
    this.resetParameters(generator);
  }

  /** Re-draws weight and bias with PyTorch's default initialisation. */
  resetParameters(generator: Generator = defaultGenerator): void {
    checkGenerator('Conv2d.resetParameters', 'generator', generator);
    // kaiming_uniform_(a=√5) reduces to U(-1/√fanIn, 1/√fanIn).
    init.kaimingUniform(this.weight, { a: Math.sqrt(5), generator });
    if (this.bias) {
      const bound = 1 / Math.sqrt((this.inChannels / this.groups) * this.kernelSize[0] * this.kernelSize[1]);
      init.uniform(this.bias, -bound, bound, generator);
    }
  }

  forward(input: Tensor): Tensor {
    this.input = null; // a rejected forward leaves nothing for backward to use
    this.checkUsable('forward');
    const x = checkImageInput('Conv2d.forward', input, this.inChannels);
    this.output.checkNotHeld('Conv2d.forward', x);
    const [N, C, H, W] = x.shape as [number, number, number, number];
    const [KH, KW] = this.kernelSize, [SH, SW] = this.stride, [PH, PW] = this.padding, [DH, DW] = this.dilation;
    // 'same' with an even total padding: the odd zero at the bottom / right, as extra input rows / columns.
    const OH = windowOut(H + this.extra[0], KH, SH, PH, DH), OW = windowOut(W + this.extra[1], KW, SW, PW, DW);
    if (OH < 1 || OW < 1) {
      throw new ShapeError(`Conv2d.forward: input ${formatShape(x.shape)} is too small: a ${KH}×${KW} kernel with padding ` +
        `${pyRepr([PH, PW])}, dilation ${pyRepr([DH, DW])} and stride ${pyRepr([SH, SW])} needs height ≥ ${DH * (KH - 1) + 1 - 2 * PH} ` +
        `and width ≥ ${DW * (KW - 1) + 1 - 2 * PW} (output would be ${OH}×${OW})`);
    }
    // The same geometry object while the input shape stays: ops-conv keeps its sizes and methods with it.
    const last = this.geometry;
    const g: ConvGeometry = last && last.N === N && last.H === H && last.W === W ? last
      : { N, C, H, W, O: this.outChannels, KH, KW, SH, SW, PH, PW, DH, DW, OH, OW, G: this.groups };
    const y = this.output.next([N, this.outChannels, OH, OW]);
    const col = this.col.next([scratchSize(g, 'forward')]);
    conv2dForward(x, this.weight, this.bias, y, col, g);
    this.input = x;
    this.geometry = g;
    return y;
  }

  backward(gradOutput: Tensor): Tensor {
    return this.runBackward('backward', gradOutput, true)!;
  }

  /** The weight and bias gradients of backward(), without computing the input gradient. */
  override backwardParameters(gradOutput: Tensor): void {
    this.runBackward('backwardParameters', gradOutput, false);
  }

  private runBackward(where: string, gradOutput: Tensor, inputGrad: boolean): Tensor | null {
    const input = this.input, g = this.geometry;
    if (!input || !g) throw new StateError(`Conv2d.${where}: called before a successful forward()`);
    this._checkBackwardReady(where);
    checkGradOutput(`Conv2d.${where}`, gradOutput, [g.N, g.O, g.OH, g.OW]);
    const dx = inputGrad ? this.gradInput.next(input.shape) : null;
    const col = this.col.next([scratchSize(g)]);
    conv2dBackward(input, this.weight, gradOutput, this.weight.grad, this.bias?.grad ?? null, dx, col, g);
    return dx;
  }

  override _checkBackwardReady(where: string): void {
    super._checkBackwardReady(where);
    if (!this.input) throw new StateError(`Conv2d.${where}: called before a successful forward()`);
    this.input._check(`Conv2d.${where}: the input of the last forward()`);
  }

  override extraRepr(): string {
    // torch's repr shows the pairs: Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2))
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${pyRepr(this.kernelSize)}, stride=${pyRepr(this.stride)}`;
    if (typeof this.args.padding === 'string') s += `, padding=${this.args.padding}`;
    else if (this.padding[0] || this.padding[1]) s += `, padding=${pyRepr(this.padding)}`;
    if (this.dilation[0] !== 1 || this.dilation[1] !== 1) s += `, dilation=${pyRepr(this.dilation)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (!this.bias) s += ', bias=False';
    return s;
  }

  /**
   * out·(in / groups)·kh·kw (+ out with a bias), read from toConfig() arguments without building
   * the layer (loadModel compares it with the file first); undefined for arguments the
   * constructor refuses anyway.
   */
  static override parameterCount(args: readonly JsonValue[]): number | undefined {
    if (!Array.isArray(args)) return undefined;
    const [inC, outC, kernel, options] = args;
    const k = typeof kernel === 'number' ? [kernel, kernel] : Array.isArray(kernel) && kernel.length === 2 ? kernel : null;
    const o = optionsArg(options);
    const groups = o.groups === undefined ? 1 : o.groups;
    const counts = [inC, outC, groups, k?.[0], k?.[1]];
    if (!counts.every((n) => Number.isInteger(n) && (n as number) >= 1)) return undefined;
    const [i, out, g, kh, kw] = counts as number[];
    if (i! % g! !== 0 || out! % g! !== 0) return undefined;
    return out! * (i! / g!) * kh! * kw! + (o.bias !== false ? out! : 0);
  }

  /** Constructor arguments that rebuild this layer (without the generator). */
  override toConfig(): { args: [number, number, number | [number, number], { stride: number | [number, number]; padding: number | [number, number] | PaddingMode; dilation: number | [number, number]; groups?: number; bias: boolean }] } {
    const a = this.args, padding = typeof a.padding === 'string' ? a.padding : asGiven(a.padding);
    // groups only when not 1, so files of ungrouped layers stay as they were.
    const groups = this.groups !== 1 ? { groups: this.groups } : {};
    return { args: [this.inChannels, this.outChannels, asGiven(a.kernelSize), { stride: asGiven(a.stride), padding, dilation: asGiven(a.dilation), ...groups, bias: this.bias !== null }] };
  }
}
