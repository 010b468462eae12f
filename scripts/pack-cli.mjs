// prepack of packages/cli (wasmnn-cli): copies the command's build (dist/cli.js and the chunks it
// loads) from the root build into packages/cli/dist. Run `npm run build` at the root first.
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const from = join(root, 'dist'), to = join(root, 'packages', 'cli', 'dist');
if (!existsSync(join(from, 'cli.js'))) {
  console.error('pack-cli: dist/cli.js is missing; run `npm run build` at the repository root first');
  process.exit(1);
}
rmSync(to, { recursive: true, force: true });
mkdirSync(to, { recursive: true });
const library = /^(index\.|bench-internal\.)/;
const files = readdirSync(from).filter((f) => f.endsWith('.js') && !library.test(f));
for (const f of files) copyFileSync(join(from, f), join(to, f));
copyFileSync(join(root, 'LICENSE'), join(root, 'packages', 'cli', 'LICENSE'));
console.log(`pack-cli: ${files.join(', ')} → packages/cli/dist`);
