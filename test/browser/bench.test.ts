// The browser benchmark (`npm run bench -- --browser`) runs and measures what it says: both pages
// cross-origin isolated, TF.js on its threaded SIMD binary with the thread count it was asked
// for (1 and 2: TF.js-wasm 4.22 alone would give 1 on a machine with 2 logical cores), wasmnn on
// 1 and 2 threads, and a finite time for every row. No timing is asserted: figures are in
// bench/RESULTS.md.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { hasChromium, root } from './browser.js';

interface PageInfo {
  page: number; crossOriginIsolated: boolean; hardwareConcurrency: number;
  tf: { threads: number; requested: number; binary: string; simd: boolean; multithread: boolean };
  wasmnn: { threads: number; requested: number; reason: string | null };
}
interface Result { pages: PageInfo[]; rows: Record<string, string | number>[]; summary: Record<string, string | number>[] }

describe.skipIf(!hasChromium)('bench --browser', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wasmnn-bench-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs wasmnn and TF.js-wasm threaded SIMD on 1 and 2 threads, as reported by both libraries', async () => {
    const json = join(dir, 'browser.json');
    await promisify(execFile)(process.execPath, ['bench/run.mjs', '--browser', '--quick', '--threads', '1,2', '--json', json], { cwd: root, timeout: 90_000 });
    const result = JSON.parse(readFileSync(json, 'utf8')) as Result;
    expect(result.pages.map((p) => p.page)).toEqual([1, 2]);
    for (const p of result.pages) {
      expect(p.crossOriginIsolated).toBe(true);
      expect(p.tf).toMatchObject({ binary: 'tfjs-backend-wasm-threaded-simd.wasm', simd: true, multithread: true, requested: p.page, threads: p.page });
      expect(p.wasmnn).toEqual({ backend: 'wasm', threads: p.page, requested: p.page, reason: null });
    }
    // The page reports its real core count again once TF.js has started.
    expect(result.pages[1]!.hardwareConcurrency).toBe(result.pages[0]!.hardwareConcurrency);
    expect(result.rows.map((r) => r.implementation)).toEqual([
      'wasmnn 1 thread', 'wasmnn 2 threads',
      'TF.js wasm threaded SIMD, 1 thread, minimize', 'TF.js wasm threaded SIMD, 2 threads, minimize',
      'TF.js wasm threaded SIMD, 1 thread, customGrad workaround', 'TF.js wasm threaded SIMD, 2 threads, customGrad workaround',
    ]);
    for (const row of result.rows) {
      expect(row.network).toBe('mid');
      expect(row['ms/step (median)']).toBeGreaterThan(0);
      expect(Number.isFinite(row['ms/step (median)'])).toBe(true);
    }
    expect(result.summary[0]).toMatchObject({ network: 'mid', 'TF.js threads reported': '1→1, 2→2' });
  }, 120_000);
});
