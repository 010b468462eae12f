// Predicted against true values of a regression model (test rows), with the diagonal y = x on
// which perfect predictions lie. A Vega-Lite spec, rendered by plots.ts's writeSpec.

type Spec = Record<string, unknown>;

/** Scatter of (true, predicted) with the line y = x; `target` names the axes. */
export function predictedVsTrueSpec(truth: number[], predicted: number[], target: string, title: string): Spec {
  const points = truth.map((t, i) => ({ truth: t, predicted: predicted[i]! }));
  const all = [...truth, ...predicted];
  const lo = Math.min(...all), hi = Math.max(...all);
  const pad = (hi - lo) * 0.03 || 1;
  const scale = { domain: [lo - pad, hi + pad], nice: false, zero: false };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 440, height: 440,
    title: { text: title, subtitle: 'test rows; on the dashed line predictions are exact' },
    layer: [
      {
        data: { values: [{ truth: lo - pad, predicted: lo - pad }, { truth: hi + pad, predicted: hi + pad }] },
        mark: { type: 'line', strokeDash: [4, 3], color: '#444', strokeWidth: 1 },
        encoding: { x: { field: 'truth', type: 'quantitative', scale }, y: { field: 'predicted', type: 'quantitative', scale } },
      },
      {
        data: { values: points },
        mark: { type: 'circle', size: 30, opacity: 0.75, color: '#1f77b4', stroke: '#333', strokeWidth: 0.3 },
        encoding: {
          x: { field: 'truth', type: 'quantitative', scale, title: `true ${target}` },
          y: { field: 'predicted', type: 'quantitative', scale, title: `predicted ${target}` },
        },
      },
    ],
    config: { font: 'DejaVu Sans, Arial, sans-serif', view: { stroke: '#ccc' }, axis: { gridColor: '#eee' }, background: 'white' },
  };
}
