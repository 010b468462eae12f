// Round 7 probes of the command as a hostile or careless user runs it: CSV files as spreadsheets
// write them, flags given twice or out of range, predict / evaluate with the wrong files, --out
// pointing at the inputs, and the outputs checked (loadable by the library and by PyTorch, the
// same bytes from the same command). Each test says what the command did before (run against
// the build of e40599e); the fixes are in src/cli (and TabularModel's batchSize option).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Adam, Linear, Sequential, Tensor, TabularModel, loadModel, predict, saveCheckpoint } from '../../src/index.js';
import { MAX_TABLE_VALUES } from '../../src/cli/tabular-train.js';
import { UsageError } from '../../src/cli/options.js';
import { writeFileAtomically } from '../../src/cli/output.js';
import { runTorch, torchAvailable } from '../helpers/torch.js';

const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'wasmnn-trust7-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}
function run(args: string[], timeout = 60_000): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout, cwd: dir });
  expect(r.signal, 'ended by itself (not killed by the timeout)').toBeNull();
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
/** The command ends with one `wasmnn: …` line matching `message`, the exit code, no stack trace, nothing trained. */
function failsWith(args: string[], message: RegExp, code = 2): string {
  const r = run(args);
  expect(r.code, r.stderr).toBe(code);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^wasmnn: /);
  expect(lines[0]).toMatch(message);
  expect(r.stdout).not.toMatch(/accuracy|MAE|epoch/);
  return lines[0]!;
}
const out = (name: string): string => join(dir, name);
/** `train --data csv --target y` with flags, and --epochs 2 --quiet --no-plots --out run unless the flags give them. */
function train(csv: string, ...flags: string[]): string[] {
  const given = (flag: string): boolean => flags.some((f) => f === flag || f.startsWith(`${flag}=`));
  const defaults = [['--epochs', '2'], ['--quiet'], ['--no-plots'], ['--out', out('run')]].filter(([f]) => !given(f!)).flat();
  return ['train', '--data', csv, '--target', 'y', ...defaults, ...flags];
}

const GOOD = 'a,b,y\n1,2,x\n3,4,z\n5,6,x\n7,8,z\n1,1,x\n2,2,z\n';
const good = file('good.csv', GOOD);

