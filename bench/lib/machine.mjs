// Node-only facts about the machine a figure was measured on (kept out of stats.mjs, which the
// browser bench page loads too).
import os from 'node:os';

/** The machine's 1/5/15-minute load averages as one string, printed next to every figure. */
export const loadAverage = (digits = 2) => os.loadavg().map((l) => l.toFixed(digits)).join(' ');
