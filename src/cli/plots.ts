// Learning-curve and decision-boundary plots: Vega-Lite specs rendered to SVG by Vega, and to PNG
// by resvg. Loaded only by the command (never by the library).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DISK_RADIUS, Tensor, predict, type History } from '../index.js';
import type { RoundResult } from './experiment.js';

type Spec = Record<string, unknown>;
const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const CONFIG = { font: 'DejaVu Sans, Arial, sans-serif', view: { stroke: '#ccc' }, axis: { gridColor: '#eee' }, background: 'white' };

/** Loss and accuracy per epoch, train and test, in two stacked panels. */
export function learningCurveSpec(history: History, title: string): Spec {
  const rows = history.epochs.flatMap((e) => [
    { epoch: e.epoch, metric: 'loss', split: 'train', value: e.loss },
    { epoch: e.epoch, metric: 'loss', split: 'test', value: e.valLoss },
    { epoch: e.epoch, metric: 'accuracy', split: 'train', value: e.accuracy },
    { epoch: e.epoch, metric: 'accuracy', split: 'test', value: e.valAccuracy },
  ]).filter((r) => r.value !== undefined && Number.isFinite(r.value));
  const panel = (metric: string, label: string): Spec => ({
    width: 560, height: 200, title: label,
    transform: [{ filter: `datum.metric === '${metric}'` }],
    mark: { type: 'line', strokeWidth: 2 },
    encoding: {
      x: { field: 'epoch', type: 'quantitative', title: 'epoch' },
      y: { field: 'value', type: 'quantitative', title: label, scale: { zero: false } },
      color: { field: 'split', type: 'nominal', title: null, scale: { domain: ['train', 'test'], range: ['#1f77b4', '#e4572e'] } },
    },
  });
  return { $schema: SCHEMA, title, data: { values: rows }, vconcat: [panel('loss', 'loss'), panel('accuracy', 'accuracy')], config: CONFIG };
}

/** P(class 1) from a model output row. */
function probabilityOfOne(out: Float32Array, row: number, width: number, lossName: string): number {
  if (width >= 2) return 1 / (1 + Math.exp(out[row * width]! - out[row * width + 1]!));
  const v = out[row]!;
  if (lossName === 'bce_logits') return 1 / (1 + Math.exp(-v));
  return Math.min(1, Math.max(0, v));
}

/** The model's P(class 1) over a grid of the input square, test points on top, mistakes crossed. */
export function decisionBoundarySpec(result: RoundResult, title: string, dataset: string, cells = 60): Spec {
  const { test } = result.data;
  const xs = Array.from(test.x.toFloat32Array());
  const lo = Math.min(0, ...xs) - 0.02, hi = Math.max(1, ...xs) + 0.02;
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
  const width = out.size / (cells * cells);
  const heat = [];
  const outData = out.toFloat32Array();
  for (let k = 0; k < cells * cells; k++) {
    const x = grid[2 * k]!, y = grid[2 * k + 1]!;
    heat.push({ x0: x - step / 2, x1: x + step / 2, y0: y - step / 2, y1: y + step / 2, p: probabilityOfOne(outData, k, width, result.lossName) });
  }
  const testOut = predict(result.model, test.x);
  const testData = testOut.toFloat32Array(), labels = test.y.toFloat32Array();
  const twidth = testOut.size / labels.length;
  const points = [];
  for (let i = 0; i < labels.length; i++) {
    const p = probabilityOfOne(testData, i, twidth, result.lossName);
    const predicted = twidth >= 2 ? (p > 0.5 ? 1 : 0) : testData[i]! > result.threshold ? 1 : 0;
    points.push({ x: xs[2 * i], y: xs[2 * i + 1], label: String(labels[i]), mistake: predicted !== labels[i] });
  }
  gridT.dispose();
  out.dispose();
  testOut.dispose();
  const scale = { domain: [lo, hi], nice: false, zero: false };
  const layers: Spec[] = [
    {
      data: { values: heat }, mark: { type: 'rect' },
      encoding: {
        x: { field: 'x0', type: 'quantitative', scale, title: 'x₁' }, x2: { field: 'x1' },
        y: { field: 'y0', type: 'quantitative', scale, title: 'x₂' }, y2: { field: 'y1' },
        color: { field: 'p', type: 'quantitative', title: 'P(class 1)', scale: { domain: [0, 1], range: ['#9ecae1', '#ffffff', '#fdae6b'] } },
      },
    },
    {
      data: { values: points }, mark: { type: 'circle', size: 22, stroke: '#333', strokeWidth: 0.4, opacity: 0.95 },
      encoding: {
        x: { field: 'x', type: 'quantitative', scale }, y: { field: 'y', type: 'quantitative', scale },
        fill: { field: 'label', type: 'nominal', title: 'true label', scale: { domain: ['0', '1'], range: ['#08519c', '#d94801'] } },
      },
    },
    {
      data: { values: points.filter((p) => p.mistake) }, mark: { type: 'point', shape: 'cross', size: 70, color: 'black', filled: true },
      encoding: { x: { field: 'x', type: 'quantitative', scale }, y: { field: 'y', type: 'quantitative', scale } },
    },
  ];
  if (dataset === 'disk') {
    // The true class boundary, dashed.
    const circle = Array.from({ length: 121 }, (_, k) => ({ k, x: 0.5 + DISK_RADIUS * Math.cos((k / 120) * 2 * Math.PI), y: 0.5 + DISK_RADIUS * Math.sin((k / 120) * 2 * Math.PI) }));
    layers.push({ data: { values: circle }, mark: { type: 'line', strokeDash: [4, 3], color: '#444', strokeWidth: 1 }, encoding: { x: { field: 'x', type: 'quantitative', scale }, y: { field: 'y', type: 'quantitative', scale }, order: { field: 'k' } } });
  }
  return {
    $schema: SCHEMA, width: 440, height: 440,
    title: { text: title, subtitle: `test points coloured by true label; ✕ = misclassified (${points.filter((p) => p.mistake).length})` },
    layer: layers, resolve: { scale: { color: 'independent', fill: 'independent' } }, config: CONFIG,
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
  writeFileSync(svgPath, svg);
  writeFileSync(pngPath, png);
  return [svgPath, pngPath];
}
