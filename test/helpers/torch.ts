// PyTorch cross-checks (Debian's python3-torch): whether torch can be imported, said once per
// file when not (an error under CI, where it must be there), and one call that runs a Python
// script with JSON on stdin and returns the JSON it prints.
import { spawnSync } from 'node:child_process';
import { expect } from 'vitest';

/** The Python that has torch (Debian's, not a virtualenv's). */
export const PYTHON = '/usr/bin/python3';

/** Whether PYTHON can import torch; warns when not, and throws when the CI variable is set. */
export function torchAvailable(): boolean {
  const ok = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;
  if (!ok) {
    if (process.env.CI) throw new Error(`PyTorch tests: ${PYTHON} cannot import torch, and CI is set`);
    console.warn('PyTorch tests skipped: python3-torch not installed (apt-get install python3-torch to run them)');
  }
  return ok;
}

/** Runs `script` with `input` (if any) as JSON on stdin; expects exit 0 and returns what it prints, parsed. */
export function runTorch<T>(script: string, input?: unknown): T {
  const r = spawnSync(PYTHON, ['-c', script], { input: input === undefined ? undefined : JSON.stringify(input), encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as T;
}
