// Round-5 probes of the seed step's JavaScript (seedjs): a Sequential re-uses the views of the
// activations and gradients that pass between its own layers (Workspace.nextInternal), workspace
// views skip the Tensor constructor's checks (workspaceView), a fused pair skips re-checking
// what the chain has just checked, Adam re-fills one hyper-parameter object. None of it may let
// a result the user holds change silently, let a forged tensor through, or change a bit.
import { describe, expect, it } from 'vitest';
import { Adam, AdamW, Generator, Linear, Module, MSELoss, ReLU, Sequential, ShapeError, StateError, Tensor, ValueError } from '../../src/index.js';
import { Storage } from '../../src/backend/storage.js';
import { Workspace } from '../../src/workspace.js';
import { grads, rejects, seededData as data, values } from '../helpers/trust.js';

/** 2-25-25-25-2, the seed network's shape, from Generator(seed). */
function seedNet(seed: number): Sequential {
  const g = new Generator(seed);
  return new Sequential(new Linear(2, 25, { generator: g }), new ReLU(), new Linear(25, 25, { generator: g }), new ReLU(),
    new Linear(25, 25, { generator: g }), new ReLU(), new Linear(25, 2, { generator: g }));
}

describe('round 5: re-used inner views never reach the user', () => {
  it('Workspace.nextInternal returns its own last view while it is current, and a fresh one after next(), a growth or dispose()', () => {
    const w = new Workspace('probe');
    const a = w.nextInternal([2, 3]);
    expect(w.nextInternal([2, 3])).toBe(a);
    expect(w.nextInternal(Object.freeze([2, 3]))).toBe(a); // equal dimensions, another array
    const b = w.nextInternal([3, 2]); // another shape: a fresh view, the old one stale
    expect(b).not.toBe(a);
    expect(() => a.toFloat32Array()).toThrow(/stale/);
    const user = w.next([3, 2]); // handed out: never re-used
    expect(() => b.toFloat32Array()).toThrow(/stale/);
    const c = w.nextInternal([3, 2]);
    expect(c).not.toBe(user);
    expect(() => user.toFloat32Array()).toThrow(/stale/);
    const d = w.nextInternal([100, 100]); // grows: a fresh view
    expect(d).not.toBe(c);
    expect(w.nextInternal([100, 100])).toBe(d);
    w.dispose();
    expect(() => d.toFloat32Array()).toThrow(StateError);
    const e = w.nextInternal([100, 100]);
    expect(e).not.toBe(d);
    expect(e.toFloat32Array()).toHaveLength(10000);
    w.dispose();
  });

  it('an output of a layer called on its own goes stale when the chain runs that layer, forward and backward', () => {
    const model = seedNet(1);
    const [l0, r1, l2] = [model.at(0) as Linear, model.at(1) as ReLU, model.at(2) as Linear];
    const x = data([10, 2], 2), dy = data([10, 2], 3);
    model.forward(x);
    model.backward(dy); // the chain's views exist and are re-used from here on
    const z = l0.forward(x), y = r1.forward(z), h = l2.forward(y);
    const dh = l2.backward(data([10, 25], 4)), dz = r1.backward(dh), dx = l0.backward(dz);
    const last = model.at(6) as Linear; // its input gradient goes to a fused pair inside the chain
    const out = last.forward(data([10, 25], 5)), dLast = last.backward(data([10, 2], 6));
    const kept = [z, y, h, dh, dz, dx, out, dLast];
    model.forward(x);
    model.backward(dy);
    for (const t of kept) expect(() => t.toFloat32Array()).toThrow(/stale/);
  });

  it('what the chain returns (output, input gradient, loss gradient) goes stale at the next call, step after step', () => {
    const model = seedNet(1), loss = new MSELoss();
    const x = data([10, 2], 2), target = data([10, 2], 3);
    let previous: Tensor[] = [];
    for (let s = 0; s < 4; s++) {
      const y = model.forward(x);
      for (const t of previous.slice(0, 1)) expect(() => t.toFloat32Array()).toThrow(/stale/);
      loss.forward(y, target);
      const g = loss.backward();
      const dx = model.backward(g);
      for (const t of previous.slice(1)) expect(() => t.toFloat32Array()).toThrow(/stale/);
      expect(y.toFloat32Array()).toHaveLength(20);
      expect(dx.toFloat32Array()).toHaveLength(20);
      previous = [y, g, dx];
    }
  });

  it('the same steps give the same bits with the re-used views as with every layer called on its own', () => {
    const a = seedNet(5), b = seedNet(5);
    const optA = new Adam(a.parameters(), { lr: 0.01 }), optB = new Adam(b.parameters(), { lr: 0.01 });
    const loss = new MSELoss();
    const layersB = b.namedChildren().map(([, m]) => m);
    for (let s = 0; s < 15; s++) {
      const x = data([7 + (s % 3), 2], s), target = data([7 + (s % 3), 2], 100 + s);
      optA.zeroGrad();
      loss.forward(a.forward(x), target);
      if (s % 2) a.backward(loss.backward());
      else a.backwardParameters(loss.backward());
      optA.step();
      optB.zeroGrad();
      let h = x;
      for (const m of layersB) h = m.forward(h);
      loss.forward(h, target);
      let g = loss.backward();
      for (let i = layersB.length - 1; i >= 0; i--) g = layersB[i]!.backward(g);
      optB.step();
    }
    expect(values(a)).toEqual(values(b));
  });

  it('a foreign layer between the pairs that spoils what an earlier pair saved is caught before any kernel reads it', () => {
    const g = new Generator(3);
    const first = new Linear(2, 25, { generator: g }), relu = new ReLU();
    class Spoiler extends Module {
      static override readonly typeName: string = 'Spoiler';
      forward(input: Tensor): Tensor {
        return input;
      }
      backward(gradOutput: Tensor): Tensor {
        first.forward(data([4, 2], 9)); // re-uses the first Linear's output: the ReLU's saved input goes stale
        return gradOutput;
      }
    }
    const model = new Sequential(first, relu, new Spoiler(), new Linear(25, 25, { generator: g }), new ReLU(), new Linear(25, 2, { generator: g }));
    model.forward(data([4, 2], 1));
    const before = grads(model);
    // The ReLU's own check names it (a kernel wrapper's last-line check would not).
    rejects(() => model.backward(data([4, 2], 2)), StateError, /^ReLU\.backward: the input of the last forward\(\).*stale/);
    expect(grads(model)).toEqual(before);
  });
});

