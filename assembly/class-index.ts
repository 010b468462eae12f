// Class-index losses — CrossEntropyLoss on logits and NLLLoss on log-probabilities, with torch's
// options — in one kernel family: per-class weights w, an ignored target value, label smoothing ε.
//
// logits / input / grad: [rows, cols] float32. targets: rows float32 class indices; a row whose
// target equals `ignore` adds nothing (loss 0, gradient row 0). weight: cols floats, read only
// when hasWeight = 1 (otherwise every w_c = 1).
// Every kernel first checks all its targets and sums D = Σ w[t_r] over the rows not ignored
// (torch's weighted-mean denominator; the count of rows kept without weights). A target that is
// neither `ignore` nor an integer in [0, min(cols, 2^23)) returns NaN before anything is written. `out`,
// when not 0, receives D as one f32 (NaN for a bad target), so the caller learns the count from
// the same call. mean = 1 divides the loss and the gradient by D (D = 0: NaN, torch's 0/0, with
// the gradient unwritten); mean = 0 multiplies them by `scale` (1 for 'sum', or 1/D of the whole
// batch when the caller splits the rows in chunks: classIndexWeightSum gives that D).
// Values are accumulated in float64; gradients are float32.
import { loadPartial, storePartial, partialMask, sumLanes } from "./simdmath";
import { softmaxRow } from "./softmax-row";

// @ts-ignore: decorator
@inline function at(ptr: usize, i: i32): usize { return ptr + (<usize>i << 2); }

/** Classes at most: a class index then converts exactly by one float add (see classOf). */
const MAX_CLASSES: f32 = 8388608; // 2^23

/**
 * The integer value of a checked class index tf in [0, 2^23): tf + 2^23 puts it in the low
 * mantissa bits. Not <i32>tf: V8 compiles that i32.trunc_sat_f32_s to a roundss merging into a
 * stale register, a false dependency that chained the rows' loads (2–5× slower row loops).
 */
// @ts-ignore: decorator
@inline function classOf(tf: f32): i32 { return reinterpret<i32>(tf + MAX_CLASSES) - 0x4B000000; }

/** Writes n zeros from ptr (SIMD stores: V8's memory.fill is a call out of the module, slower for these sizes). */
// @ts-ignore: decorator
@inline function zero(ptr: usize, n: i32): void {
  const z = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(ptr, i), z);
  for (; i < n; i++) store<f32>(at(ptr, i), 0);
}

/**
 * D = Σ w[t_r] over the rows not ignored (the count without weights); NaN at the first target that
 * is not a class index (nor `ignore`).
 */
function weightSum(rows: i32, cols: i32, targets: usize, weight: usize, hasWeight: i32, ignore: f32): f64 {
  let total: f64 = 0, kept = 0;
  for (let r = 0; r < rows; r++) {
    const tf = load<f32>(at(targets, r));
    if (tf == ignore) continue;
    if (!(tf >= 0 && tf < <f32>cols && tf < MAX_CLASSES && tf == Mathf.floor(tf))) return NaN;
    if (hasWeight) total += <f64>load<f32>(at(weight, classOf(tf)));
    else kept++;
  }
  return hasWeight ? total : <f64>kept;
}

/** The factor of the loss and the gradient: 1/D for mean, else `scale`; NaN for a bad target or 0/0. */
// @ts-ignore: decorator
@inline function factor(d: f64, mean: i32, scale: f32, out: usize): f32 {
  if (out != 0) store<f32>(out, <f32>d);
  if (d != d) return NaN;
  if (!mean) return scale;
  return d > 0 ? <f32>(1.0 / d) : NaN;
}

/** D = Σ w[t_r] over the rows whose target is not `ignore`; NaN for a bad target. Writes nothing. */
export function classIndexWeightSum(rows: i32, cols: i32, targets: usize, weight: usize, hasWeight: i32, ignore: f32): f64 {
  return weightSum(rows, cols, targets, weight, hasWeight, ignore);
}

/**
 * Cross-entropy on logits with class-index targets. Per row r not ignored, with p = softmax(x_r),
 * lse = log Σ e^x_r, t = t_r, W = Σ_c w_c, s the factor (1/D or scale), a = (1 − ε)·s, b = ε·s/cols:
 *   loss += a·w_t·(lse − x_t) + b·Σ_c w_c·(lse − x_c)
 *   grad_rc = (a·w_t + b·W)·p_c − a·w_t·[c = t] − b·w_c
 * One pass over each row (the softmax writes the scaled p; the smoothing term, when ε > 0, a second).
 */
