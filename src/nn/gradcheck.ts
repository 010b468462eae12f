import { ShapeError, StateError, ValueError, formatShape } from '../errors.js';
import { Generator, defaultGenerator } from '../random.js';
import { Tensor } from '../tensor.js';
import { checkBoolean, checkFloat32Values, checkNumber, checkOptions, checkTensor, sameShape } from '../validate.js';

import { Dropout } from './dropout.js';
import { Module } from './module.js';

/** float32's machine epsilon, 2^-23: the spacing of floats in [1, 2). */
const FLOAT32_EPSILON = 2 ** -23;

/** Where `module` and its descendants sit ("" for the module itself, "0", "1.2", …), depth first. */
function modulesOf(module: Module, path = ''): Array<[string, Module]> {
  return [[path, module], ...module.namedChildren().flatMap(([name, c]) => modulesOf(c, path ? `${path}.${name}` : name))];
}

/** The Dropout layers (subclasses included) in training mode with 0 < p < 1, their place ("Dropout(p=0.5) at '1'") and keys. */
function randomLayers(module: Module): Array<{ name: string; layer: Dropout; keys: readonly [number, number] }> {
  return modulesOf(module)
    .filter((e): e is [string, Dropout] => e[1] instanceof Dropout && e[1].training && e[1].p > 0 && e[1].p < 1)
    .map(([path, m]) => ({ name: `${m.typeName}(p=${m.p})${path ? ` at '${path}'` : ''}`, layer: m, keys: [m._key0, m._key1] as const }));
}

/** The end of the StateError for a module whose output changes between calls. */
function randomHint(random: readonly string[]): string {
  return `so finite differences cannot match backward${random.length ? `: ${random.join(', ')} ${random.length === 1 ? 'is' : 'are'} in training mode and draw a new mask each call` : ' (a random layer in training mode?)'}; ` +
    'put the module in eval() or use p = 0';
}

/**
 * Throws StateError with a hint when two forwards of the same input differ, or when a Dropout drew
 * its mask from other keys the second time (`dropouts`: as after the first forward) — two masks
 * can coincide by chance (one output: half the time), the keys of a generator that draws anew do
 * not. A Dropout whose generator repeats its keys has a fixed mask, and passes.
 */
function checkDeterministic(where: string, module: Module, first: Float32Array, second: Float32Array,
  dropouts: ReturnType<typeof randomLayers>): void {
  const redrawn = dropouts.filter((d) => d.layer._key0 !== d.keys[0] || d.layer._key1 !== d.keys[1]).map((d) => d.name);
  if (redrawn.length) throw new StateError(`${where}: the module's output changes between calls, ${randomHint(redrawn)}`);
  const i = first.findIndex((v, k) => !Object.is(v, second[k]));
  if (i < 0) return;
  throw new StateError(`${where}: two forwards of the same input gave different outputs (flat index ${i}: ${first[i]} then ${second[i]}), ` +
    randomHint(randomLayers(module).map((d) => d.name)));
}

/** Options of gradcheck. */
export interface GradcheckOptions {
  /**
   * Step of the central difference, relative: each value v moves by ±eps·max(1, |v|) (rounded to
   * float32; the quotient divides by the step actually taken). Default 1e-3: the forward pass
   * runs in float32, so L carries a rounding noise of about 1e-7 of its size, which the quotient
   * divides by 2·step (≈ 1e-4 measured on the built-in layers), while the truncation error of a
   * central difference, step²/6 · f''', stays near 1e-7; a small step also keeps kinks (ReLU,
   * max-pool ties) out of reach for most inputs. At least 2^-23 (float32's resolution).
   */
  eps?: number;
  /** Absolute tolerance per element. Default 1e-3 (ten times the noise above). */
  atol?: number;
  /** Relative tolerance per element. Default 1e-2. */
  rtol?: number;
  /** Also check the gradients of the module's parameters. Default true. */
  parameters?: boolean;
  /** Seed of the random weights r that make the scalar loss L = Σ r·output. Default 0. */
  seed?: number;
}

