import * as pkg from '@autotune/strategies';
import * as testing from '@autotune/strategies/testing';

describe('@autotune/strategies entry', () => {
  it('exposes its public names', () => {
    expect(Object.keys(pkg).sort()).toEqual(
      [
        'ConfigIssue',
        'describeValue',
        'formatFieldPath',
        'parseTeamObject',
        'teamToUser',
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
        'formationSelectionStrategy',
        'isCompatibleStrategy',
        'memberSelectionStrategy',
        'parallelizationStrategy',
        'sortSuggestions',
        'teamSizingStrategy',
        'timeoutTuningStrategy',
        'toolBudgetStrategy',
      ].sort(),
    );
  });

  it('exposes the conformance kit at ./testing', () => {
    expect(Object.keys(testing).sort()).toEqual(
      [
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
      ].sort(),
    );
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
