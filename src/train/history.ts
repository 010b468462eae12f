/** Figures of one epoch. */
export interface EpochLog {
  /** 1-based epoch number. */
  epoch: number;
  /** Training loss: mean over the epoch's batches, or of the whole set after it (evaluateTrain). */
  loss: number;
  /** Training accuracy: over the epoch's batches before each update, or after it (evaluateTrain). */
  accuracy: number;
  valLoss?: number;
  valAccuracy?: number;
  /** Learning rate used during the epoch. */
  lr: number;
  /** Wall time of the epoch in seconds. */
  seconds: number;
}

/** Why fit() stopped. */
export type StopReason = 'completed' | 'early-stopping' | 'target-reached' | 'aborted' | 'callback';

/** What fit() returns: one entry per epoch, and why training stopped. */
export class History {
  readonly epochs: EpochLog[] = [];
  stopReason: StopReason = 'completed';

  /** The last epoch's figures. */
  get last(): EpochLog | undefined {
    return this.epochs[this.epochs.length - 1];
  }

  /** One metric across epochs, e.g. history.series('valAccuracy'). */
  series(key: 'loss' | 'accuracy' | 'valLoss' | 'valAccuracy' | 'lr'): number[] {
    return this.epochs.map((e) => e[key] ?? NaN);
  }

  toJSON(): { epochs: EpochLog[]; stopReason: StopReason } {
    return { epochs: this.epochs, stopReason: this.stopReason };
  }
}