/** The worst-matching element of a gradcheck. */
export interface GradcheckElement {
  /** "input" or the parameter's name ("weight", "0.bias", …). */
  name: string;
  /** Flat index into that tensor. */
  index: number;
  /** From the module's backward. */
  analytic: number;
  /** From central differences. */
  numeric: number;
  /** |analytic − numeric| / max(|numeric|, 1e-12). */
  relativeError: number;
  /** |analytic − numeric| / (atol + rtol·|numeric|): above 1 fails. */
  ratio: number;
}

/** What gradcheck found. */
export interface GradcheckResult {
  /** True when every element is within atol + rtol·|numeric|. */
  ok: boolean;
  /** Number of gradient elements compared. */
  checked: number;
  /** The element with the largest error ratio (null when nothing was checked). */
  worst: GradcheckElement | null;
}

/**
 * Compares a module's backward with central finite differences. The module's output is reduced
 * to a scalar L = Σ r·output with fixed random r; backward(r) gives ∂L/∂input and ∂L/∂parameters,
 * and each input and parameter element is also moved by ±step and L re-evaluated by forward(),
 * the difference quotient accumulated in float64 from the float32 outputs. Runs in the module's
 * current mode (train or eval); a module whose output changes between two forwards of the same
 * input (Dropout in training mode) is refused with a StateError that says so. Parameters,
 * buffers (e.g. running statistics) and gradients are restored afterwards; the input is not modified. The inputs should avoid kinks (ReLU at 0,
 * ties in a max pool) by more than the step.
 *
 * @example
 * const layer = new Linear(3, 2);
 * const { ok, worst } = gradcheck(layer, Tensor.from([[0.1, -0.2, 0.3]]));
 */
