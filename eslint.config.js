// ESLint flat config: typescript-eslint (type-checked) for src/, node rules everywhere.
import js from '@eslint/js';
import nodePlugin from 'eslint-plugin-n';
import tseslint from 'typescript-eslint';

/**
 * The layering (ARCHITECTURE.md, "The stages"): what each folder of src/ must never import, and why.
 * Each row becomes a no-restricted-imports rule on that folder's files, so `npm test` (which lints)
 * fails on an import that crosses a line the design keeps.
 */
const NEVER = [
  [['src/cli.ts', 'src/cli/**/*.ts'], ['send', 'job', 'report', 'mapping', 'server', 'prepare', 'input', 'audit', 'page', 'ledger'], "the CLI goes through the library's face (src/index.ts)"],
  [['src/send/**/*.ts'], ['input', 'mapping', 'schema', 'job', 'cli', 'page', 'ledger'], 'the sender never reads, maps or validates rows, and knows the job only through RowSink and StopControl (and the ledger only as a RequestBudget)'],
  [['src/prepare/**/*.ts'], ['send', 'job', 'report', 'cli'], 'preparing knows nothing of HTTP, the job or the report'],
  [['src/input/**/*.ts'], ['send', 'job', 'report', 'cli', 'ledger'], 'readers know nothing of HTTP or outcomes'],
  [['src/mapping/**/*.ts'], ['send', 'job', 'report', 'cli', 'prepare', 'ledger'], 'mapping knows only the schema'],
  [['src/schema/**/*.ts'], ['mapping', 'send', 'job', 'report', 'cli', 'ledger'], 'validation depends on no later stage'],
  [['src/report/**/*.ts'], ['send', 'job', 'cli', 'ledger'], 'report writers take outcomes, not clients'],
  [['src/job/**/*.ts'], ['cli'], 'the library never reaches the command line'],
  [['src/server/**/*.ts'], ['send', 'job', 'cli', 'ledger'], 'the endpoint shares schemas, not the client'],
  [['src/audit/**/*.ts'], ['send', 'job', 'cli', 'ledger'], 'the audit reads reports; it never sends'],
  [['src/page/**/*.ts'], ['send', 'cli', 'ledger'], 'a page draws what was recorded, never sends'],
  [['src/ledger/**/*.ts'], ['send', 'job', 'prepare', 'cli', 'page', 'server'], 'the ledger keeps ids and counts; the run calls it, never the other way'],
];

const layering = NEVER.map(([files, folders, why]) => ({
  files,
  rules: {
    'no-restricted-imports': ['error', { patterns: [{ group: folders.flatMap((folder) => [`**/${folder}/*`, `./${folder}/*`, `../${folder}/*`]), message: `layering: ${why} (ARCHITECTURE.md)` }] }],
  },
}));

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
  ...layering,
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
