// The small-layer path (backend/ops-dense.ts): Linear's one-call forward/backward, and Sequential
// running a Linear followed by a ReLU in one kernel call per pass. Both must give the same bits
// as the gemm path and as the layers called one by one, and leave every module in the same state.
import { afterEach, describe, expect, it } from 'vitest';
import { Adam, Generator, Linear, MSELoss, ReLU, Sequential, Tanh, Tensor } from '../../src/index.js';
import { setDenseSmallPath } from '../../src/backend/ops-dense.js';

afterEach(() => setDenseSmallPath(true));

const SIZES = [2, 25, 17, 5, 33, 1, 3];

/** A ReLU MLP over SIZES (a 33-wide layer takes the gemm path even when the small path is on); every other layer without bias when asked. */
function mlp(seed: number, sizes = SIZES, someWithoutBias = false): Sequential {
  const g = new Generator(seed);
  const layers = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    layers.push(new Linear(sizes[l]!, sizes[l + 1]!, { generator: g, bias: !(someWithoutBias && l % 2 === 1) }));
    if (l + 2 < sizes.length) layers.push(new ReLU());
  }
  return new Sequential(...layers);
}

function data(rows: number, cols: number, seed: number): Tensor {
  const g = new Generator(seed);
  return Tensor.from(Float32Array.from({ length: rows * cols }, () => g.uniform(-1, 1)), [rows, cols]);
}

/** Forward + backward; every layer's output and input gradient, and the parameter gradients. */
function run(model: Sequential, x: Tensor, dy: Tensor, layerByLayer: boolean): Float32Array[] {
  const layers = Array.from({ length: model.length }, (_, i) => model.at(i));
  const outs: Float32Array[] = [];
  if (layerByLayer) {
    let h = x;
    for (const l of layers) outs.push((h = l.forward(h)).toFloat32Array());
    let g = dy;
    for (let i = layers.length - 1; i >= 0; i--) outs.push((g = layers[i]!.backward(g)).toFloat32Array());
  } else {
    outs.push(model.forward(x).toFloat32Array());
    outs.push(model.backward(dy).toFloat32Array());
  }
  return [...outs, ...model.parameters().map((p) => p.grad.toFloat32Array())];
}

