// Report 004's Adam, as in its listing: no bias correction (m and v are divided by the constants
// 1 − β1 and 1 − β2, not by 1 − βᵗ) and eps inside the square root. A user-written optimizer:
// subclass Optimizer, name it, list its state buffers, and write the update rule.
import { Optimizer } from 'wasmnn';

export class Report004Adam extends Optimizer {
  // The name stored in checkpoints (written out: minifiers rename classes).
  static typeName = 'Report004Adam';

  constructor(params, { lr = 1e-3, betas = [0.9, 0.999], eps = 1e-8 } = {}) {
    super(params, lr); // validates lr and gathers the parameters into one block
    this.betas = [betas[0], betas[1]];
    this.eps = eps;
  }

  // Saved in checkpoints; loading a checkpoint checks that these match.
  hyperparameters() {
    return { lr: this.lr, betas: [...this.betas], eps: this.eps };
  }

  // The state buffers, one value per parameter element, saved in checkpoints.
  stateNames() {
    return ['m', 'v'];
  }

  // Called by step() after the step counter (this.steps) is incremented.
  update() {
    const [b1, b2] = this.betas;
    const { values, grads, m, v } = this.views('m', 'v'); // live views: use at once
    for (let i = 0; i < values.length; i++) {
      const g = grads[i];
      m[i] = b1 * m[i] + (1 - b1) * g;
      v[i] = b2 * v[i] + (1 - b2) * g * g;
      values[i] -= (this.lr * (m[i] / (1 - b1))) / Math.sqrt(v[i] / (1 - b2) + this.eps);
    }
  }
}
