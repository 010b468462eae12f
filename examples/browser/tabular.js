// Tabular data in any engine: raw records → TabularPreprocessor → a seeded network → one model
// file (architecture, weights, preprocessing) → TabularModel.load → labels. Returns the file and
// the predictions, so Node and a browser can compare them byte for byte.
export function tabularRun(w) {
  const g = new w.Generator(5);
  const colours = ['red', 'green', 'blue'];
  const rows = Array.from({ length: 120 }, (_, i) => {
    const size = 10 * g.random(), colour = colours[i % 3];
    return { size, colour, weight: i % 7 === 0 ? null : size * 2 + g.normal(0, 1), label: size + (colour === 'red' ? 3 : 0) > 6 ? 'big' : 'small' };
  });
  const prep = new w.TabularPreprocessor({ target: 'label', impute: 'median' });
  const { x, y } = prep.fitTransform(rows);
  const model = new w.Sequential(new w.Linear(prep.featureCount, 8, { generator: g }), new w.Tanh(), new w.Linear(8, prep.outputCount, { generator: g }));
  w.fit(model, { loss: new w.CrossEntropyLoss(), optimizer: new w.Adam(model.parameters(), { lr: 0.02 }), x, y, epochs: 40, batchSize: 16, seed: 5 });
  const file = new w.TabularModel(model, prep).save();
  const loaded = w.TabularModel.load(file);
  return { file, predictions: loaded.predict([{ size: 9, colour: 'blue', weight: 18 }, { size: 1, colour: 'green', weight: '' }, { size: 4, colour: 'red', weight: 8 }]), accuracy: loaded.evaluate(rows).accuracy };
}