describe('small Linear path and Linear + ReLU fused in Sequential', () => {
  it.each([[1, false], [3, false], [4, true], [17, false], [100, true]])('batch %i (some layers without bias: %s): the fused chain, the layers one by one and the gemm path agree bit for bit', (batch, noBias) => {
    const x = data(batch, SIZES[0]!, batch), dy = data(batch, SIZES.at(-1)!, batch + 1);
    const fused = run(mlp(5, SIZES, noBias), x, dy, false);
    const oneByOne = run(mlp(5, SIZES, noBias), x, dy, true);
    setDenseSmallPath(false);
    const gemm = run(mlp(5, SIZES, noBias), x, dy, true);
    // fused: [output, dx, grads…]; one by one: [each output…, each input gradient…, grads…]
    const n = SIZES.length * 2 - 3; // layers in the chain
    expect(fused[0]).toEqual(oneByOne[n - 1]);
    expect(fused[1]).toEqual(oneByOne[2 * n - 1]);
    expect(fused.slice(2)).toEqual(oneByOne.slice(2 * n));
    expect(oneByOne).toEqual(gemm);
  });

  it('leaves every layer in the state of the unfused calls: outputs, inputs and input gradients readable', () => {
    const model = mlp(7, [3, 5, 4]);
    const [l0, r1, l2] = [model.at(0) as Linear, model.at(1) as ReLU, model.at(2) as Linear];
    const x = data(6, 3, 1);
    model.forward(x);
    // The ReLU's backward alone (as after its own forward) and the Linear's after it.
    const dy = data(6, 4, 2);
    const dh = l2.backward(dy).clone();
    const dz = r1.backward(dh);
    const ref = mlp(7, [3, 5, 4]);
    const z = (ref.at(0) as Linear).forward(x);
    const zh = (ref.at(1) as ReLU).forward(z);
    (ref.at(2) as Linear).forward(zh);
    const dhRef = (ref.at(2) as Linear).backward(dy);
    expect(dz.toFloat32Array()).toEqual((ref.at(1) as ReLU).backward(dhRef).toFloat32Array());
    expect(l0.backward(dz).toFloat32Array()).toEqual((ref.at(0) as Linear).backward((ref.at(1) as ReLU).backward(dhRef)).toFloat32Array());
  });

  it.each([[2, 25, 25, 2], [2, 25], [40, 3, 2], [3, 40, 5]])('backwardParameters (%i, %i, …) accumulates the gradients backward does, bit for bit, on both paths', (...sizes) => {
    const x = data(7, sizes[0]!, 1), dy = data(7, sizes.at(-1)!, 2);
    const grads = (model: Sequential): Float32Array[] => model.parameters().map((p) => p.grad.toFloat32Array());
    for (const small of [true, false]) {
      setDenseSmallPath(small);
      const a = mlp(4, sizes), b = mlp(4, sizes);
      a.forward(x);
      b.forward(x);
      a.backward(dy);
      b.backwardParameters(dy);
      expect(grads(b)).toEqual(grads(a));
      // Twice: gradients accumulate the same way.
      a.forward(x);
      b.forward(x);
      a.backward(dy);
      b.backwardParameters(dy);
      expect(grads(b)).toEqual(grads(a));
    }
  });

  it('one layer switching between the small and the gemm path (which share its scratch workspace) gives the same bits', () => {
    const a = mlp(6, [3, 25, 2]), b = mlp(6, [3, 25, 2]);
    for (let s = 0; s < 6; s++) {
      const x = data(4 + s, 3, s), dy = data(4 + s, 2, s + 9);
      setDenseSmallPath(s % 2 === 0);
      const ya = a.forward(x).toFloat32Array(), da = a.backward(dy).toFloat32Array();
      setDenseSmallPath(true);
      const yb = b.forward(x).toFloat32Array(), db = b.backward(dy).toFloat32Array();
      expect(ya).toEqual(yb);
      expect(da).toEqual(db);
    }
    expect(a.parameters().map((p) => p.grad.toFloat32Array())).toEqual(b.parameters().map((p) => p.grad.toFloat32Array()));
  });

  it('makes the previous outputs stale, like the unfused calls', () => {
    const model = mlp(3, [2, 25, 2]);
    const x = data(4, 2, 1);
    const y = model.forward(x);
    model.forward(x);
    expect(() => y.toFloat32Array()).toThrow(/stale/);
  });

  it('leaves a ReLU subclass and a replaced forward unfused, and a 3-D input goes through the layers', () => {
    class ClippedReLU extends ReLU {
      override forward(input: Tensor): Tensor {
        return super.forward(input);
      }
    }
    const g = new Generator(1);
    const a = new Sequential(new Linear(3, 4, { generator: g }), new ClippedReLU(), new Linear(4, 2, { generator: g }));
    const b = mlp(1, [3, 4, 2]);
    const x = data(5, 3, 2);
    expect(a.forward(x).toFloat32Array()).toEqual(b.forward(x).toFloat32Array());
    let calls = 0;
    const relu = b.at(1) as ReLU;
    const own = relu.forward.bind(relu);
    relu.forward = (t: Tensor): Tensor => { calls++; return own(t); };
    b.forward(x);
    expect(calls).toBe(1);
    const x3 = Tensor.from(data(6, 3, 3).toFloat32Array(), [2, 3, 3]);
    const y3 = mlp(1, [3, 4, 2]).forward(x3);
    expect(y3.shape).toEqual([2, 3, 2]);
    expect(y3.toFloat32Array()).toEqual(mlp(1, [3, 4, 2]).forward(Tensor.from(x3.toFloat32Array(), [6, 3])).toFloat32Array());
  });

  it('a rejected fused forward or backward changes nothing that backward could use', () => {
    const model = mlp(2, [3, 4, 2]);
    expect(() => model.forward(data(2, 5, 1))).toThrow(/shape/);
    expect(() => model.backward(data(2, 2, 1))).toThrow(/before a successful forward/);
    model.forward(data(2, 3, 1));
    const grads = model.parameters().map((p) => p.grad.toFloat32Array());
    expect(() => model.backward(data(3, 2, 1))).toThrow(/shape/);
    expect(model.parameters().map((p) => p.grad.toFloat32Array())).toEqual(grads);
  });

  it('trains the seed network with Adam to the same bits on both paths (and with Tanh, unfused)', () => {
    const train = (sizes: number[], tanh: boolean): Float32Array[] => {
      const g = new Generator(9);
      const layers = [];
      for (let l = 0; l + 1 < sizes.length; l++) {
        layers.push(new Linear(sizes[l]!, sizes[l + 1]!, { generator: g }));
        if (l + 2 < sizes.length) layers.push(tanh && l === 0 ? new Tanh() : new ReLU());
      }
      const model = new Sequential(...layers);
      const opt = new Adam(model.parameters(), { lr: 1e-2 });
      const loss = new MSELoss();
      const x = data(100, 2, 4), t = data(100, 2, 5);
      for (let s = 0; s < 20; s++) {
        opt.zeroGrad();
        loss.forward(model.forward(x), t);
        model.backward(loss.backward());
        opt.step();
      }
      return model.parameters().map((p) => p.toFloat32Array());
    };
    for (const tanh of [false, true]) {
      const small = train([2, 25, 25, 25, 2], tanh);
      setDenseSmallPath(false);
      const gemm = train([2, 25, 25, 25, 2], tanh);
      setDenseSmallPath(true);
      expect(small).toEqual(gemm);
    }
  });
});
