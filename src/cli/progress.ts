// Training progress on the terminal: a cli-progress bar on a TTY, plain periodic lines otherwise
// (CI logs, pipes), nothing with --quiet / --json.
import type { EpochLog } from '../index.js';

/** Receives each epoch's figures during one round. */
export interface ProgressReporter {
  epoch(log: EpochLog): void;
  done(): void;
}

const fmt = (v: number | undefined, digits = 4): string => (v === undefined ? '-' : v.toFixed(digits));

/** Picks the reporter for this terminal and these flags. */
export async function createProgress(options: { epochs: number; label: string; quiet: boolean; tty: boolean }): Promise<ProgressReporter> {
  if (options.quiet) return { epoch: () => {}, done: () => {} };
  if (!options.tty) return plainLines(options.epochs, options.label);
  const { default: cliProgress } = await import('cli-progress');
  const bar = new cliProgress.SingleBar({
    format: `${options.label} [{bar}] epoch {value}/{total} | loss {loss} | acc {acc} | test acc {testAcc} | {speed} epochs/s | ETA {eta_formatted}`,
    hideCursor: true,
    clearOnComplete: false,
  }, cliProgress.Presets.shades_classic);
  const start = performance.now();
  bar.start(options.epochs, 0, { loss: '-', acc: '-', testAcc: '-', speed: '-' });
  return {
    epoch(log) {
      const speed = log.epoch / ((performance.now() - start) / 1000);
      bar.update(log.epoch, { loss: fmt(log.loss), acc: fmt(log.accuracy, 3), testAcc: fmt(log.valAccuracy, 3), speed: speed.toFixed(0) });
    },
    done() {
      bar.stop();
    },
  };
}

function plainLines(epochs: number, label: string): ProgressReporter {
  const every = Math.max(1, Math.round(epochs / 10));
  const start = performance.now();
  return {
    epoch(log) {
      if (log.epoch % every !== 0 && log.epoch !== 1 && log.epoch !== epochs) return;
      const elapsed = (performance.now() - start) / 1000;
      const eta = (elapsed / log.epoch) * (epochs - log.epoch);
      console.log(`${label} epoch ${log.epoch}/${epochs}  loss ${fmt(log.loss)}  acc ${fmt(log.accuracy, 3)}  test loss ${fmt(log.valLoss)}  test acc ${fmt(log.valAccuracy, 3)}  ${(log.epoch / elapsed).toFixed(0)} epochs/s  ETA ${eta.toFixed(1)}s`);
    },
    done() {},
  };
}
