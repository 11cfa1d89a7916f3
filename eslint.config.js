import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules', 'dist', 'data', 'src/store/migrations'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', { patterns: [{ group: ['telegraf', '@wecom/*'], message: 'Platform SDKs belong in src/platforms only.' }] }],
    },
  },
  { files: ['src/platforms/**', 'test/**', 'bench/**'], rules: { 'no-restricted-imports': 'off' } },
  // Plain Node scripts (the build): Node's globals.
  { files: ['scripts/**/*.mjs'], languageOptions: { globals: { process: 'readonly', URL: 'readonly' } } },
);
