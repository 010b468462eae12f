// The plots of `wasmnn train`, drawn as the classic reports drew them: every round's learning
// curves with their mean ± std band (accuracy beside loss), the decision boundary, and the
// prediction beside the ground truth. Vega-Lite specs rendered to SVG by Vega and to PNG by
// resvg; loaded only by the command (never by the library).
import { join } from 'node:path';
import { DISK_RADIUS, Tensor, predict, type History } from '../index.js';
import { outputActivation, outputUnits, type RoundResult } from './experiment.js';
import type { TrainConfig } from './options.js';
import { DATASETS } from './registry.js';
import { writeFileAtomically } from './output.js';
import { isImageDataset, layerSpec } from './image-experiment.js';

type Spec = Record<string, unknown>;
const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const CONFIG = { font: 'DejaVu Sans, Arial, sans-serif', view: { stroke: '#ccc' }, axis: { gridColor: '#eee' }, background: 'white' };
const SPLIT_COLORS = { domain: ['train', 'test'], range: ['#1f77b4', '#e4572e'] };
/** Points per curve at most (after the first 100 epochs): longer runs are thinned to every k-th epoch (the last one kept). */
const MAX_POINTS = 400;

/** Curve rows of every round plus mean and std per epoch (over the rounds still running). */
/** What the learning curves need of a round. */
export interface CurveRound {
  seed: number;
  history: History;
}

function curveRows(results: CurveRound[], withTest: boolean): { lines: Spec[]; bands: Spec[] } {
  const longest = Math.max(...results.map((r) => r.history.epochs.length));
  const stride = Math.max(1, Math.ceil(longest / MAX_POINTS));
  const keep = (epoch: number, last: number): boolean => epoch <= 100 || epoch % stride === 0 || epoch === last;
  const series: Array<[string, string, 'loss' | 'accuracy' | 'valLoss' | 'valAccuracy']> = [['loss', 'train', 'loss'], ['accuracy', 'train', 'accuracy']];
  if (withTest) series.push(['loss', 'test', 'valLoss'], ['accuracy', 'test', 'valAccuracy']);
  const lines: Spec[] = [], bands: Spec[] = [];
  for (const [metric, split, key] of series) {
    for (const r of results) {
      const last = r.history.epochs.length;
      for (const e of r.history.epochs) {
        const value = e[key];
        if (keep(e.epoch, last) && value !== undefined && Number.isFinite(value)) lines.push({ seed: r.seed, epoch: e.epoch, metric, split, value });
      }
    }
    if (results.length < 2) continue;
    for (let epoch = 1; epoch <= longest; epoch++) {
      if (!keep(epoch, longest)) continue;
      // a round that stopped early counts with its last value (where it stopped)
      const values = results.map((r) => (r.history.epochs[epoch - 1] ?? r.history.last)?.[key]).filter((v): v is number => v !== undefined && Number.isFinite(v));
      if (values.length < 2) continue;
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1));
      const [lo, hi] = metric === 'accuracy' ? [Math.max(0, mean - std), Math.min(1, mean + std)] : [mean - std, mean + std];
      bands.push({ epoch, metric, split, mean, lo, hi });
    }
  }
  return { lines, bands };
}

/**
 * Loss and accuracy per epoch, side by side: one thin line per round, and with several rounds
 * their mean (bold) and mean ± std (band). `sameTestSet`: the test set is the training set, so
 * only one curve per round is drawn and the subtitle says so.
 */
export function learningCurvesSpec(results: CurveRound[], title: string, sameTestSet: boolean): Spec {
  const { lines, bands } = curveRows(results, !sameTestSet);
  // long runs (report 001: up to 30 000 epochs) on a log axis, so that the first hundred epochs show
  const longest = Math.max(...results.map((r) => r.history.epochs.length));
  const x = { field: 'epoch', type: 'quantitative', title: longest > 2000 ? 'epoch (log scale)' : 'epoch', ...(longest > 2000 ? { scale: { type: 'log', domain: [1, longest], nice: false } } : {}) };
  const color = { field: 'split', type: 'nominal', title: null, scale: sameTestSet ? { domain: ['train'], range: [SPLIT_COLORS.range[0]] } : SPLIT_COLORS };
  const panel = (metric: string): Spec => {
    const filter = [{ filter: `datum.metric === '${metric}'` }];
    const layers: Spec[] = [{
      data: { values: lines }, transform: filter,
      mark: { type: 'line', strokeWidth: results.length > 1 ? 0.8 : 2, opacity: results.length > 1 ? 0.35 : 1 },
      encoding: { x, y: { field: 'value', type: 'quantitative', title: metric, scale: { zero: false } }, color, detail: { field: 'seed', type: 'nominal' } },
    }];
    if (bands.length > 0) {
      layers.unshift({ data: { values: bands }, transform: filter, mark: { type: 'area', opacity: 0.18 }, encoding: { x, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, color } });
      layers.push({ data: { values: bands }, transform: filter, mark: { type: 'line', strokeWidth: 2.2 }, encoding: { x, y: { field: 'mean', type: 'quantitative' }, color } });
    }
    return { width: 380, height: 260, title: metric, layer: layers };
  };
  const stopped = results.some((r) => r.history.epochs.length < Math.max(...results.map((q) => q.history.epochs.length)));
  const rounds = results.length > 1
    ? `${results.length} rounds (seeds ${results[0]!.seed}–${results[results.length - 1]!.seed}): thin lines, bold mean, band mean ± std${stopped ? ' (a stopped round counts with its last value)' : ''}`
    : `seed ${results[0]!.seed}`;
  const subtitle = sameTestSet ? [rounds, 'the test set is the training set (its fixed points), so only the training curves are drawn'] : rounds;
  // regression histories have no accuracy: only the panels with data
  const metrics = ['accuracy', 'loss'].filter((m) => lines.some((r) => r.metric === m));
  return { $schema: SCHEMA, title: { text: title, subtitle }, hconcat: metrics.map(panel), config: CONFIG };
}

