// Class-index losses with torch's options: per-class weights w, an ignored target value and
// label smoothing ε (CrossEntropyLoss / NLLLoss with weight, ignore_index, label_smoothing).
// The plain losses.ts kernels stay the fast path; these run only when an option is in use.
//
// targets: float32 class indices, one per row of [rows, cols]; a row whose target equals
// `ignore` adds nothing (loss 0, gradient row 0). weight: cols floats, read only when
// hasWeight = 1 (otherwise every w_c = 1). Values are accumulated in float64; gradients float32.
// The caller runs classWeightSum first: it checks every target, and its sum is the denominator
// of torch's weighted mean (Σ w[t_r] over the rows not ignored).
import { softmaxRow } from "./softmax-row";

// @ts-ignore: decorator
@inline function at(ptr: usize, i: i32): usize { return ptr + (<usize>i << 2); }

// @ts-ignore: decorator
@inline function w(weight: usize, hasWeight: i32, c: i32): f32 { return hasWeight ? load<f32>(at(weight, c)) : 1; }

/**
 * Σ w[t_r] over the rows whose target is not `ignore`; NaN when a target is neither `ignore`
 * nor an integer in [0, cols). Writes nothing.
 */
export function classWeightSum(rows: i32, cols: i32, targets: usize, weight: usize, hasWeight: i32, ignore: f32): f64 {
  let total: f64 = 0;
  for (let r = 0; r < rows; r++) {
    const tf = load<f32>(at(targets, r));
    if (tf == ignore) continue;
    if (!(tf >= 0 && tf < <f32>cols && tf == Mathf.floor(tf))) return NaN;
    total += <f64>w(weight, hasWeight, <i32>tf);
  }
  return total;
}

/**
 * Cross-entropy on logits [rows, cols] with index targets (checked by classWeightSum). Per row r
 * not ignored, with p = softmax(x_r), lse = log Σ e^x_r, t = t_r and W = Σ_c w_c:
 *   loss += a·w_t·(lse − x_t) + b·Σ_c w_c·(lse − x_c)
 *   grad_rc = a·w_t·(p_c − [c = t]) + b·(p_c·W − w_c)
 * torch: a = (1 − ε)/D, b = ε/(cols·D), D the weighted-mean denominator (1 for 'sum').
 */
export function crossEntropyWeighted(
  rows: i32, cols: i32, logits: usize, targets: usize, weight: usize, hasWeight: i32, ignore: f32,
  a: f32, b: f32, grad: usize,
): f64 {
  let W: f32 = 0;
  for (let c = 0; c < cols; c++) W += w(weight, hasWeight, c);
  let total: f64 = 0;
  for (let r = 0; r < rows; r++) {
    const x = logits + (<usize>(r * cols) << 2), g = grad + (<usize>(r * cols) << 2);
    const tf = load<f32>(at(targets, r));
    if (tf == ignore) {
      memory.fill(g, 0, <usize>cols << 2);
      continue;
    }
    const t = <i32>tf;
    const lse = softmaxRow(cols, x, g); // g holds p
    const aw = a * w(weight, hasWeight, t);
    let smooth: f64 = 0;
    for (let c = 0; c < cols; c++) {
      const wc = w(weight, hasWeight, c);
      smooth += <f64>(wc * (lse - load<f32>(at(x, c))));
      const p = load<f32>(at(g, c));
      store<f32>(at(g, c), aw * p + b * (p * W - wc));
    }
    store<f32>(at(g, t), load<f32>(at(g, t)) - aw);
    total += <f64>aw * <f64>(lse - load<f32>(at(x, t))) + <f64>b * smooth;
  }
  return total;
}

/**
 * NLL of log-probabilities [rows, cols] with index targets (checked by classWeightSum):
 * loss = −scale·Σ_r w_t·x[r, t]; grad = −scale·w_t at (r, t), 0 elsewhere and on ignored rows.
 */
export function nllWeighted(
  rows: i32, cols: i32, input: usize, targets: usize, weight: usize, hasWeight: i32, ignore: f32,
  scale: f32, grad: usize,
): f64 {
  memory.fill(grad, 0, <usize>(rows * cols) << 2);
  let total: f64 = 0;
  for (let r = 0; r < rows; r++) {
    const tf = load<f32>(at(targets, r));
    if (tf == ignore) continue;
    const k = r * cols + <i32>tf;
    const wt = w(weight, hasWeight, <i32>tf);
    total -= <f64>(wt * load<f32>(at(input, k)));
    store<f32>(at(grad, k), -scale * wt);
  }
  return total * <f64>scale;
}

/**
 * Cross-entropy on logits [rows, cols] with probability targets, class weights and label
 * smoothing: t'_c = (1 − ε)·t_c + ε/cols; loss = scale·Σ_r Σ_c w_c·t'_c·(lse − x_c);
 * grad_rc = scale·(p_c·Σ_j w_j·t'_j − w_c·t'_c). (torch's mean divides by the rows: scale = 1/rows.)
 */
export function crossEntropySoftWeighted(
  rows: i32, cols: i32, logits: usize, targets: usize, weight: usize, hasWeight: i32, smoothing: f32,
  scale: f32, grad: usize,
): f64 {
  const keep: f32 = 1 - smoothing, spread: f32 = smoothing / <f32>cols;
  let total: f64 = 0;
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    const x = logits + (<usize>o << 2), g = grad + (<usize>o << 2), t = targets + (<usize>o << 2);
    const lse = softmaxRow(cols, x, g);
    let mass: f32 = 0;
    for (let c = 0; c < cols; c++) {
      const wt = w(weight, hasWeight, c) * (keep * load<f32>(at(t, c)) + spread);
      mass += wt;
      total += <f64>(wt * (lse - load<f32>(at(x, c))));
    }
    for (let c = 0; c < cols; c++) {
      const wt = w(weight, hasWeight, c) * (keep * load<f32>(at(t, c)) + spread);
      store<f32>(at(g, c), (load<f32>(at(g, c)) * mass - wt) * scale);
    }
  }
  return total * <f64>scale;
}