describe('round 7: CSV files as spreadsheets write them', () => {
  it('a byte-order mark, CRLF line ends and trailing empty lines read as the plain file: the same model, byte for byte (held)', () => {
    expect(run(train(good, '--out', out('plain'))).code).toBe(0);
    const messy = file('messy.csv', `\ufeff${GOOD.replace(/\n/g, '\r\n')}\r\n\r\n`);
    expect(run(train(messy, '--out', out('messy'))).code).toBe(0);
    expect(readFileSync(out('messy/model.safetensors'))).toEqual(readFileSync(out('plain/model.safetensors')));
  });

  it('a header without rows, and rows of other lengths, are refused naming the file (held)', () => {
    failsWith(train(file('header.csv', 'a,b,y\n')), /header\.csv: no data rows/);
    failsWith(train(file('ragged.csv', 'a,b,y\n1,2,x\n3,4\n')), /ragged\.csv: not a valid CSV file: .*line 3/);
  });

  it('an empty column name is refused, naming the column (it trained, the column named \'\')', () => {
    failsWith(train(file('blank.csv', 'a,,y\n1,2,x\n3,4,z\n5,6,x\n7,8,z\n')), /blank\.csv: column 2 of the header has no name; name it or remove the column/);
    // a trailing comma on every line: "line 2: column '': missing value (''); pass impute (…)"
    failsWith(train(file('trailing-comma.csv', GOOD.replace(/\n/g, ',\n'))), /trailing-comma\.csv: column 4 of the header has no name \(a trailing comma\?\)/);
  });

  it("a file separated by ';' or tabs says so (it was \"--target: … has no column 'y'; it has a;b;y\")", () => {
    failsWith(train(file('semicolon.csv', GOOD.replace(/,/g, ';'))), /semicolon\.csv: the header is one column, 'a;b;y', which holds ';': the command reads comma-separated files/);
    failsWith(train(file('tabs.csv', GOOD.replace(/,/g, '\t'))), /tabs\.csv: the header is one column, .* which holds '\\t'/);
  });

  it("a numeric column with text in some cells ('NaN', 'Infinity', a typo) is refused at that cell unless --categorical names it (every number became a category: with --unknown-category ignore it trained on that, silently)", () => {
    const typo = file('typo.csv', 'a,b,y\n1,2,x\nfoo,4,z\n5,6,x\n7,8,z\n1,1,x\n2,2,z\n');
    failsWith(train(typo, '--unknown-category', 'ignore'), /typo\.csv line 3: column 'a': "foo" is not a number, but 5 other cells of the column are; .*--categorical a/);
    for (const cell of ['NaN', 'Infinity', 'n/a', '1,5']) {
      const csv = file('cell.csv', `a,b,y\n"${cell}",2,x\n3,4,z\n5,6,x\n7,8,z\n1,1,x\n2,2,z\n`);
      failsWith(train(csv), new RegExp(`cell\\.csv line 2: column 'a': "${cell.replace('/', '\\/')}" is not a number`));
    }
    expect(run(train(typo, '--categorical', 'a', '--unknown-category', 'ignore')).code).toBe(0);
  });

  it('a target of numbers with text in some cells is refused (the seeded split made it a classification of numbers, or failed on a test line)', () => {
    const csv = file('mixed-target.csv', 'a,b,y\n1,2,1\n3,4,2\n5,6,x\n7,8,1\n1,1,2\n2,2,1\n4,4,x\n5,5,x\n6,6,2\n');
    for (const seed of ['1', '2', '3']) failsWith(train(csv, '--seed', seed), /mixed-target\.csv line 4: the target 'y' holds "x" beside numbers .*--task classification/);
    const r = run(train(csv, '--task', 'classification', '--json'));
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).classes).toEqual([1, 2, 'x']);
  });

  it('a target with one class, or a class only the test rows hold, is refused naming --target (a LabelEncoder message, exit 1; or "class … was not seen at fit time" for a test line)', () => {
    failsWith(train(file('one-class.csv', 'a,b,y\n1,2,x\n3,4,x\n5,6,x\n7,8,x\n')), /--target y: every one of the 4 rows with a value has the class "x"; a classification needs at least 2 classes/);
    const rare = file('rare.csv', 'a,b,y\n1,2,x\n3,4,x\n5,6,x\n7,8,x\n1,1,x\n2,2,x\n3,3,x\n4,4,x\n5,5,x\n6,6,z\n');
    let refused = 0;
    for (let seed = 1; seed <= 8; seed++) {
      const r = run(train(rare, '--seed', String(seed)));
      if (r.code === 0) continue;
      refused++;
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/^wasmnn: --target y: the class "z" \(line 11\) has 1 row, all among the test rows of this split, so no training row teaches it; .*--seed or --test-split\n$/);
    }
    expect(refused).toBeGreaterThan(0); // seeds 3 and 8 put line 11 in the test rows
  });

  it('a regression target that does not vary is refused (it trained and printed "R² -Infinity"; history.json had null)', () => {
    failsWith(train(file('constant.csv', 'a,b,y\n1,2,5\n3,4,5\n5,6,5\n7,8,5\n1,1,5\n2,2,5\n')), /--target y: every one of the 5 training rows has the value 5; a regression needs values that vary/);
  });

  it('R² of test values that are all equal (one test row) is scikit-learn\'s 0, as r2Score (it was "R² -Infinity")', () => {
    const r = run(train(file('six.csv', 'a,b,y\n1,2,1\n3,4,2\n5,6,3\n7,8,4\n1,1,5\n2,2,6\n')));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/test: {2}MAE [\d.e+-]+, RMSE [\d.e+-]+, R² 0\.0000 \(1 row\)/);
    expect(r.stdout).not.toMatch(/Infinity|NaN/);
  });

  it('100 000 distinct values in a text column (an id) are refused before encoding, naming the column (a raw "internal error: Invalid typed array length")', () => {
    const rows = Array.from({ length: 100_000 }, (_, i) => `id${i},${i % 7},${i % 2 ? 'x' : 'z'}`);
    const ids = file('ids.csv', ['id,a,y', ...rows].join('\n'));
    const line = failsWith(train(ids), /ids\.csv: one-hot encoding gives 80001 inputs per row \('id': 80000 categories\); 100000 rows × 80001 inputs is more than the \d+ values the command holds; .*--exclude id/);
    expect(line).toContain(String(MAX_TABLE_VALUES));
    expect(run(train(ids, '--exclude', 'id', '--epochs', '1')).code).toBe(0);
  }, 120_000);

  it('a feature column empty in every training row is refused naming it (with --impute: "impute: column \'b\' has no values to compute a mean from", no file, exit 1)', () => {
    const empty = file('empty-column.csv', 'a,b,y\n1,,x\n3,,z\n5,,x\n7,,z\n1,,x\n2,,z\n');
    for (const flags of [[], ['--impute', 'mean'], ['--impute', 'mostFrequent']]) {
      failsWith(train(empty, ...flags), /empty-column\.csv: column 'b' has no value in any of the 5 training rows; leave it out with --exclude b/);
    }
    expect(run(train(empty, '--exclude', 'b')).code).toBe(0);
  });

  it('a header of 200 000 columns is named in short messages (a missing --target, or a model\'s missing features, printed every name: 1.7 MB on one line)', () => {
    const names = Array.from({ length: 200_000 }, (_, i) => `c${i}`);
    const wide = file('wide.csv', `${names.join(',')},y\n${names.map((_, i) => i % 10).join(',')},x\n`);
    const line = failsWith(['train', '--data', wide, '--target', 'nope', '--out', out('run')],
      /--target: .*wide\.csv has no column 'nope'; it has c0, c1, .*, c19, … \(200001 columns\)$/);
    expect(line.length).toBeLessThan(1000);
    expect(run(train(good, '--out', out('narrow'))).code).toBe(0);
    const missing = failsWith(['predict', join(out('narrow'), 'model.safetensors'), wide], /wide\.csv has no columns 'a', 'b', which the model reads \(its features: a, b\); the file has c0, .* \(200001 columns\)$/);
    expect(missing.length).toBeLessThan(1000);
  });

  it('a file whose rows would not fit the JavaScript heap is refused before parsing (node ended with "FATAL ERROR: … JavaScript heap out of memory" and its GC trace)', () => {
    const rows = Array.from({ length: 200_000 }, (_, i) => `1,2,3,4,5,6,7,8,9,${i % 2 ? 'x' : 'z'}`);
    const mid = file('mid.csv', ['a,b,c,d,e,f,g,h,i,y', ...rows].join('\n'));
    // A 64 MB heap stands for a file too large for the default one (512 MiB of CSV is allowed).
    const r = spawnSync(process.execPath, ['--max-old-space-size=64', cli, ...train(mid)], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/^wasmnn: .*mid\.csv: about 200000 rows × 10 columns; reading them takes about [\d.]+ GB of JavaScript memory, more than this process has \([\d.]+ GB\); .*--max-old-space-size/);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run(train(mid, '--epochs', '1')).code).toBe(0); // the default heap reads it
  }, 120_000);

  it('1e39 in a feature trains (scaled in float64 first); with --scale none it is refused at its line (held)', () => {
    const huge = file('huge.csv', GOOD.replace('1,2,x', '1e39,2,x'));
    expect(run(train(huge)).code).toBe(0);
    failsWith(train(huge, '--scale', 'none'), /huge\.csv line \d+: column 'a': the value does not fit in float32/);
  });
});

