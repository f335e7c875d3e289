// ESLint runs only the type-aware promise rules that Biome cannot check across
// module boundaries (an unawaited `client.send()` is a lost SMS). Formatting and
// every other lint rule belong to Biome (see biome.json).
import tseslint from 'typescript-eslint';

const rules = {
  '@typescript-eslint/no-floating-promises': 'error',
  '@typescript-eslint/no-misused-promises': 'error',
  '@typescript-eslint/await-thenable': 'error',
  '@typescript-eslint/require-await': 'off',
};

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'cdk.out/**',
      'coverage/**',
      '.local-data/**',
      'console/dist/**',
      'console/src/api/schema.gen.ts',
      '**/*.js',
      '**/*.mjs',
    ],
  },
  {
    files: ['**/*.ts'],
    ignores: ['console/**'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { project: './tsconfig.json', tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules,
  },
  {
    // The staff console (browser code, JSX) has its own tsconfig.
    files: ['console/**/*.ts', 'console/**/*.tsx'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { project: './console/tsconfig.json', tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules,
  },
);
