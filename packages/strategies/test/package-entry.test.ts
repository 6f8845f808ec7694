import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import * as pkg from '@autotune/strategies';
import * as testing from '@autotune/strategies/testing';

// The exact public runtime names: a new export is a decision, not an accident.
const PUBLIC_NAMES = [
  'ConfigIssue',
  'FORMATION_TRAITS',
  'MIN_CONFIDENCE',
  'OPTIMIZATION_PRIORITIES',
  'STRATEGY_API_VERSION',
  'StrategyError',
  'TASK_TYPE_TOOL_BUDGETS',
  'applySuggestion',
  'assertCompatibleStrategy',
  'builtinStrategies',
  'changedKeys',
  'defineStrategy',
  'describeValue',
  'formatFieldPath',
  'formationSelectionStrategy',
  'isCompatibleStrategy',
  'memberSelectionStrategy',
  'parallelizationStrategy',
  'parseTeamObject',
  'sortSuggestions',
  'teamSizingStrategy',
  'teamToUser',
  'timeoutTuningStrategy',
  'toolBudgetStrategy',
];
const TESTING_NAMES = [
  'CONFORMANCE_CHECKS',
  'DEFAULT_CONFORMANCE_CASES',
  'STRATEGY_API_VERSION',
  'checkStrategyConformance',
  'deepFreeze',
  'formatConformanceFailures',
  'runStrategyConformance',
  'sampleInsight',
  'sampleRecords',
  'sampleTeamConfig',
  'sampleTeamStats',
];

// Node itself (a child process, not Jest's moduleNameMapper, which maps @autotune/* to sources) resolves the
// specifier through the built package's package.json "exports", as a user's program would; the test target
// depends on this package's build, so dist is current.
function built(specifier: string): { file: string; names: string[] } {
  const script = `const s = ${JSON.stringify(specifier)}; console.log(JSON.stringify({ file: require.resolve(s), names: Object.keys(require(s)).sort() }))`;
  const out = execFileSync(process.execPath, ['-e', script], { cwd: path.resolve(__dirname, '..'), encoding: 'utf8' });
  return JSON.parse(out) as { file: string; names: string[] };
}

describe('@autotune/strategies entry', () => {
  it('exposes its public names', () => {
    expect(Object.keys(pkg).sort()).toEqual(PUBLIC_NAMES);
  });

  it('exposes the same names from the built package, resolved through its exports', () => {
    const main = built('@autotune/strategies');
    expect(main.file).toBe(path.resolve(__dirname, '../dist/index.js'));
    expect(main.names).toEqual(PUBLIC_NAMES);
    const sub = built('@autotune/strategies/testing');
    expect(sub.file).toBe(path.resolve(__dirname, '../dist/testing/index.js'));
    expect(sub.names).toEqual(TESTING_NAMES);
  }, 60_000);

  it('exposes the conformance kit at ./testing', () => {
    expect(Object.keys(testing).sort()).toEqual(TESTING_NAMES);
  });

  it('builds the six built-ins, named after their suggestion types, as fresh plain objects', () => {
    const a = pkg.builtinStrategies();
    expect(a.map((s) => s.name)).toEqual([
      'team_sizing',
      'formation_selection',
      'tool_budget',
      'timeout_tuning',
      'member_selection',
      'parallelization',
    ]);
    expect(a.every((s) => Object.getPrototypeOf(s) === Object.prototype && s.apiVersion === pkg.STRATEGY_API_VERSION)).toBe(true);
    expect(pkg.builtinStrategies()[0]).not.toBe(a[0]);
  });
});