describe('round 7: flags', () => {
  it('a flag given twice is refused, in every subcommand (the last one silently won: --data a.csv … --data b.csv trained on b.csv)', () => {
    failsWith([...train(good), '--epochs', '3'], /--epochs is given twice \(--epochs 2 and --epochs 3\); give it once/);
    failsWith(['train', '--data', good, '--target', 'y', '--data', good], /--data is given twice/);
    failsWith(['train', '--hidden', '4', '--hidden=8'], /--hidden is given twice \(--hidden 4 and --hidden 8\)/);
    failsWith(['predict', 'm', good, '--out', 'a.csv', '--out', 'b.csv'], /--out is given twice/);
    failsWith(['evaluate', 'm', good, '--json', '--json'], /--json is given twice/);
  });

  it("negative values read as values in train --data too (node's \"Option '--lr' argument is ambiguous\")", () => {
    failsWith(train(good, '--lr', '-1'), /^wasmnn: --lr: must be > 0, got -1$/);
    failsWith(train(good, '--seed', '-1'), /^wasmnn: --seed: must be ≥ 0, got -1$/);
    failsWith(train(good, '--test-split', '-0.5'), /--test-split: expected a fraction between 0 and 1, got '-0\.5'/);
  });

  it('a flag without its value says so (node\'s "Option \'--data\' argument is ambiguous." / "\'--out <value>\' argument missing")', () => {
    failsWith(['train', '--data', '--target', 'y'], /^wasmnn: --data needs a value \(--target follows it\); allowed flags with --data: /);
    failsWith(['train', '--lr'], /^wasmnn: --lr needs a value \(nothing follows it\); allowed flags: /);
    failsWith(['predict', 'm', good, '--out'], /^wasmnn: --out needs a value \(nothing follows it\); usage: wasmnn predict/);
    failsWith(['train', '--quiet=yes'], /^wasmnn: --quiet takes no value \(give --quiet alone\)/);
  });

  it('a misspelt command gets a suggestion, and a flag before any command says where it goes (held: one line; it said only "unknown command \'--data\'")', () => {
    failsWith(['predcit', 'm', good], /^wasmnn: unknown command 'predcit'; did you mean 'predict'\? expected: train, predict, evaluate, help$/);
    failsWith(['--data', good, '--target', 'y'], /^wasmnn: '--data' is a flag: it comes after a command \(wasmnn train --data …\)/);
  });

  it('--lr 0 is refused (a model that never changed was trained and saved)', () => {
    failsWith(train(good, '--lr', '0'), /^wasmnn: --lr: must be > 0, got 0$/);
    failsWith(['train', '--lr', '0'], /^wasmnn: --lr: must be > 0, got 0$/);
  });

  it('--seed past 2^53 - 1 is a range error naming the flag (the library\'s "manualSeed: …", exit 1); so is --rounds that would pass it', () => {
    failsWith(train(good, '--seed', '1e20'), /^wasmnn: --seed: must be ≤ 9007199254740990, got 1e20$/);
    failsWith(['train', '--seed', '1e20'], /^wasmnn: --seed: must be ≤ 9007199254740990, got 1e20$/);
    failsWith(['train', '--seed', '9007199254740991'], /^wasmnn: --seed: must be ≤ 9007199254740990, got 9007199254740991$/); // fit's "seed must be ≤ …", exit 1
    failsWith(['train', '--seed', '9007199254740990', '--rounds', '2'], /--rounds 2 with --seed 9007199254740990: the last round's seed would pass 2\^53 - 2/);
  });

  it('a diverging run is one line saying so and naming --lr (it was "CrossEntropyLoss.forward: the loss is NaN …"); nothing is written', () => {
    failsWith(train(good, '--lr', '1e30', '--out', out('diverged')), /^wasmnn: training diverged: .*the loss is NaN.*; try a smaller --lr \(it is 1e\+30\)$/, 1);
    failsWith(['train', '--lr', '1e30', '--epochs', '2', '--quiet', '--no-plots', '--out', out('diverged2')], /^wasmnn: training diverged: at epoch 1, batch \d+: .*; try a smaller --lr/, 1);
    expect(readdirSync(out('diverged'))).toEqual([]);
  });

  it('--batch-size larger than the data trains on the whole set per step, --hidden takes spaces, --flag=value works (held)', () => {
    const r = run(train(good, '--batch-size', '1000', '--hidden= 8 , 4 ', '--epochs=3', '--json'));
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.config.hidden).toEqual([8, 4]);
    expect(result.architecture).toBe('2-8-4-2 relu');
  });
});

