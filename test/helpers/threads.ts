// The pool's workers, seen from the tests: how many chunks they ran, and a check that they took
// part in some work that does not depend on the scheduler's luck.
import { runtime } from '../../src/backend/runtime.js';

/** Chunks run by workers (threads other than the caller) so far. */
export const workerChunks = (): number => (runtime().pool?.chunksByThread() ?? [0]).slice(1).reduce((s, c) => s + c, 0);

/**
 * Whether a worker has run a chunk since `before`, running `again` (split work whose result is
 * not checked) up to 200 times until one has: on a loaded machine the calling thread can take
 * every chunk of a short run before a worker is scheduled at all, which proves nothing wrong.
 */
export function workersTookPart(before: number, again: () => void): boolean {
  for (let i = 0; i < 200 && workerChunks() <= before; i++) again();
  return workerChunks() > before;
}
