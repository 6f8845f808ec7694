// Lint for every package. The rule that matters most is @nx/enforce-module-boundaries: packages may only
// import the layers below them (see docs/architecture.md), and CI fails otherwise.
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

export const BOUNDARY_CONSTRAINTS = [
  { sourceTag: 'scope:metrics', onlyDependOnLibsWithTags: [] },
  { sourceTag: 'scope:analyzer', onlyDependOnLibsWithTags: ['scope:metrics'] },
  { sourceTag: 'scope:abtest', onlyDependOnLibsWithTags: ['scope:metrics'] },
  { sourceTag: 'scope:strategies', onlyDependOnLibsWithTags: ['scope:analyzer', 'scope:metrics'] },
  { sourceTag: 'scope:core', onlyDependOnLibsWithTags: ['scope:metrics', 'scope:analyzer', 'scope:strategies', 'scope:abtest'] },
  { sourceTag: 'scope:report', onlyDependOnLibsWithTags: ['scope:core', 'scope:metrics', 'scope:analyzer', 'scope:strategies', 'scope:abtest'] },
  { sourceTag: 'scope:cli', onlyDependOnLibsWithTags: ['scope:report', 'scope:core', 'scope:metrics', 'scope:analyzer', 'scope:strategies', 'scope:abtest'] },
  { sourceTag: 'scope:example', onlyDependOnLibsWithTags: ['scope:strategies', 'scope:analyzer', 'scope:metrics'] },
];

export default [
  { ignores: ['**/dist/**', '**/node_modules/**', '**/coverage/**', '**/*.cjs', '**/*.mjs', '**/*.js'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        { enforceBuildableLibDependency: false, allowCircularSelfDependency: true, allow: [], depConstraints: BOUNDARY_CONSTRAINTS },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
      'no-restricted-syntax': ['error', { selector: 'ExportAllDeclaration', message: 'List public exports by name; no export *.' }],
    },
  },
  {
    files: ['**/test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
];
