// fit, fitAsync, evaluate, predict and EarlyStopping refuse a non-model and missing arguments with
// a ValueError naming the function and the argument (never a raw TypeError), before anything runs.
import { describe, expect, it } from 'vitest';
import { CrossEntropyLoss, EarlyStopping, Linear, SGD, Sequential, Tensor, ValueError, evaluate, fit, fitAsync, predict } from '../../src/index.js';

const NOT_MODELS: Array<[unknown, string]> = [[null, 'null'], [undefined, 'undefined'], [3, '3'], [{}, 'an object'], ['m', "'m' \\(a string\\)"], [{ forward: () => 0 }, 'an object']];

describe('argument checks of the training functions', () => {
  it('predict, evaluate, fit and fitAsync refuse what is not a Module, naming it', async () => {
    const x = Tensor.zeros([2, 2]), y = Tensor.from([0, 1]);
    const model = new Sequential(new Linear(2, 3));
    const optimizer = new SGD(model.parameters(), { lr: 0.1 });
    for (const [bad, shown] of NOT_MODELS) {
      const message = (where: string) => new RegExp(`^${where}: model must be a Module, got ${shown}$`);
      expect(() => predict(bad as never, x)).toThrow(ValueError);
      expect(() => predict(bad as never, x)).toThrow(message('predict'));
      expect(() => evaluate(bad as never, { x, y, loss: new CrossEntropyLoss() })).toThrow(message('evaluate'));
      expect(() => fit(bad as never, { x, y, loss: new CrossEntropyLoss(), optimizer })).toThrow(message('fit'));
      await expect(fitAsync(bad as never, { x, y, loss: new CrossEntropyLoss(), optimizer })).rejects.toThrow(message('fit'));
    }
    expect(predict(model, x).shape).toEqual([2, 3]); // and a Module still works
  });

  it('EarlyStopping takes its options and flags as optional, and checks them', () => {
    expect(new EarlyStopping().monitor).toBe('loss');
    expect(new EarlyStopping(undefined, true).monitor).toBe('valLoss');
    expect(() => new EarlyStopping({ monitor: 'valLoss' })).toThrow(/needs validation data/);
    expect(() => new EarlyStopping(null as never)).toThrow(/^earlyStopping: options must be an object, got null$/);
    expect(() => new EarlyStopping({}, 'yes' as never)).toThrow(/^EarlyStopping: hasValidation must be true or false/);
    expect(() => new EarlyStopping({}, false, 'ranking' as never)).toThrow(ValueError);
    expect(() => new EarlyStopping({}, false, 'ranking' as never)).toThrow(/task/);
  });
});
