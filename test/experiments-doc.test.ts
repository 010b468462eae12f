// Every `wasmnn train` command of docs/EXPERIMENTS.md (its shell blocks, with the variants their
// `# and …` / `# variants: …; …` comments name) and every command listed in
// docs/experiments/results.md (those scripts/experiments.sh ran) is accepted by the command's own
// option parser and the checks `wasmnn train` makes before any training: a renamed or refused flag
// makes this fail instead of leaving the doc stale. No training is run (the numbers are
// scripts/experiments.sh's to regenerate).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { outputUnits } from '../src/cli/experiment.js';
import { parseTrainArgs } from '../src/cli/options.js';
import { parseTabularArgs } from '../src/cli/tabular-options.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const read = (path: string): string => readFileSync(join(root, path), 'utf8');

/** `--flag value` / `--switch` groups of a command's words. */
function flagGroups(words: string[]): string[][] {
  const groups: string[][] = [];
  for (const w of words) {
    if (w.startsWith('--') || groups.length === 0) groups.push([w]);
    else groups[groups.length - 1]!.push(w);
  }
  return groups;
}

/**
 * A variant of `base`: its flags take the place of the same flags in base (the doc's "variants:
 * --optim adam" means that run with Adam instead; the command refuses a flag given twice).
 */
function withFlags(base: string, flags: string): string {
  const groups = flagGroups(base.split(/\s+/));
  for (const g of flagGroups(flags.split(/\s+/))) {
    const at = groups.findIndex((h) => h[0] === g[0]);
    if (at >= 0) groups[at] = g;
    else groups.push(g);
  }
  return groups.map((g) => g.join(' ')).join(' ');
}

/** The `wasmnn train` lines of a markdown text (continuation lines joined), and their variants. */
function docCommands(markdown: string): string[] {
  const text = markdown.replace(/\\\n\s*/g, ' ');
  const out: string[] = [];
  let last: string | undefined;
  const variants = (base: string, comment: string): void => {
    for (const piece of comment.replace(/^(variants:|and)\s*/, '').split(';')) {
      const flags = piece.trim().replace(/^and\s+/, '');
      if (flags.startsWith('--')) out.push(withFlags(base, flags));
    }
  };
  for (const raw of text.split('\n')) {
    const line = raw.trim().replace(/^- \*\*[^*]+\*\*: /, '').replace(/^`|`$/g, '');
    const m = /^(wasmnn train .*?)(?:\s+#\s*(.*))?$/.exec(line);
    if (m) {
      last = m[1]!.replace(/\s+/g, ' ');
      out.push(last);
      if (m[2]) variants(last, m[2]);
    } else if (last !== undefined && line.startsWith('#')) {
      variants(last, line.slice(1).trim());
    } else {
      last = undefined;
    }
  }
  return out;
}

/** What `wasmnn train` checks before it trains (src/cli/main.ts): the flags, then loss and outputs. */
function check(command: string): void {
  const args = command.replace(/^wasmnn train /, '').split(/\s+/).filter((a) => a !== '');
  if (args.includes('--data')) {
    parseTabularArgs(args);
  } else {
    outputUnits(parseTrainArgs(args));
  }
}

describe('docs/EXPERIMENTS.md commands', () => {
  const doc = docCommands(read('docs/EXPERIMENTS.md'));
  const results = docCommands(read('docs/experiments/results.md'));

  it('finds the commands and their variants', () => {
    expect(doc.length).toBeGreaterThanOrEqual(15); // 6 shell blocks, 9 variants
    expect(doc.some((c) => c.includes('--data '))).toBe(true);
    // A variant replaces its base's flag: the XOR Adam command's "--optim sgd" variant is that command with SGD.
    const xorAdam = doc.find((c) => c.includes('--dataset xor --loss bce') && c.includes('--optim adam'))!;
    expect(doc).toContain(xorAdam.replace('--optim adam', '--optim sgd'));
    expect(results.length).toBeGreaterThanOrEqual(30);
  });

  it('reads a flag renamed since the doc was written as a failure', () => {
    expect(() => check('wasmnn train --dataset disk --optimizer adam')).toThrow(/unknown flag '--optimizer'/);
    expect(() => check('wasmnn train --dataset disk --optim adam --momentum 0.9')).toThrow(/momentum/);
  });

  it.each(doc.map((c, i) => [i, c] as const))('EXPERIMENTS.md command %i is accepted', (_i, command) => {
    expect(() => check(command)).not.toThrow();
  });

  it.each(results.map((c, i) => [i, c] as const))('results.md command %i is accepted', (_i, command) => {
    expect(() => check(command)).not.toThrow();
  });
});