describe('round 5: workspace views skip the constructor checks, nothing else does', () => {
  it('after workspace views were made, a forged Tensor is still refused', () => {
    const model = seedNet(1);
    const y = model.forward(data([4, 2], 1));
    const storage = y._storage;
    expect(() => new Tensor(storage, 0, [-1], null)).toThrow(ShapeError);
    expect(() => new Tensor(storage, 1, [storage.capacity], null)).toThrow(ShapeError);
    expect(() => new Tensor({} as Storage, 0, [1], null)).toThrow(ValueError);
    model.forward(data([4, 2], 2));
    expect(() => new Tensor(storage, 0, [storage.capacity + 1], null)).toThrow(ShapeError);
    const ok = new Tensor(new Storage(4), 0, [2, 2], null);
    expect(Object.isFrozen(ok.shape)).toBe(true);
  });

  it('every view a workspace hands out has a frozen shape of its dimensions, even from a mutable array', () => {
    const w = new Workspace('probe');
    const shape = [3, 4];
    const v = w.next(shape);
    shape[0] = 1000;
    expect(v.shape).toEqual([3, 4]);
    expect(Object.isFrozen(v.shape)).toBe(true);
    expect(w.next([3, 4]).size).toBe(12);
    expect(() => w.next([-1, 2])).toThrow(ShapeError);
    expect(w.next([3, 4]).shape).toEqual([3, 4]); // a refused shape changed nothing
    w.dispose();
  });
});

describe('round 5: Adam re-fills one object of hyper-parameters per step', () => {
  // The long-lived optimizer (one object re-filled every step) against one rebuilt for every step
  // from the previous one's state: a learning rate changed between steps must reach the kernel
  // (AdamW's decoupled decay reads lr itself; a stale lr fails this test). That each option means
  // what torch means is test/optim/optimizers.test.ts's job.
  const run = (make: (p: ReturnType<Sequential['parameters']>) => Adam, lrs: number[], fresh: boolean): number[][] => {
    const model = seedNet(8), loss = new MSELoss();
    let opt = make(model.parameters());
    for (const lr of lrs) {
      if (fresh) {
        const state = opt.stateDict();
        opt.dispose();
        opt = make(model.parameters());
        opt.loadStateDict(state);
      }
      opt.lr = lr;
      opt.zeroGrad();
      loss.forward(model.forward(data([6, 2], 1)), data([6, 2], 2));
      model.backward(loss.backward());
      opt.step();
    }
    return values(model);
  };
  const LRS = [0.01, 0.05, 0.002, 0.02];

  it.each([
    ['AdamW', (p: ReturnType<Sequential['parameters']>) => new AdamW(p, { weightDecay: 0.1 })],
    ['Adam with amsgrad, maximize and weight decay', (p: ReturnType<Sequential['parameters']>) => new Adam(p, { weightDecay: 0.1, amsgrad: true, maximize: true })],
  ])('%s: the same parameters as an optimizer rebuilt for every step', (_name, make) => {
    expect(run(make, LRS, false)).toEqual(run(make, LRS, true));
    expect(run(make, LRS, false)).not.toEqual(run(make, [0.01, 0.01, 0.01, 0.01], false)); // the learning rates matter
  });
});