describe('round 7: predict and evaluate with the wrong files', () => {
  const modelDir = out('model');
  const model = join(modelDir, 'model.safetensors');
  it('trains the model the probes use', () => {
    expect(run(train(good, '--out', modelDir)).code).toBe(0);
  });

  it('--out naming the model file or the rows is refused (the predictions replaced the model)', () => {
    const before = readFileSync(model);
    failsWith(['predict', model, good, '--out', model], /--out .*model\.safetensors: is the model file \(.*\); writing there would destroy it/);
    failsWith(['predict', model, good, '--out', good], /--out .*good\.csv: is the file of rows \(.*\); writing there would destroy it/);
    expect(readFileSync(model)).toEqual(before);
    expect(readFileSync(good, 'utf8')).toBe(GOOD);
  });

  it('--out a folder, under a missing folder, or where nothing can be written is refused before any work (raw EISDIR / ENOENT / EACCES, exit 1)', () => {
    failsWith(['predict', model, good, '--out', modelDir], /--out .*model: is a folder; give a file name/);
    failsWith(['predict', model, good, '--out', out('nowhere/p.csv')], /--out .*nowhere\/p\.csv: cannot write in .*nowhere: no such folder \(ENOENT\)/);
    failsWith(['predict', model, good, '--out', '/sys/kernel/p.csv'], /--out \/sys\/kernel\/p\.csv: cannot write in \/sys\/kernel: permission denied/);
  });

  it('an existing --out file is replaced whole, and nothing else is left in its folder (held; documented)', () => {
    const target = file('predictions.csv', 'old');
    const r = run(['predict', model, good, '--out', target]);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(target, 'utf8').split('\n')[0]).toBe('a,b,y,predicted_y');
    expect(readdirSync(dir).filter((f) => f.includes('.tmp') || f.includes('write-check'))).toEqual([]);
  });

  it('a checkpoint, a model without preprocessing and a truncated file are named as such (library messages: "use loadModel(bytes)"; "safetensors: header length …" without the file, exit 1)', () => {
    const net = new Sequential(new Linear(2, 2));
    const checkpoint = file('checkpoint.safetensors', saveCheckpoint(net, new Adam(net.parameters())));
    failsWith(['predict', checkpoint, good], /checkpoint\.safetensors: a training checkpoint \(saveCheckpoint: model and optimizer state\), not a model file; predict and evaluate take the model\.safetensors written by `wasmnn train --data`/);
    expect(run(['train', '--epochs', '1', '--no-plots', '--quiet', '--out', out('points')]).code).toBe(0);
    failsWith(['evaluate', join(out('points'), 'model.safetensors'), good], /points\/model\.safetensors: a model without preprocessing \(saveModel, or `wasmnn train --dataset`\)/);
    const bytes = readFileSync(model);
    for (const n of [0, 7, 300, bytes.length - 1]) {
      failsWith(['predict', file('cut.safetensors', bytes.subarray(0, n)), good], /cut\.safetensors: not a model file of `wasmnn train --data`: /);
    }
  });

  it('rows without a column the model reads name the file and the columns (a library "TabularPreprocessor: unknown feature column", exit 1); extra columns are kept (held)', () => {
    failsWith(['predict', model, file('other.csv', 'a,c\n1,2\n')], /other\.csv has no column 'b', which the model reads \(its features: a, b\); the file has a, c/);
    failsWith(['evaluate', model, file('no-a.csv', 'b,y\n1,x\n')], /no-a\.csv has no column 'a', which the model reads/);
    const r = run(['predict', model, file('extra.csv', 'id,a,b,note\n7,1,2,"hello, world"\n')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^id,a,b,note,predicted_y\n7,1,2,"hello, world",[xz]\n$/);
  });

  it('predicting on an earlier output (a predicted_y column) is refused (the output had two predicted_y columns, which no command reads back)', () => {
    const first = run(['predict', model, good]);
    expect(first.code, first.stderr).toBe(0);
    failsWith(['predict', model, file('predicted.csv', first.stdout)], /predicted\.csv already has a column 'predicted_y' \(predictions of an earlier run\?\); remove it/);
  });

  it("the advice in a bad cell's message is the command's, not the library's option names (\"pass impute (mean, …, { constant })\", \"pass unknownCategory: 'ignore'\")", () => {
    const missing = failsWith(['predict', model, file('missing.csv', 'a,b\n1,\n')], /missing\.csv line 2: column 'b': missing value \(''\); the model was trained without --impute/);
    expect(missing).not.toMatch(/impute \(|constant/);
    expect(run(train(file('cats.csv', 'a,c,y\n1,p,x\n3,q,z\n5,p,x\n7,q,z\n1,p,x\n2,q,z\n'), '--out', out('cats'))).code).toBe(0);
    const unseen = failsWith(['predict', join(out('cats'), 'model.safetensors'), file('unseen.csv', 'a,c\n1,r\n')], /unseen\.csv line 2: column 'c': category "r" was not seen at fit time .*trained with --unknown-category error/);
    expect(unseen).not.toMatch(/unknownCategory/);
    const regression = join(out('reg-model'), 'model.safetensors');
    expect(run(train(file('reg-six.csv', 'a,b,y\n1,2,1\n3,4,2\n5,6,3\n7,8,4\n1,1,5\n2,2,6\n'), '--out', out('reg-model'))).code).toBe(0);
    const label = failsWith(['evaluate', regression, file('labels.csv', 'a,b,y\n1,2,big\n')], /labels\.csv line 2: column 'y': "big" is not a number \(regression target\); the model predicts numbers \(a regression\)/);
    expect(label).not.toMatch(/task:/);
    failsWith(train(file('gap.csv', 'a,b,y\n1,,x\n3,4,z\n5,6,x\n7,8,z\n1,1,x\n2,2,z\n')), /gap\.csv line 2: column 'b': missing value \(''\); fill the cell, or pass --impute mean\|median\|mostFrequent/);
  });
});

describe('round 7: the output folder', () => {
  it('a predicted-vs-true plot that is a folder is refused before training (EISDIR after training)', () => {
    const folder = out('plot-folder');
    mkdirSync(join(folder, 'predicted-vs-true.svg'), { recursive: true });
    failsWith(['train', '--data', file('reg.csv', 'a,b,y\n1,2,1\n3,4,2\n5,6,3\n7,8,4\n1,1,5\n2,2,6\n'), '--target', 'y', '--epochs', '2', '--out', folder],
      /--out .*plot-folder: predicted-vs-true\.svg there is a folder/);
  });

  it('the outputs are written through a temporary file: a write that fails leaves the previous file whole and one line naming it (a raw fs error after a half-written file)', () => {
    const target = file('kept.safetensors', 'previous model');
    mkdirSync(`${target}.wasmnn-${process.pid}.tmp`); // the write fails (EISDIR) as a full disk would, at the first byte
    let caught: unknown;
    try {
      writeFileAtomically(target, 'new bytes');
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(UsageError);
    expect((caught as Error).message).toMatch(/^cannot write .*kept\.safetensors: /);
    expect(readFileSync(target, 'utf8')).toBe('previous model');
    rmSync(`${target}.wasmnn-${process.pid}.tmp`, { recursive: true });
    writeFileAtomically(target, 'new bytes');
    expect(readFileSync(target, 'utf8')).toBe('new bytes');
    expect(readdirSync(dir).filter((f) => f.startsWith('kept.safetensors'))).toEqual(['kept.safetensors']);
  });

  it("files of an earlier run that this run does not write are removed (a classification's folder kept the regression's predicted-vs-true plot; --no-plots kept the old plots)", () => {
    const folder = out('reused');
    const reg = join(dir, 'reg.csv');
    expect(run(['train', '--data', reg, '--target', 'y', '--epochs', '2', '--quiet', '--out', folder]).code).toBe(0);
    expect(existsSync(join(folder, 'predicted-vs-true.png'))).toBe(true);
    expect(run(['train', '--data', good, '--target', 'y', '--epochs', '2', '--quiet', '--out', folder]).code).toBe(0);
    expect(readdirSync(folder).sort()).toEqual(['history.json', 'learning-curve.png', 'learning-curve.svg', 'model.safetensors']);
    expect(run(['train', '--data', good, '--target', 'y', '--epochs', '2', '--quiet', '--no-plots', '--out', folder]).code).toBe(0);
    expect(readdirSync(folder).sort()).toEqual(['history.json', 'model.safetensors']);
    writeFileSync(join(folder, 'notes.txt'), 'mine');
    expect(run(['train', '--epochs', '2', '--quiet', '--no-plots', '--out', folder]).code).toBe(0);
    expect(readdirSync(folder).sort()).toEqual(['history.json', 'model.safetensors', 'notes.txt']); // not the command's: kept
  });
});

describe('round 7: the outputs (held)', () => {
  const timings = (text: string): unknown => JSON.parse(text, (k, v) => (k === 'seconds' || k === 'stepsPerSecond' || k === 'out' ? undefined : v));

  it('the same command twice gives byte-identical model files and plots, and history.json equal but for timings and --out (tabular, 2-D, images)', () => {
    const runs: Array<[string, string[]]> = [
      ['tab', ['train', '--data', file('reg20.csv', ['a,b,y', ...Array.from({ length: 20 }, (_, i) => `${i % 7},${(i * 3) % 5},${i + (i % 3)}`)].join('\n')), '--target', 'y', '--epochs', '3']],
      ['points', ['train', '--epochs', '3', '--n-train', '200', '--n-test', '100']],
      ['digits', ['train', '--dataset', 'mnist', '--layers', 'avgpool4,flatten,10', '--epochs', '1', '--batch-size', '500', '--no-plots']],
    ];
    for (const [name, args] of runs) {
      const [a, b] = [out(`${name}-1`), out(`${name}-2`)];
      for (const folder of [a, b]) expect(run([...args, '--quiet', '--out', folder], 120_000).code).toBe(0);
      const files = readdirSync(a).sort();
      expect(readdirSync(b).sort()).toEqual(files);
      for (const f of files.filter((f) => f !== 'history.json')) expect(readFileSync(join(a, f)).equals(readFileSync(join(b, f))), `${name}/${f}`).toBe(true);
      expect(timings(readFileSync(join(a, 'history.json'), 'utf8'))).toEqual(timings(readFileSync(join(b, 'history.json'), 'utf8')));
    }
  }, 300_000);

  it('history.json is JSON without NaN or Infinity, the plots hold no NaN, the model loads with TabularModel.load and loadModel', () => {
    const folder = out('tab-1');
    const text = readFileSync(join(folder, 'history.json'), 'utf8');
    expect(text).not.toMatch(/NaN|Infinity|null/);
    for (const f of ['learning-curve.svg', 'predicted-vs-true.svg']) {
      const svg = readFileSync(join(folder, f), 'utf8');
      expect(svg.startsWith('<svg')).toBe(true);
      expect(svg).not.toMatch(/NaN|Infinity/);
    }
    expect(readFileSync(join(folder, 'learning-curve.png')).subarray(1, 4).toString()).toBe('PNG');
    const bytes = new Uint8Array(readFileSync(join(folder, 'model.safetensors')));
    const tabular = TabularModel.load(bytes);
    expect(tabular.predict([{ a: 1, b: 2 }])).toHaveLength(1);
    loadModel(bytes).dispose();
    tabular.model.dispose();
  });

  it.skipIf(!torchAvailable())('the model file loads into torch.nn.Sequential with load_state_dict(strict=True) and gives the same outputs', () => {
    const bytes = new Uint8Array(readFileSync(join(out('model'), 'model.safetensors')));
    const model = loadModel(bytes);
    const x = [[0.5, -1], [2, 0.25], [-0.3, 0.8]];
    const input = Tensor.from(x);
    const ours = predict(model, input);
    const theirs = runTorch<number[][]>(`
import json, sys
sys.path.insert(0, ${JSON.stringify(fileURLToPath(new URL('../io', import.meta.url)))})
import torch
from pytorch_reference_io import read_safetensors
cfg = json.load(sys.stdin)
m = torch.nn.Sequential(torch.nn.Linear(2, 32), torch.nn.ReLU(), torch.nn.Linear(32, 16), torch.nn.ReLU(), torch.nn.Linear(16, 2))
m.load_state_dict(read_safetensors(cfg["weights"]), strict=True)
print(json.dumps(m(torch.tensor(cfg["x"])).tolist()))
`, { weights: join(out('model'), 'model.safetensors'), x });
    const got = ours.toArray() as number[][];
    theirs.forEach((row, i) => row.forEach((v, j) => expect(Math.abs(v - got[i]![j]!)).toBeLessThan(1e-5)));
    for (const t of [input, ours]) t.dispose();
    model.dispose();
  });
});
