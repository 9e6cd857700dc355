// ESLint flat config: typescript-eslint's recommended rules (syntax only, no type information: fast enough for
// every `npm test`), tuned to the project's conventions. Layout is Prettier's (`npm run format`, checked by
// `npm run format:check` in `npm test`); this file checks what Prettier cannot fix.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'runs/**', 'test/fixtures/**', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      // Unused arguments and caught errors named with a leading underscore are deliberate.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // Prettier (npm run format) lays the code out at 140 columns; what it cannot break (long strings, comments) must
      // still stay within 160.
      'max-len': ['error', { code: 160, ignoreUrls: true, ignoreRegExpLiterals: true }],
      eqeqeq: ['error', 'always'],
      'no-var': 'error',
      'prefer-const': 'error',
    },
  },
  {
    // Tests may reach into untyped JSON (metrics files, CLI output) without declaring its whole shape.
    files: ['**/*.test.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