/** How to read a model's output row as a class score, and what to call it. */
interface Readout {
  label: string;
  domain: [number, number];
  midpoint: number;
  score: (out: Float32Array, row: number) => number;
}

/**
 * The plotted score: a probability only where the model outputs one (cross-entropy logits through
 * softmax, a sigmoid output trained with BCE, BCE logits); a regression output (MSE, MAE, Huber)
 * is shown as itself, never through a softmax.
 */
export function readout(config: TrainConfig): Readout {
  const width = outputUnits(config);
  const clip = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));
  if (config.loss === 'ce') return { label: 'P(class 1) (softmax)', domain: [0, 1], midpoint: 0.5, score: (o, r) => 1 / (1 + Math.exp(o[r * 2]! - o[r * 2 + 1]!)) };
  if (config.loss === 'bce_logits') return { label: 'P(class 1) (sigmoid of the logit)', domain: [0, 1], midpoint: 0.5, score: (o, r) => 1 / (1 + Math.exp(-o[r]!)) };
  if (config.loss === 'bce') return { label: 'P(class 1) (sigmoid output)', domain: [0, 1], midpoint: 0.5, score: (o, r) => clip(o[r]!, 0, 1) };
  if (width >= 2) return { label: 'y₁ − y₀ (class 1 where > 0)', domain: [-1, 1], midpoint: 0, score: (o, r) => clip(o[r * width + 1]! - o[r * width]!, -1, 1) };
  const out = outputActivation(config);
  return { label: `output y${out === 'none' ? '' : ` (${out})`} (class 1 where > 0.5)`, domain: [0, 1], midpoint: 0.5, score: (o, r) => clip(o[r]!, 0, 1) };
}

/** Test points with their true and predicted classes. */
function classified(result: RoundResult): Array<{ x: number; y: number; label: string; predicted: string; mistake: boolean }> {
  const { test } = result.data;
  const xs = test.x.toFloat32Array(), labels = test.y.toFloat32Array();
  const out = predict(result.model, test.x);
  const o = out.toFloat32Array(), width = out.size / labels.length;
  const points = [];
  for (let i = 0; i < labels.length; i++) {
    const cls = width >= 2 ? (o[i * width + 1]! > o[i * width]! ? 1 : 0) : o[i]! > result.threshold ? 1 : 0;
    points.push({ x: xs[2 * i]!, y: xs[2 * i + 1]!, label: String(labels[i]), predicted: String(cls), mistake: cls !== labels[i] });
  }
  out.dispose();
  return points;
}

