// Writes the cars data of vega-datasets (BSD-3-Clause; StatLib's auto-mpg) as CSV to the path
// given (default cars.csv), for the tabular example of scripts/experiments.sh and the README.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const rows = JSON.parse(readFileSync(join(dirname(require.resolve('vega-datasets')), '..', 'data', 'cars.json'), 'utf8'));
const columns = Object.keys(rows[0]);
const field = (v) => (v === null || v === undefined ? '' : /[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
writeFileSync(process.argv[2] ?? 'cars.csv', [columns.join(','), ...rows.map((r) => columns.map((c) => field(r[c])).join(','))].join('\n') + '\n');
