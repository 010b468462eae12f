// The mistakes a new user makes first, and what the message tells them to do (round 7). Each
// message names the argument, what was expected and what was given, and — where the fix is
// mechanical — the call that fixes it.
import { describe, expect, it } from 'vitest';
import { thrown } from '../helpers/thrown.js';
import {
  BatchNorm1d, BCELoss, CrossEntropyLoss, Linear, MSELoss, NLLLoss, ReLU, Sequential, ShapeError, Sigmoid, StateError, Tensor, ValueError, Adam, fit,
} from '../../src/index.js';

const net = (): Sequential => new Sequential(new Linear(3, 4), new ReLU(), new Linear(4, 2));

describe('the first mistakes', () => {
  it('needs no init(): the first call works synchronously (init is optional)', () => {
    expect(net().forward(Tensor.zeros([1, 3])).shape).toEqual([1, 2]);
  });

  it('a plain (nested) array or a typed array instead of a Tensor: says Tensor.from', () => {
    const model = net();
    for (const [given, named] of [[[[1, 2, 3]], 'an array of length 1'], [[1, 2, 3], 'an array of length 3'], [new Float32Array(3), 'a Float32Array of length 3']] as const) {
      const e = thrown(() => model.forward(given as never));
      expect(e).toBeInstanceOf(ValueError);
      expect(e.message).toBe(`Linear.forward: input must be a Tensor, got ${named}; make one with Tensor.from(data) (nested arrays, or flat values and a shape)`);
    }
    expect(thrown(() => new MSELoss().forward(Tensor.zeros([1, 2]), [[1, 2]] as never)).message).toMatch(/^MSELoss\.forward: target must be a Tensor, got an array of length 1; make one with Tensor\.from/);
    const opt = new Adam(model.parameters());
    expect(thrown(() => fit(model, { loss: new CrossEntropyLoss(), optimizer: opt, x: [[1, 2, 3]] as never, y: Tensor.from([0]), epochs: 1 })).message)
      .toMatch(/^fit: x must be a Tensor, got an array of length 1; make one with Tensor\.from/);
    expect(thrown(() => model.forward(null as never)).message).toBe('Linear.forward: input must be a Tensor, got null'); // no hint where none applies
  });

  it('float labels for CrossEntropyLoss: says targets are whole class numbers (or probabilities of the logits\' shape)', () => {
    const logits = Tensor.from([[1, 2], [3, 4]]);
    const e = thrown(() => new CrossEntropyLoss().forward(logits, Tensor.from([0.5, 1])));
    expect(e).toBeInstanceOf(ValueError);
    expect(e.message).toBe("CrossEntropyLoss.forward: target[0] = 0.5 is not a class index in [0, 1] (nor ignoreIndex -100); targets are whole class numbers, one per row (or probabilities of the logits' shape)");
    expect(thrown(() => new NLLLoss().forward(logits, Tensor.from([0, 7]))).message).toMatch(/target\[1\] = 7 is not a class index in \[0, 1\] \(nor ignoreIndex -100\); targets are whole class numbers, one per row$/);
    expect(thrown(() => new CrossEntropyLoss().forward(logits, [0.2, 1])).message).toMatch(/target\[0\] = 0\.2 is not a class index/);
    const column = thrown(() => new CrossEntropyLoss().forward(logits, Tensor.from([[0], [1]])));
    expect(column).toBeInstanceOf(ShapeError);
    expect(column.message).toMatch(/got \[2, 1\]; class indices are a 1-D target \[2\]: target\.reshape\(\[-1\]\)$/);
    expect(thrown(() => new CrossEntropyLoss().forward(logits, Tensor.zeros([2, 3]))).message).toMatch(/got \[2, 3\]$/); // no reshape hint: it would not help
  });

  it('a target of the right size but the wrong shape (labels [N] for a [N, 1] output): says reshape', () => {
    const out = new Sigmoid().forward(Tensor.zeros([4, 1]));
    const e = thrown(() => new BCELoss().forward(out, Tensor.from([0, 1, 1, 0])));
    expect(e).toBeInstanceOf(ShapeError);
    expect(e.message).toBe("BCELoss.forward: target must have the prediction's shape [4, 1], got [4]; it has as many values: target.reshape([4, 1])");
    expect(thrown(() => new MSELoss().forward(Tensor.zeros([4, 1]), Tensor.zeros([3]))).message).toMatch(/got \[3\]$/);
  });

  it('mismatched input width: names the layer, the width it takes and the shape given', () => {
    const e = thrown(() => net().forward(Tensor.zeros([5, 2])));
    expect(e).toBeInstanceOf(ShapeError);
    expect(e.message).toBe('Linear.forward: input must have shape [batch, 3] (or any rank [..., 3]) with at least one row, got [5, 2]');
    const model = net();
    expect(thrown(() => fit(model, { loss: new CrossEntropyLoss(), optimizer: new Adam(model.parameters()), x: Tensor.zeros([5, 2]), y: Tensor.from([0, 1, 0, 1, 0]), epochs: 1 })).message)
      .toMatch(/^fit: x \[5, 2\] does not fit the model: Linear\.forward: input must have shape \[batch, 3\]/);
  });

  it('forgetting eval() before predicting one sample through a BatchNorm: says to call model.eval()', () => {
    const model = new Sequential(new Linear(2, 2), new BatchNorm1d(2));
    expect(model.training).toBe(true); // modules start in training mode, as torch's (README, Things to know)
    const e = thrown(() => model.forward(Tensor.zeros([1, 2])));
    expect(e).toBeInstanceOf(ShapeError);
    expect(e.message).toBe('BatchNorm1d.forward: expected more than 1 value per channel in training mode, got input [1, 2] (to predict, call model.eval() first: it normalises with the running statistics)');
    model.eval();
    expect(model.forward(Tensor.zeros([1, 2])).shape).toEqual([1, 2]);
    const untracked = new BatchNorm1d(2, { trackRunningStats: false });
    expect(thrown(() => untracked.forward(Tensor.zeros([1, 2]))).message).not.toMatch(/eval\(\)/); // eval() would not help there
  });

  it('backward before forward: says forward() comes first', () => {
    expect(thrown(() => net().backward(Tensor.zeros([1, 2])))).toBeInstanceOf(StateError);
    expect(thrown(() => new MSELoss().backward()).message).toBe('MSELoss.backward: called before a successful forward()');
  });
});
