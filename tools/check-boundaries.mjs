// Proves the dependency rule is live: lints an upward import placed (in memory only) in each low package
// and fails unless @nx/enforce-module-boundaries reports it. A lint config that silently stopped checking
// boundaries would otherwise pass CI.
import { ESLint } from 'eslint';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const forbidden = [
  // The error base is the lowest leaf: it imports no @autotune package.
  ['errors', '@autotune/metrics'],
  ['errors', '@autotune/stats'],
  // The statistics kernel is a leaf: it imports no @autotune package.
  ['stats', '@autotune/metrics'],
  ['stats', '@autotune/abtest'],
  ['metrics', '@autotune/stats'],
  ['metrics', '@autotune/analyzer'],
  ['metrics', '@autotune/core'],
  ['analyzer', '@autotune/strategies'],
  ['abtest', '@autotune/analyzer'],
  ['strategies', '@autotune/core'],
  ['strategies', '@autotune/abtest'],
  ['core', '@autotune/cli'],
  ['otel', '@autotune/core'],
  ['metrics', '@autotune/otel'],
  ['core', '@autotune/report'],
  ['report', '@autotune/cli'],
  // The simulator is its own package: core (the autotuner) must not reach for it, nor it for core.
  ['core', '@autotune/simulator'],
  ['simulator', '@autotune/core'],
  ['simulator', '@autotune/analyzer'],
  // PostgreSQL sits beside the CLI, above core: core never needs it, and it never reaches for the CLI.
  ['core', '@autotune/postgres'],
  ['postgres', '@autotune/cli'],
  ['postgres', '@autotune/simulator'],
];
const allowed = [
  // Every package may use the one error shape.
  ['stats', '@autotune/errors'],
  ['metrics', '@autotune/errors'],
  ['cli', '@autotune/errors'],
  ['postgres', '@autotune/core'],
  ['abtest', '@autotune/stats'],
  ['analyzer', '@autotune/stats'],
  ['core', '@autotune/stats'],
  ['analyzer', '@autotune/metrics'],
  ['strategies', '@autotune/analyzer'],
  ['core', '@autotune/abtest'],
  ['otel', '@autotune/metrics'],
  ['report', '@autotune/core'],
  ['simulator', '@autotune/abtest'],
  ['simulator', '@autotune/strategies'],
  ['cli', '@autotune/simulator', 'type'],
  // The CLI loads core lazily (so `--help` stays fast), and the rule forbids static value imports of a lazily
  // loaded library; a type import is the allowed static edge.
  ['cli', '@autotune/core', 'type'],
];

// The probe exists only in memory, so no tsconfig includes it: the type-aware lint of some packages would stop at
// "not found by the project service" before any rule ran. The project service's default project types it instead.
const PROBE = 'packages/*/src/__boundary_probe__.ts';
const eslint = new ESLint({
  cwd: root,
  overrideConfig: { files: [PROBE], languageOptions: { parserOptions: { projectService: { allowDefaultProject: [PROBE], maximumDefaultProjectFileMatchCount_THIS_WILL_SLOW_DOWN_LINTING: 64 } } } },
});
let failures = 0;
async function violations(pkg, target, kind = 'value') {
  const filePath = path.join(root, 'packages', pkg, 'src', '__boundary_probe__.ts');
  const code =
    kind === 'type'
      ? `import type * as probe from '${target}';\nexport type Used = typeof probe;\n`
      : `import * as probe from '${target}';\nexport const used = probe;\n`;
  const [result] = await eslint.lintText(code, { filePath });
  return result.messages.filter((m) => m.ruleId === '@nx/enforce-module-boundaries');
}
for (const [pkg, target] of forbidden) {
  const found = await violations(pkg, target);
  if (found.length === 0) {
    failures++;
    console.error(`FAIL: @autotune/${pkg} importing ${target} was not reported by @nx/enforce-module-boundaries`);
  } else {
    console.log(`ok: @autotune/${pkg} -> ${target} is rejected (${found[0].message.split('\n')[0]})`);
  }
}
for (const [pkg, target, kind] of allowed) {
  const found = await violations(pkg, target, kind);
  if (found.length > 0) {
    failures++;
    console.error(`FAIL: @autotune/${pkg} importing ${target} is allowed but was reported: ${found[0].message}`);
  } else {
    console.log(`ok: @autotune/${pkg} -> ${target} is allowed`);
  }
}
if (failures > 0) {
  console.error(`${failures} boundary check(s) failed`);
  process.exit(1);
}
console.log('module boundaries: all checks passed');
