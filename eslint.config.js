// ESLint flat config: typescript-eslint (type-checked) for src/, node rules everywhere.
import js from '@eslint/js';
import nodePlugin from 'eslint-plugin-n';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'scratch/', 'coverage/', '.bench/'] },
  js.configs.recommended,
  {
    files: ['src/**/*.ts'],
    extends: [...tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { n: nodePlugin },
    rules: {
      'n/no-process-exit': 'error',
      'n/prefer-node-protocol': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    // Only the CLI decides how the process ends.
    files: ['src/cli.ts', 'src/cli/**/*.ts'],
    rules: { 'n/no-process-exit': 'off' },
  },
  {
    files: ['**/*.js'],
    plugins: { n: nodePlugin },
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', URL: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly', performance: 'readonly', TextDecoder: 'readonly', TextEncoder: 'readonly', queueMicrotask: 'readonly', setImmediate: 'readonly', structuredClone: 'readonly', fetch: 'readonly' },
    },
    rules: { 'n/prefer-node-protocol': 'error', 'no-unused-vars': ['error', { argsIgnorePattern: '^_' }] },
  },
);