export function gradcheck(module: Module, input: Tensor, options: GradcheckOptions = {}): GradcheckResult {
  const where = 'gradcheck';
  if (!(module instanceof Module)) throw new ValueError(`${where}: module must be a Module, got ${module === null ? 'null' : typeof module}`);
  checkTensor(where, 'input', input);
  checkOptions(where, options, ['eps', 'atol', 'rtol', 'parameters', 'seed']);
  const eps = checkNumber(where, 'eps', options.eps ?? 1e-3, { min: 0, minExclusive: true, max: 1 });
  // A step below float32's resolution rounds to no step at all: every numeric gradient 0/0.
  if (eps < FLOAT32_EPSILON) throw new ValueError(`${where}: eps must be ≥ ${FLOAT32_EPSILON} (2^-23, float32's spacing at 1: a smaller step leaves every value of magnitude ≥ 1 unchanged; larger values need a larger eps), got ${eps}`);
  const atol = checkNumber(where, 'atol', options.atol ?? 1e-3, { min: 0 });
  const rtol = checkNumber(where, 'rtol', options.rtol ?? 1e-2, { min: 0 });
  const seed = checkNumber(where, 'seed', options.seed ?? 0, { integer: true });
  const withParams = checkBoolean(where, 'parameters', options.parameters ?? true);
  if (input.size === 0) throw new ShapeError(`${where}: input ${formatShape(input.shape)} is empty`);
  // Non-finite values gave no answer, only ok: false with NaN figures (input), or threw from the
  // restoring loadStateDict below after the gradients had been overwritten (parameters).
  checkFloat32Values(where, 'input', input._view());
  // A training-mode Dropout drawing from wasmnn's own generator (whose key pairs never repeat) is
  // refused before any forward: running the two forwards first grew the model's workspaces
  // (memory held after the refusal) and drew from the generator. Generators with another
  // nextUint32 (a fixed mask) are judged by their keys after two forwards, as before.
  const drawing = randomLayers(module).filter((d) => d.layer._generator.nextUint32 === Generator.prototype.nextUint32);
  if (drawing.length) throw new StateError(`${where}: the module's output changes between calls, ${randomHint(drawing.map((d) => d.name))}`);
  const snapshot = module.stateDict();
  for (const [key, entry] of Object.entries(snapshot)) checkFloat32Values(where, `the module's '${key}'`, entry.data);
  const params = withParams ? module.namedParameters() : [];
  const savedGrads = params.map(([, p]) => p.grad.toFloat32Array());
  const x = input.clone();
  let r: Tensor | null = null;
  // A refused check (a training-mode Dropout, a custom layer that draws) has run forward twice:
  // the generators it drew from are put back, as a rejected call changes nothing.
  const generators = [...new Set([defaultGenerator, ...randomLayers(module).map((d) => d.layer._generator)])].filter((g) => g instanceof Generator);
  const drawn = generators.map((g) => g._state());
  try {
    // Analytic gradients of L = Σ r·y.
    // A custom module's forward / backward may return anything: checked, so a null is named, not a TypeError.
    const forward = (): Tensor => checkTensor(where, "the module's forward() result", module.forward(x));
    const first = forward().toFloat32Array();
    const dropouts = randomLayers(module);
    const y0 = forward();
    checkDeterministic(where, module, first, y0.toFloat32Array(), dropouts);
    const g = new Generator(seed);
    const weights = Tensor.from(Array.from({ length: y0.size }, () => g.uniform(-1, 1)), y0.shape);
    r = weights;
    const loss = (): number => {
      const y = forward();
      if (y.size !== weights.size) throw new StateError(`${where}: the output size changed from ${weights.size} to ${y.size} between calls`);
      const yv = y._view(), rv = weights._view();
      let s = 0;
      for (let i = 0; i < yv.length; i++) s += yv[i]! * rv[i]!;
      return s;
    };
    for (const [, p] of params) p.grad.fill(0);
    const dxTensor = checkTensor(where, "the module's backward() result", module.backward(weights));
    if (!sameShape(dxTensor.shape, x.shape)) {
      throw new ShapeError(`${where}: the module's backward() returned a gradient of shape ${formatShape(dxTensor.shape)} for an input of shape ${formatShape(x.shape)}`);
    }
    const dx = dxTensor.toFloat32Array();
    const analytic = params.map(([, p]) => p.grad.toFloat32Array());

    let worst: GradcheckElement | null = null;
    let checked = 0;
    const compare = (name: string, target: Tensor, grads: Float32Array): void => {
      for (let i = 0; i < target.size; i++) {
        const v = target._view()[i]!;
        const step = eps * Math.max(1, Math.abs(v));
        const up = Math.fround(v + step), down = Math.fround(v - step);
        target._view()[i] = up;
        const lUp = loss();
        target._view()[i] = down;
        const lDown = loss();
        target._view()[i] = v;
        const numeric = (lUp - lDown) / (up - down);
        const a = grads[i]!, diff = Math.abs(a - numeric);
        const ratio = Number.isNaN(diff) ? Infinity : diff / (atol + rtol * Math.abs(numeric));
        checked++;
        if (!worst || ratio > worst.ratio) {
          worst = { name, index: i, analytic: a, numeric, relativeError: diff / Math.max(Math.abs(numeric), 1e-12), ratio };
        }
      }
    };
    compare('input', x, dx);
    params.forEach(([name, p], k) => compare(name, p, analytic[k]!));
    const result: GradcheckResult = { ok: worst === null || (worst as GradcheckElement).ratio <= 1, checked, worst };
    return result;
  } catch (e) {
    generators.forEach((g, i) => g._setState(drawn[i]!));
    throw e;
  } finally {
    x.dispose();
    r?.dispose();
    module.loadStateDict(snapshot);
    params.forEach(([, p], k) => p.grad.set(savedGrads[k]!));
  }
}
