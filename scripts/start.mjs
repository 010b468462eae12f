// `npm start [-- flags]`: builds once if dist/ is missing (a fresh clone after `npm ci`), then runs
// `wasmnn train` with the flags. (The package has no install-time `prepare` build: installing it
// must run no scripts.)
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

if (!existsSync('dist/cli.js') || !existsSync('dist/index.js')) {
  const npm = process.env.npm_execpath;
  const r = npm ? spawnSync(process.execPath, [npm, 'run', 'build'], { stdio: 'inherit' }) : spawnSync('npm', ['run', 'build'], { stdio: 'inherit', shell: true });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
const r = spawnSync(process.execPath, ['dist/cli.js', 'train', ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(r.status ?? 1);
