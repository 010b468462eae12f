// The built package (dist/), imported by name through package.json "exports" (Node resolves a
// package's own name from inside it), as ESM and as CommonJS, in fresh Node processes.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const TRAIN = `
  manualSeed(1);
  const model = new Sequential(new Linear(2, 8), new ReLU(), new Linear(8, 1), new Sigmoid());
  const lossFn = new BCELoss();
  const opt = new Adam(model.parameters(), { lr: 1e-2 });
  const x = Tensor.from([[0,0],[0,1],[1,0],[1,1]]), y = Tensor.from([[0],[1],[1],[0]]);
  let loss;
  for (let i = 0; i < 1500; i++) { opt.zeroGrad(); loss = lossFn.forward(model.forward(x), y); model.backward(lossFn.backward()); opt.step(); }
  console.log(JSON.stringify({ loss, backend: getBackend() }));
`;
const NAMES = 'Sequential, Linear, ReLU, Sigmoid, BCELoss, Adam, Tensor, manualSeed, getBackend';

function run(args: string[]): { loss: number; backend: string } {
  return JSON.parse(execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8' }).trim()) as { loss: number; backend: string };
}

describe('dist/', () => {
  it('has both formats and both type declarations', () => {
    for (const f of ['index.js', 'index.cjs', 'index.d.ts', 'index.d.cts']) expect(existsSync(`${root}/dist/${f}`), f).toBe(true);
  });

  it('imports as ESM and trains XOR with the WASM kernels, no init needed', () => {
    const out = run(['--input-type=module', '-e', `import { ${NAMES} } from 'wasmnn';\n${TRAIN}`]);
    expect(out.backend).toBe('wasm');
    expect(out.loss).toBeLessThan(0.05);
  });

  it('requires as CommonJS and trains XOR with the WASM kernels', () => {
    const out = run(['-e', `const { ${NAMES} } = require('wasmnn');\n${TRAIN}`]);
    expect(out.backend).toBe('wasm');
    expect(out.loss).toBeLessThan(0.05);
  });

  it('supports the optional async init()', () => {
    const out = run(['--input-type=module', '-e', `import { init, ${NAMES} } from 'wasmnn';\nawait init();\n${TRAIN}`]);
    expect(out.loss).toBeLessThan(0.05);
  });
});

describe('import graph', () => {
  it('the library bundles import nothing: the CLI tooling (vega, resvg, cli-progress, csv-parse) stays out', async () => {
    const { readFileSync } = await import('node:fs');
    for (const f of ['index.js', 'index.cjs']) {
      const code = readFileSync(`${root}/dist/${f}`, 'utf8');
      expect(code).not.toMatch(/^\s*(import|export)\b[^;\n]*\bfrom\s*["'][^"'./]/m);
      expect(code).not.toMatch(/\bimport\(\s*["'][^"'./]/);
      expect(code).not.toMatch(/\brequire\(\s*["'][^"'./]/);
      expect(code).not.toMatch(/vega|resvg|cli-progress|csv-parse/);
    }
  });
});
