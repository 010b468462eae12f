// The command's output folder: checked (and created) before any training, written at the end —
// or after Ctrl-C, with the epochs finished so far.
import { accessSync, constants, mkdirSync, renameSync, rmSync, statSync, writeFileSync, type Stats } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { saveModel } from '../index.js';
import type { RoundResult } from './experiment.js';
import { UsageError, type TrainConfig } from './options.js';

/** Exit code of a run stopped by Ctrl-C (128 + SIGINT), as shells report it. */
export const INTERRUPTED = 130;

const reason = (e: unknown): string => {
  const code = (e as { code?: string }).code;
  const known: Record<string, string> = {
    ENOTDIR: 'a part of the path is a file, not a folder', EACCES: 'permission denied', EPERM: 'permission denied',
    EROFS: 'read-only file system', ENOSPC: 'no space left on the device', EEXIST: 'a file of that name exists', ENOENT: 'no such folder',
  };
  return code && known[code] ? `${known[code]} (${code})` : (e as Error).message.split('\n')[0]!;
};

/**
 * mkdir -p one level at a time: Node's recursive mkdirSync loops forever where mkdir reports
 * ENOENT for an existing parent (e.g. under /proc).
 */
function makeFolders(dir: string): void {
  const missing: string[] = [];
  for (let d = dir; ; d = dirname(d)) {
    try {
      if (!statSync(d).isDirectory()) throw Object.assign(new Error(`${d} is a file`), { code: 'ENOTDIR' });
      break;
    } catch (e) {
      if ((e as { code?: string }).code !== 'ENOENT' || dirname(d) === d) throw e;
      missing.push(d);
    }
  }
  for (const d of missing.reverse()) mkdirSync(d);
}

/**
 * Makes sure `out` is a folder we can write to: creates it if needed, then writes and removes a
 * probe file. Throws UsageError naming the flag and the reason; returns the absolute path.
 */
export function prepareOutputFolder(out: string): string {
  const dir = resolve(out);
  let isFolder: boolean | null = null; // null: nothing there yet
  try {
    isFolder = statSync(dir).isDirectory();
  } catch (e) {
    if ((e as { code?: string }).code !== 'ENOENT') throw new UsageError(`--out ${out}: cannot use this path: ${reason(e)}`);
  }
  if (isFolder === false) throw new UsageError(`--out ${out}: exists and is not a folder`);
  if (isFolder === null) {
    try {
      makeFolders(dir);
    } catch (e) {
      throw new UsageError(`--out ${out}: cannot create the folder: ${reason(e)}`);
    }
  }
  const probe = join(dir, `.wasmnn-write-check-${process.pid}`);
  try {
    accessSync(dir, constants.W_OK);
    writeFileSync(probe, '');
    rmSync(probe, { force: true });
  } catch (e) {
    throw new UsageError(`--out ${out}: cannot write in this folder: ${reason(e)}`);
  }
  // The files we will write must not be folders (else training would end in EISDIR).
  for (const name of OUTPUT_FILES) {
    let folder = false;
    try {
      folder = statSync(join(dir, name)).isDirectory();
    } catch {
      // absent: fine
    }
    if (folder) throw new UsageError(`--out ${out}: ${name} there is a folder; the command writes a file of that name`);
  }
  return dir;
}

/** The files the command writes in --out (`train`, and `train --data`'s predicted-vs-true plot). */
const OUTPUT_FILES = ['history.json', 'model.safetensors', 'learning-curve.svg', 'learning-curve.png', 'decision-boundary.svg', 'decision-boundary.png',
  'comparison.svg', 'comparison.png', 'predicted-vs-true.svg', 'predicted-vs-true.png'];

/**
 * Checks `--out FILE` before any work: a file we can create or replace in an existing folder, and
 * not one of the command's own input files (`inputs`: path and what it is; `predict … --out
 * MODEL` replaced the model with the predictions). Returns the absolute path.
 */
