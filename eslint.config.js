import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'packages/cli/dist/', 'build/', 'node_modules/', 'assembly/', 'bench/assembly/', 'bench/.build/', 'test-artifacts/', 'wasmnn-out/', 'src/backend/wasm-binary.generated.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        console: 'readonly', process: 'readonly', performance: 'readonly', URL: 'readonly',
        atob: 'readonly', WebAssembly: 'readonly', FinalizationRegistry: 'readonly', Buffer: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Browser code: pages, workers and the playground.
    files: ['examples/**/*.js', 'test/browser/fixtures/**/*.js'],
    languageOptions: {
      globals: {
        self: 'readonly', window: 'readonly', document: 'readonly', AbortController: 'readonly', Worker: 'readonly',
        requestAnimationFrame: 'readonly', setTimeout: 'readonly', location: 'readonly', URLSearchParams: 'readonly',
        crypto: 'readonly',
        fetch: 'readonly',
      },
    },
  },
);
