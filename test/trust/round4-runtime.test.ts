// Round 4 probes of init / setBackend: a value String() cannot convert (an object without a
// prototype, as JSON-like config loaders make) was a raw TypeError thrown while building the
// message; now a ValueError that describes the value. A rejected init keeps the threads it had.
import { describe, expect, it } from 'vitest';
import { ValueError, WasmnnError, getBackend, getThreads, init, setBackend } from '../../src/index.js';
import { rejects } from '../helpers/trust.js';

const bare = (): object => Object.create(null) as object;

describe('round 4: init({ threads }) and setBackend with values String() refuses', () => {
  it('init({ threads: Object.create(null) }) is a ValueError naming threads; the thread count stays', async () => {
    const before = getThreads();
    let caught: unknown = null;
    try {
      await init({ threads: bare() as never });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(WasmnnError);
    expect(caught).toBeInstanceOf(ValueError);
    expect((caught as Error).message).toMatch(/^init: threads must be 'auto' or an integer from 1 to 64, got an object$/);
    expect(getThreads()).toEqual(before);
  });

  it('init({ threads }) with a symbol or a long string describes it', async () => {
    await expect(init({ threads: Symbol('t') as never })).rejects.toThrow(/got a symbol$/);
    await expect(init({ threads: 'x'.repeat(100) as never })).rejects.toThrow(/got 'x{40}…' \(a string\)$/);
  });

  it('setBackend(Object.create(null)) is a ValueError; the backend stays', () => {
    const before = getBackend();
    rejects(() => setBackend(bare() as never), ValueError, /^setBackend: name must be 'wasm' or 'reference', got an object$/);
    expect(getBackend()).toBe(before);
  });
});
