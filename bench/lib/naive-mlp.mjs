// A straightforward pure-JavaScript MLP, as one would write it without a library: Float32Array
// weights [out, in], triple loops, ReLU hidden layers, MSE or softmax cross-entropy, Adam or SGD.
// The baseline "naive pure-JS" rows of the benchmark.

export class NaiveMLP {
  constructor(sizes, { optimizer = 'adam', lr = 1e-3, loss = 'mse', seed = 1 } = {}) {
    let s = seed >>> 0;
    const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
    this.sizes = sizes;
    this.loss = loss;
    this.optimizer = optimizer;
    this.lr = lr;
    this.t = 0;
    this.layers = [];
    for (let l = 0; l + 1 < sizes.length; l++) {
      const n = sizes[l], m = sizes[l + 1], bound = 1 / Math.sqrt(n);
      const w = Float32Array.from({ length: m * n }, () => rand() * bound);
      const b = Float32Array.from({ length: m }, () => rand() * bound);
      this.layers.push({ n, m, w, b, gw: new Float32Array(m * n), gb: new Float32Array(m),
        mw: new Float32Array(m * n), vw: new Float32Array(m * n), mb: new Float32Array(m), vb: new Float32Array(m) });
    }
  }

  /** One training step on x [batch, in] and targets (one-hot or values) [batch, out]. */
  step(x, target, batch) {
    const acts = [x];
    for (let l = 0; l < this.layers.length; l++) {
      const { n, m, w, b } = this.layers[l];
      const input = acts[l], out = new Float32Array(batch * m);
      for (let i = 0; i < batch; i++) {
        for (let j = 0; j < m; j++) {
          let s = b[j];
          for (let k = 0; k < n; k++) s += input[i * n + k] * w[j * n + k];
          out[i * m + j] = l + 1 < this.layers.length && s < 0 ? 0 : s;
        }
      }
      acts.push(out);
    }
    const out = acts[acts.length - 1], m = this.sizes[this.sizes.length - 1];
    let grad = new Float32Array(batch * m);
    if (this.loss === 'mse') {
      for (let i = 0; i < grad.length; i++) grad[i] = (2 * (out[i] - target[i])) / grad.length;
    } else {
      for (let i = 0; i < batch; i++) {
        let max = -Infinity, sum = 0;
        for (let j = 0; j < m; j++) max = Math.max(max, out[i * m + j]);
        for (let j = 0; j < m; j++) sum += Math.exp(out[i * m + j] - max);
        for (let j = 0; j < m; j++) grad[i * m + j] = (Math.exp(out[i * m + j] - max) / sum - target[i * m + j]) / batch;
      }
    }
    for (let l = this.layers.length - 1; l >= 0; l--) {
      const L = this.layers[l], input = acts[l], { n, m: mm, w, gw, gb } = L;
      gw.fill(0);
      gb.fill(0);
      const gin = new Float32Array(batch * n);
      // The first layer's input is data: like wasmnn's fit() (backwardParameters) and PyTorch, its
      // gradient is not computed.
      const wantInputGrad = l > 0;
      for (let i = 0; i < batch; i++) {
        for (let j = 0; j < mm; j++) {
          const g = grad[i * mm + j];
          if (g === 0) continue;
          gb[j] += g;
          if (wantInputGrad) {
            for (let k = 0; k < n; k++) {
              gw[j * n + k] += g * input[i * n + k];
              gin[i * n + k] += g * w[j * n + k];
            }
          } else {
            for (let k = 0; k < n; k++) gw[j * n + k] += g * input[i * n + k];
          }
        }
      }
      if (l > 0) for (let i = 0; i < gin.length; i++) if (input[i] <= 0) gin[i] = 0;
      grad = gin;
    }
    this.t++;
    for (const L of this.layers) {
      this.update(L.w, L.gw, L.mw, L.vw);
      this.update(L.b, L.gb, L.mb, L.vb);
    }
  }

  update(p, g, m, v) {
    if (this.optimizer === 'sgd') {
      for (let i = 0; i < p.length; i++) p[i] -= this.lr * g[i];
      return;
    }
    const b1 = 0.9, b2 = 0.999, c1 = 1 - b1 ** this.t, c2 = 1 - b2 ** this.t;
    for (let i = 0; i < p.length; i++) {
      m[i] = b1 * m[i] + (1 - b1) * g[i];
      v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
      p[i] -= (this.lr * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + 1e-8);
    }
  }
}
