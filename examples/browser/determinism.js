// The same seeded training in any engine: returns the parameter bytes after 200 steps, so Node
// and a browser can compare hashes. Uses every transcendental kernel on the way (tanh, sigmoid,
// exp/log in softmax cross-entropy, sqrt in Adam) and the normal draws of He initialisation.
export function determinismRun(w) {
  const gen = new w.Generator(123);
  const layers = [new w.Linear(2, 16, { generator: gen }), new w.Tanh(), new w.Linear(16, 16, { generator: gen }), new w.Sigmoid(), new w.Linear(16, 2, { generator: gen })];
  w.nn.init.kaimingNormal(layers[2].weight, { generator: gen });
  const model = new w.Sequential(...layers);
  const { x, y } = w.disk(128, gen);
  const loss = new w.CrossEntropyLoss();
  const opt = new w.Adam(model.parameters(), { lr: 1e-2, amsgrad: true });
  for (let i = 0; i < 200; i++) {
    opt.zeroGrad();
    loss.forward(model.forward(x), y);
    model.backward(loss.backward());
    opt.step();
  }
  const parts = model.parameters().map((p) => new Uint8Array(p.toFloat32Array().buffer));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) { out.set(p, offset); offset += p.length; }
  return out;
}
