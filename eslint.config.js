// ESLint over the page (www), the tests and the benchmarks: its recommended rules, with the
// globals of where each file runs (browser and workers, Node).
import js from '@eslint/js';
import globals from 'globals';

export default [
  { ignores: ['www/pkg/**', 'www/lib/vendor/**', 'node_modules/**', 'dist/**'] },
  js.configs.recommended,
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: {
      ecmaVersion: 2024,
      sourceType: 'module',
      globals: { ...globals.browser, ...globals.worker, ...globals.node },
    },
    rules: {
      // `_name` marks an argument kept for its position.
      'no-unused-vars': ['error', { argsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    // The page is a client of the burnish library: it imports the package's entry, never its internals.
    files: ['www/*.js'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['./lib/*', '!./lib/burnish.js'], message: 'the page uses the library\'s public API only: import from ./lib/burnish.js' }] }],
    },
  },
];
