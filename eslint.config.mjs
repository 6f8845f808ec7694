// Lint for every package. The rule that matters most is @nx/enforce-module-boundaries: packages may only
// import the layers below them (see docs/architecture.md), and CI fails otherwise.
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

export const BOUNDARY_CONSTRAINTS = [
  // The one error shape (@autotune/errors) sits below everything, so every package may use it.
  { sourceTag: 'scope:errors', onlyDependOnLibsWithTags: [] },
  { sourceTag: 'scope:stats', onlyDependOnLibsWithTags: ['scope:errors'] },
  { sourceTag: 'scope:metrics', onlyDependOnLibsWithTags: ['scope:errors'] },
  { sourceTag: 'scope:analyzer', onlyDependOnLibsWithTags: ['scope:errors', 'scope:metrics', 'scope:stats'] },
  { sourceTag: 'scope:abtest', onlyDependOnLibsWithTags: ['scope:errors', 'scope:metrics', 'scope:stats'] },
  { sourceTag: 'scope:strategies', onlyDependOnLibsWithTags: ['scope:errors', 'scope:analyzer', 'scope:metrics'] },
  { sourceTag: 'scope:simulator', onlyDependOnLibsWithTags: ['scope:errors', 'scope:metrics', 'scope:strategies', 'scope:abtest'] },
  { sourceTag: 'scope:core', onlyDependOnLibsWithTags: ['scope:errors', 'scope:metrics', 'scope:stats', 'scope:analyzer', 'scope:strategies', 'scope:abtest'] },
  { sourceTag: 'scope:otel', onlyDependOnLibsWithTags: ['scope:errors', 'scope:metrics'] },
  { sourceTag: 'scope:report', onlyDependOnLibsWithTags: ['scope:errors', 'scope:core', 'scope:metrics', 'scope:stats', 'scope:analyzer', 'scope:strategies', 'scope:abtest'] },
  { sourceTag: 'scope:postgres', onlyDependOnLibsWithTags: ['scope:errors', 'scope:core', 'scope:metrics', 'scope:stats', 'scope:analyzer', 'scope:strategies', 'scope:abtest'] },
  {
    sourceTag: 'scope:cli',
    onlyDependOnLibsWithTags: ['scope:errors', 'scope:report', 'scope:otel', 'scope:core', 'scope:postgres', 'scope:simulator', 'scope:metrics', 'scope:stats', 'scope:analyzer', 'scope:strategies', 'scope:abtest'],
  },
  { sourceTag: 'scope:example', onlyDependOnLibsWithTags: ['scope:errors', 'scope:strategies', 'scope:analyzer', 'scope:metrics'] },
];

// Core's and the report's tests drive the autotuner with the simulator as a real trial runner (a
// devDependency); their sources may not import it.
const CORE_TEST_CONSTRAINTS = BOUNDARY_CONSTRAINTS.map((c) =>
  c.sourceTag === 'scope:core' || c.sourceTag === 'scope:report' ? { ...c, onlyDependOnLibsWithTags: [...c.onlyDependOnLibsWithTags, 'scope:simulator'] } : c,
);

const boundaryRule = (depConstraints) => [
  'error',
  { enforceBuildableLibDependency: false, allowCircularSelfDependency: true, allow: [], depConstraints },
];

// Packages whose sources and tests are linted with type information (typescript-eslint's recommendedTypeChecked,
// through the project service: each file is typed by its package's tsconfig.json, which covers src and test):
// every package, and the example third-party strategy package.
const TYPE_CHECKED = [
  ...['errors', 'stats', 'metrics', 'analyzer', 'abtest', 'strategies', 'simulator', 'otel', 'core', 'postgres', 'report', 'cli'].map((p) => `packages/${p}`),
  'examples/cost-cap-strategy',
];
const typeChecked = tseslint.configs.recommendedTypeChecked.map((c) => ({
  ...c,
  files: TYPE_CHECKED.map((p) => `${p}/**/*.ts`),
}));

export default [
  { ignores: ['**/dist/**', '**/node_modules/**', '**/coverage/**', '**/*.cjs', '**/*.mjs', '**/*.js', '!tools/**/*.mjs'] },
  ...tseslint.configs.recommended,
  ...typeChecked,
  {
    files: TYPE_CHECKED.map((p) => `${p}/**/*.ts`),
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
  },
  // The workspace tools (plain ES modules) are typed by tools/tsconfig.json (allowJs): what TypeScript infers
  // from the code and from the packages' and Node's types, without JSDoc annotations.
  ...tseslint.configs.recommendedTypeChecked.map((c) => ({ ...c, files: ['tools/**/*.mjs'] })),
  {
    files: ['tools/**/*.mjs'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    // Untyped JavaScript: every JSON.parse, child-process message and CLI output the tools read is `any`, so
    // the no-unsafe-* rules would flag most lines (over 1,000 reports) without finding bugs. The rules that
    // do find them in scripts (floating and misused promises, await-thenable, base-to-string ...) stay on.
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // Tests compare against Jest's asymmetric matchers (expect.any, expect.objectContaining, expect.closeTo …),
    // which @types/jest types as `any`, and read JSON the code under test printed (JSON.parse is `any`). There the
    // no-unsafe-* rules flag every matcher and every field read, while a wrong shape already fails the assertion
    // that reads it. Sources keep these rules.
    files: TYPE_CHECKED.map((p) => `${p}/test/**/*.ts`),
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@nx/enforce-module-boundaries': boundaryRule(BOUNDARY_CONSTRAINTS),
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
      'no-restricted-syntax': ['error', { selector: 'ExportAllDeclaration', message: 'List public exports by name; no export *.' }],
    },
  },
  {
    // The store contract is async because PostgresStore awaits the network. The in-process stores keep `async`
    // on methods that do not await, so that a synchronous failure (a closed database, a constraint) still
    // reaches the caller as a rejection, as it would from PostgreSQL, and as the shared contract tests expect.
    files: ['packages/core/src/store/memory-store.ts', 'packages/core/src/store/sqlite-store.ts'],
    rules: { '@typescript-eslint/require-await': 'off' },
  },
  {
    files: ['**/test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    files: ['packages/core/test/**/*.ts', 'packages/report/test/**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': boundaryRule(CORE_TEST_CONSTRAINTS) },
  },
];
