// Training progress on the terminal: a cli-progress bar on a TTY (sized to the terminal, 80
// columns included), plain lines otherwise (CI logs, pipes) at most every 10 % of the epochs or
// every 2 seconds, whichever comes first; nothing with --quiet / --json.
import type { EpochLog } from '../index.js';

/** Receives each epoch's figures during one round. */
export interface ProgressReporter {
  epoch(log: EpochLog): void;
  /** Stops the bar and shows the cursor again (also after an error or Ctrl-C). */
  done(): void;
}

/** The escape sequence that shows a cursor cli-progress hid. */
export const SHOW_CURSOR = '\u001b[?25h';

/** A number in at most 9 characters: fixed for ordinary sizes, exponent for huge or tiny ones. */
export function compact(v: number | undefined, digits = 4): string {
  if (v === undefined) return '-';
  if (!Number.isFinite(v)) return String(v);
  return Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(2) : v.toFixed(digits);
}

/** The task's figures of an epoch in a few characters: accuracy for classifiers, R² for regressors. */
export function figures(log: EpochLog): string {
  if (log.accuracy !== undefined) return `acc ${compact(log.accuracy, 3)}${log.valAccuracy === undefined ? '' : ` val ${compact(log.valAccuracy, 3)}`}`;
  if (log.r2 !== undefined) return `R² ${compact(log.r2, 3)}${log.valR2 === undefined ? '' : ` val ${compact(log.valR2, 3)}`}`;
  return '';
}

/** The bar's format and width for a terminal of `columns`, so that a line never wraps. */
export function barLayout(columns: number, label: string, epochs: number): { format: string; barsize: number } {
  const digits = String(epochs).length;
  // label, counter, loss (≤ 9), figures (≤ 19: "acc 0.987 val 0.975"), ETA (≤ 6), separators.
  const fixed = label.length + 1 + 1 + (2 * digits + 1) + ' loss '.length + 9 + 1 + 19 + ' ETA '.length + 6;
  const barsize = Math.max(5, Math.min(40, columns - 1 - fixed));
  return { format: `${label} {bar} {value}/{total} loss {loss} {figures} ETA {eta_formatted}`, barsize };
}

/** Picks the reporter for this terminal and these flags. */
export async function createProgress(options: { epochs: number; label: string; quiet: boolean; tty: boolean; columns?: number }): Promise<ProgressReporter> {
  if (options.quiet) return { epoch: () => {}, done: () => {} };
  if (!options.tty) return plainLines(options.epochs, options.label);
  const { default: cliProgress } = await import('cli-progress');
  const { format, barsize } = barLayout(options.columns ?? process.stdout.columns ?? 80, options.label, options.epochs);
  const bar = new cliProgress.SingleBar({ format, barsize, hideCursor: true, clearOnComplete: false, etaBuffer: 20 }, cliProgress.Presets.shades_classic);
  bar.start(options.epochs, 0, { loss: '-', figures: '' });
  let stopped = false;
  return {
    epoch(log) {
      bar.update(log.epoch, { loss: compact(log.loss), figures: figures(log) });
    },
    done() {
      if (stopped) return;
      stopped = true;
      bar.stop();
      process.stdout.write(SHOW_CURSOR);
    },
  };
}

/** An epoch rate with two significant digits below 10 (a 3-second epoch is 0.33/s, not 0). */
export function epochRate(perSecond: number): string {
  return perSecond >= 10 ? perSecond.toFixed(0) : perSecond.toPrecision(2);
}

/**
 * Plain progress lines for logs: the first and last epoch, every 10 % of the epochs, and
 * whenever `intervalMs` passed since the last line (long epochs show up in time).
 */
export function plainLines(epochs: number, label: string, print: (line: string) => void = console.log,
  now: () => number = () => performance.now(), intervalMs = 2000): ProgressReporter {
  const every = Math.max(1, Math.round(epochs / 10));
  const start = now();
  let last = start;
  return {
    epoch(log) {
      const t = now();
      if (log.epoch % every !== 0 && log.epoch !== 1 && log.epoch !== epochs && t - last < intervalMs) return;
      last = t;
      const elapsed = (t - start) / 1000;
      const eta = (elapsed / log.epoch) * (epochs - log.epoch);
      const val = log.valLoss === undefined ? '' : `  test loss ${compact(log.valLoss)}`;
      print(`${label} epoch ${log.epoch}/${epochs}  loss ${compact(log.loss)}${val}  ${figures(log)}  ${elapsed > 0 ? epochRate(log.epoch / elapsed) : '-'} epochs/s  ETA ${eta.toFixed(1)}s`);
    },
    done() {},
  };
}