export function checkOutputFile(flag: string, out: string, inputs: Array<[string, string]>): string {
  const path = resolve(out);
  let stat: Stats | null = null;
  try {
    stat = statSync(path);
  } catch (e) {
    if ((e as { code?: string }).code !== 'ENOENT') throw new UsageError(`${flag} ${out}: cannot use this path: ${reason(e)}`);
  }
  if (stat?.isDirectory()) throw new UsageError(`${flag} ${out}: is a folder; give a file name (e.g. ${join(out, 'predictions.csv')})`);
  if (stat && !stat.isFile()) throw new UsageError(`${flag} ${out}: not a regular file`);
  for (const [input, what] of inputs) {
    let same = false;
    try {
      const s = statSync(input);
      same = stat !== null && s.ino === stat.ino && s.dev === stat.dev;
    } catch {
      // an input that cannot be read is reported when it is read
    }
    if (same) throw new UsageError(`${flag} ${out}: is ${what} (${input}); writing there would destroy it`);
  }
  const dir = dirname(path);
  try {
    if (!statSync(dir).isDirectory()) throw Object.assign(new Error(`${dir} is a file`), { code: 'ENOTDIR' });
    accessSync(dir, constants.W_OK);
    const probe = join(dir, `.wasmnn-write-check-${process.pid}`);
    writeFileSync(probe, '');
    rmSync(probe, { force: true });
  } catch (e) {
    throw new UsageError(`${flag} ${out}: cannot write in ${dir}: ${reason(e)}`);
  }
  return path;
}

/**
 * Writes `data` to `path` through a temporary file in the same folder, renamed at the end: a
 * failure (a full disk) or a kill part-way leaves the old file, never half of the new one. The
 * error names `name` (the path, or the flag that gave it).
 */
export function writeFileAtomically(path: string, data: string | Uint8Array, name = path): void {
  const temporary = `${path}.wasmnn-${process.pid}.tmp`;
  try {
    writeFileSync(temporary, data);
    renameSync(temporary, path);
  } catch (e) {
    try {
      rmSync(temporary, { force: true });
    } catch {
      // not a file (a folder of that name made the write fail): leave it
    }
    throw new UsageError(`cannot write ${name}: ${reason(e)}`);
  }
}

/**
 * Removes the command's files that an earlier run left in `dir` and this run did not write (the
 * plots, after a run with --no-plots; predicted-vs-true after a classification): they showed
 * another model beside this run's files. Only regular files of the command's own names.
 */
export function removeStaleOutputs(dir: string, written: string[]): void {
  const kept = new Set(written.map((f) => resolve(f)));
  for (const name of OUTPUT_FILES) {
    const path = join(dir, name);
    if (kept.has(path)) continue;
    try {
      if (statSync(path).isFile()) rmSync(path);
    } catch {
      // absent
    }
  }
}

/** Writes history.json and (unless --no-plots) the plots of the rounds; returns the file names. */
export async function writeOutputs(dir: string, config: TrainConfig, rounds: unknown[], summary: unknown, results: RoundResult[]): Promise<string[]> {
  const historyPath = join(dir, 'history.json');
  writeFileAtomically(historyPath, JSON.stringify({ config, summary, rounds }, null, 2));
  const files = [historyPath];
  if (results.length > 0) {
    // The first round's trained model, with its architecture: loadModel(bytes) or torch read it.
    const modelPath = join(dir, 'model.safetensors');
    writeFileAtomically(modelPath, saveModel(results[0]!.model));
    files.push(modelPath);
  }
  if (config.plots && results.length > 0 && results[0]!.history.epochs.length > 0) {
    let plots: typeof import('./plots.js') | undefined;
    try {
      plots = await import('./plots.js');
    } catch (e) {
      console.error(`wasmnn: plots skipped: they need the optional packages vega, vega-lite and @resvg/resvg-js (${(e as Error).message.split('\n')[0]})`);
    }
    if (plots) files.push(...await plots.writePlots(config, results, dir));
  }
  removeStaleOutputs(dir, files);
  return files;
}
