// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'scratch/**', 'coverage/**', '.cache/**', 'bin/**', '**/.scratch*', '**/.proto*', '.exp-*/**', '.perf/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      'no-console': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // The CLI, benchmarks, the chaos runner and the HA runs (their failover figures) talk to a terminal on purpose.
    files: ['src/cli/**', 'bench/**', 'tests/chaos/**', 'tests/ha/**'],
    rules: { 'no-console': 'off' },
  },
);
