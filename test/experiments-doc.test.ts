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

/** The `wasmnn train` lines of a markdown text (continuation lines joined), and their variants. */
function docCommands(markdown: string): string[] {
  const text = markdown.replace(/\\\n\s*/g, ' ');
  const out: string[] = [];
  let last: string | undefined;
  const variants = (base: string, comment: string): void => {
    for (const piece of comment.replace(/^(variants:|and)\s*/, '').split(';')) {
      const flags = piece.trim().replace(/^and\s+/, '');
      if (flags.startsWith('--')) out.push(`${base} ${flags}`);
    }
  };
  for (const raw of text.split('\n')) {
    const line = raw.trim().replace(/^- \*\*[^*]+\*\*: /, '').replace(/^`|`$/g, '');
    const m = /^(wasmnn train .*?)(?:\s+#\s*(.*))?$/.exec(line);
    if (m) {
      last = m[1]!;
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
    expect(doc).toContain(`${doc.find((c) => c.includes('--dataset xor --loss bce'))} --optim sgd`);
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