export function crossEntropyIndices(
  rows: i32, cols: i32, logits: usize, targets: usize, weight: usize, hasWeight: i32, ignore: f32,
  smoothing: f32, mean: i32, scale: f32, grad: usize, out: usize,
): f64 {
  const s = factor(weightSum(rows, cols, targets, weight, hasWeight, ignore), mean, scale, out);
  if (s != s) return NaN;
  const a: f32 = (1 - smoothing) * s, b: f32 = smoothing * s / <f32>cols;
  // One copy of the row loop per case: hasWeight is a constant in each, no weight test per row.
  if (hasWeight) return crossEntropyRows(rows, cols, logits, targets, weight, 1, ignore, a, b, grad);
  return crossEntropyRows(rows, cols, logits, targets, 0, 0, ignore, a, b, grad);
}

/** The rows of crossEntropyIndices with their factors a = (1 − ε)·s and b = ε·s/cols. */
// @ts-ignore: decorator
@inline function crossEntropyRows(
  rows: i32, cols: i32, logits: usize, targets: usize, weight: usize, hasWeight: i32, ignore: f32, a: f32, b: f32, grad: usize,
): f64 {
  let W: f32 = <f32>cols;
  if (hasWeight) {
    W = 0;
    for (let c = 0; c < cols; c++) W += load<f32>(at(weight, c));
  }
  const stride = <usize>cols << 2, bW = b * W;
  let total: f64 = 0;
  for (let r = 0; r < rows; r++) {
    const x = logits + <usize>r * stride, g = grad + <usize>r * stride;
    const tf = load<f32>(at(targets, r));
    if (tf == ignore) {
      zero(g, cols);
      continue;
    }
    const t = classOf(tf);
    const aw = hasWeight ? a * load<f32>(at(weight, t)) : a;
    const lse = softmaxRow(cols, x, g, aw + bW); // g = (a·w_t + b·W)·p
    store<f32>(at(g, t), load<f32>(at(g, t)) - aw);
    total += <f64>aw * <f64>(lse - load<f32>(at(x, t)));
    if (b != 0) total += <f64>b * smoothRow(cols, x, g, weight, hasWeight, lse, b);
  }
  return total;
}

/** The label-smoothing term of one row: g_c −= b·w_c; returns Σ_c w_c·(lse − x_c). */
// @ts-ignore: decorator
@inline function smoothRow(cols: i32, x: usize, g: usize, weight: usize, hasWeight: i32, lse: f32, b: f32): f64 {
  const l = f32x4.splat(lse), bv = f32x4.splat(b), one = f32x4.splat(1);
  let total: f64 = 0;
  let c = 0;
  for (; c + 4 <= cols; c += 4) {
    const wc = hasWeight ? v128.load(at(weight, c)) : one;
    total += sumLanes(f32x4.mul(wc, f32x4.sub(l, v128.load(at(x, c)))));
    v128.store(at(g, c), f32x4.sub(v128.load(at(g, c)), f32x4.mul(bv, wc)));
  }
  if (c < cols) {
    const n = cols - c;
    const wc = hasWeight ? loadPartial(at(weight, c), n) : one;
    total += sumLanes(v128.and(f32x4.mul(wc, f32x4.sub(l, loadPartial(at(x, c), n))), partialMask(n)));
    storePartial(at(g, c), f32x4.sub(loadPartial(at(g, c), n), f32x4.mul(bv, wc)), n);
  }
  return total;
}

/**
 * NLL of log-probabilities with class-index targets, s the factor (1/D or scale):
 *   loss = −s·Σ_r w_t·x[r, t];  grad = −s·w_t at (r, t), 0 elsewhere and on ignored rows.
 */
export function nllIndices(
  rows: i32, cols: i32, input: usize, targets: usize, weight: usize, hasWeight: i32, ignore: f32,
  mean: i32, scale: f32, grad: usize, out: usize,
): f64 {
  const s = factor(weightSum(rows, cols, targets, weight, hasWeight, ignore), mean, scale, out);
  if (s != s) return NaN;
  zero(grad, rows * cols);
  if (hasWeight) return nllRows(rows, cols, input, targets, weight, 1, ignore, s, grad);
  return nllRows(rows, cols, input, targets, 0, 0, ignore, s, grad);
}

/** The rows of nllIndices (one copy per hasWeight, as crossEntropyRows): Σ w·x, scaled once at the end. */
// @ts-ignore: decorator
@inline function nllRows(rows: i32, cols: i32, input: usize, targets: usize, weight: usize, hasWeight: i32, ignore: f32, s: f32, grad: usize): f64 {
  const ns = -s;
  let total: f64 = 0;
  for (let r = 0; r < rows; r++) {
    const tf = load<f32>(at(targets, r));
    if (tf == ignore) continue;
    const k = r * cols + classOf(tf);
    if (hasWeight) {
      const wt = load<f32>(at(weight, classOf(tf)));
      total -= <f64>(wt * load<f32>(at(input, k)));
      store<f32>(at(grad, k), ns * wt);
    } else {
      total -= <f64>load<f32>(at(input, k));
      store<f32>(at(grad, k), ns);
    }
  }
  return total * <f64>s + 0; // + 0: +0, not -0, when nothing counted
}