/** The model's score over a grid of the input square, test points on top, mistakes crossed. */
export function decisionBoundarySpec(result: RoundResult, config: TrainConfig, title: string, cells = 60): Spec {
  const points = classified(result);
  const lo = Math.min(0, ...points.flatMap((p) => [p.x, p.y])) - 0.02, hi = Math.max(1, ...points.flatMap((p) => [p.x, p.y])) + 0.02;
  const step = (hi - lo) / cells;
  const grid = new Float32Array(cells * cells * 2);
  for (let i = 0; i < cells; i++) {
    for (let j = 0; j < cells; j++) {
      grid[2 * (i * cells + j)] = lo + (j + 0.5) * step;
      grid[2 * (i * cells + j) + 1] = lo + (i + 0.5) * step;
    }
  }
  const gridT = Tensor.from(grid, [cells * cells, 2]);
  const out = predict(result.model, gridT);
  const read = readout(config), o = out.toFloat32Array();
  const heat = [];
  for (let k = 0; k < cells * cells; k++) {
    const x = grid[2 * k]!, y = grid[2 * k + 1]!;
    heat.push({ x0: x - step / 2, x1: x + step / 2, y0: y - step / 2, y1: y + step / 2, p: read.score(o, k) });
  }
  gridT.dispose();
  out.dispose();
  const scale = { domain: [lo, hi], nice: false, zero: false };
  const xy = { x: { field: 'x', type: 'quantitative', scale }, y: { field: 'y', type: 'quantitative', scale } };
  const layers: Spec[] = [
    {
      data: { values: heat }, mark: { type: 'rect' },
      encoding: {
        x: { field: 'x0', type: 'quantitative', scale, title: 'x₁' }, x2: { field: 'x1' },
        y: { field: 'y0', type: 'quantitative', scale, title: 'x₂' }, y2: { field: 'y1' },
        color: { field: 'p', type: 'quantitative', title: read.label, legend: { titleLimit: 320 }, scale: { domain: [read.domain[0], read.midpoint, read.domain[1]], range: ['#9ecae1', '#ffffff', '#fdae6b'] } },
      },
    },
    {
      data: { values: points }, mark: { type: 'circle', size: 22, stroke: '#333', strokeWidth: 0.4, opacity: 0.95 },
      encoding: { ...xy, fill: { field: 'label', type: 'nominal', title: 'true label', scale: { domain: ['0', '1'], range: ['#08519c', '#d94801'] } } },
    },
    { data: { values: points.filter((p) => p.mistake) }, mark: { type: 'point', shape: 'cross', size: 70, color: 'black', filled: true }, encoding: xy },
  ];
  if (config.dataset === 'disk') {
    // The true class boundary, dashed.
    const circle = Array.from({ length: 121 }, (_, k) => ({ k, x: 0.5 + DISK_RADIUS * Math.cos((k / 120) * 2 * Math.PI), y: 0.5 + DISK_RADIUS * Math.sin((k / 120) * 2 * Math.PI) }));
    layers.push({ data: { values: circle }, mark: { type: 'line', strokeDash: [4, 3], color: '#444', strokeWidth: 1 }, encoding: { ...xy, order: { field: 'k' } } });
  }
  const which = DATASETS[config.dataset]?.fixed ? 'training points (= the test set)' : 'test points';
  return {
    $schema: SCHEMA, width: 440, height: 440,
    title: { text: title, subtitle: `${which} coloured by true label; ✕ = misclassified (${points.filter((p) => p.mistake).length} of ${points.length})` },
    layer: layers, resolve: { scale: { color: 'independent', fill: 'independent' } }, config: CONFIG,
  };
}

/** Ground truth beside prediction on the test points (report 004's comparison figure). */
export function comparisonSpec(result: RoundResult, config: TrainConfig, title: string): Spec {
  const points = classified(result);
  const color = { type: 'nominal', title: 'class', scale: { domain: ['0', '1'], range: ['#d62728', '#1f77b4'] } };
  const panel = (field: 'label' | 'predicted', name: string): Spec => ({
    width: 300, height: 300, title: name, data: { values: points }, mark: { type: 'circle', size: 40, opacity: 0.9 },
    encoding: { x: { field: 'x', type: 'quantitative', title: 'x₁' }, y: { field: 'y', type: 'quantitative', title: 'x₂' }, color: { field, ...color } },
  });
  const errors = points.filter((p) => p.mistake).length;
  const which = DATASETS[config.dataset]?.fixed ? 'the training points (= the test set)' : 'the test points';
  return {
    $schema: SCHEMA, title: { text: title, subtitle: `${which}; ${errors} of ${points.length} predicted wrongly` },
    hconcat: [panel('label', 'Ground truth'), panel('predicted', 'Predict result')], config: CONFIG,
  };
}

/** Renders a Vega-Lite spec to `<base>.svg` and `<base>.png`; returns the two paths. */
export async function writeSpec(spec: Spec, dir: string, base: string): Promise<string[]> {
  const [vega, vl, { Resvg }] = await Promise.all([import('vega'), import('vega-lite'), import('@resvg/resvg-js')]);
  const view = new vega.View(vega.parse(vl.compile(spec as never).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  const png = new Resvg(svg, { fitTo: { mode: 'zoom', value: 2 }, font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } }).render().asPng();
  const svgPath = join(dir, `${base}.svg`), pngPath = join(dir, `${base}.png`);
  writeFileAtomically(svgPath, svg);
  writeFileAtomically(pngPath, png);
  return [svgPath, pngPath];
}

/** Writes learning-curve (all rounds), decision-boundary and comparison (first round) plots. */
export async function writePlots(config: TrainConfig, results: RoundResult[], dir: string): Promise<string[]> {
  if (isImageDataset(config.dataset)) {
    // Images have no 2-D decision boundary or point comparison: the learning curves only.
    const title = `${config.dataset}: ${layerSpec(config)}, ${config.optim} lr ${config.lr}`;
    return writeSpec(learningCurvesSpec(results, title, false), dir, 'learning-curve');
  }
  const first = results[0]!;
  const act = config.activationScale === 1 ? config.activation : `${config.activation}(${config.activationScale}x)`;
  const title = `${config.dataset}: ${[2, ...config.hidden, outputUnits(config)].join('-')} ${act}, ${config.loss}, ${config.optim} lr ${config.lr}, batch ${config.batchSize}, init ${config.init}`;
  const files = await writeSpec(learningCurvesSpec(results, title, Boolean(DATASETS[config.dataset]?.fixed)), dir, 'learning-curve');
  files.push(...await writeSpec(decisionBoundarySpec(first, config, `${title}, seed ${first.seed}`), dir, 'decision-boundary'));
  files.push(...await writeSpec(comparisonSpec(first, config, `${title}, seed ${first.seed}`), dir, 'comparison'));
  return files;
}
