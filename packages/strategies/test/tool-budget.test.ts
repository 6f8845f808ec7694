import { TASK_TYPE_TOOL_BUDGETS, toolBudgetStrategy } from '@autotune/strategies';
import type { PerformanceInsight, StrategyContext, TeamConfig } from '@autotune/strategies';
import { sampleInsight, sampleTeamConfig, sampleTeamStats } from '@autotune/strategies/testing';
import { first, without } from './support';

const strategy = toolBudgetStrategy();
const stats = sampleTeamStats({ meanToolCalls: 25, toolBudget: 50 });
const p95 = stats.meanToolCalls + 1.645 * stats.stdDevToolCalls;
const excessive = [sampleInsight('excessive_tool_usage')];
const exhausted = (count: number, runs = 30): PerformanceInsight =>
  sampleInsight('limit_exhaustion', { affectedComponents: ['tool_budget'], evidence: { runs, details: { limit: 'tool_budget', hits: count, hitRate: count / runs } } });
const budget = (toolBudget?: number): TeamConfig => (toolBudget === undefined ? without(sampleTeamConfig(), 'toolBudget') : { ...sampleTeamConfig(), toolBudget });

describe('tool budget', () => {
  it('keeps the guide\'s task-type ranges', () => {
    expect(TASK_TYPE_TOOL_BUDGETS).toEqual({
      quick_exploration: [5, 15],
      standard_development: [20, 40],
      complex_features: [40, 60],
      large_refactoring: [60, 100],
    });
  });

  it.each<[string, TeamConfig, StrategyContext | undefined, number]>([
    ['to the observed P95 x 1.2', budget(50), { stats }, Math.ceil(p95 * 1.2)],
    ['to the range floor for large refactoring', budget(120), { stats, taskType: 'large_refactoring' }, 60],
    ['to the observed P95 when the range top is below usage (quick exploration)', budget(50), { stats, taskType: 'quick_exploration' }, Math.ceil(p95)],
    ['from the insight alone, taking counts as Poisson-like', budget(50), undefined, Math.ceil((25 + 1.645 * 5) * 1.2)],
  ])('cuts %s', (_label, config, context, target) => {
    const [s, ...rest] = strategy.suggest(excessive, config, context);
    if (s === undefined) throw new Error('expected a suggestion');
    expect(rest).toEqual([]);
    expect(s).toMatchObject({ type: 'tool_budget', priority: 'medium', targetMetric: 'cost', suggestedConfig: { toolBudget: target } });
    expect(s.metadata).toMatchObject({ direction: 'cut' });
    expect(s.expectedImprovement).toBeGreaterThanOrEqual(5);
    expect(s.expectedImprovement).toBeLessThanOrEqual(15);
  });

  it('sets a budget for a team that has none', () => {
    const s = first(strategy.suggest(excessive, budget(undefined), { stats: without(stats, 'toolBudget') }));
    expect(s.suggestedConfig).toEqual({ toolBudget: Math.ceil(p95 * 1.2) });
    expect(s.description).toMatch(/^Set a tool budget of/);
  });

  it('is less sure when it has to guess the spread of tool calls', () => {
    const measured = first(strategy.suggest(excessive, budget(50), { stats }));
    const guessed = first(strategy.suggest(excessive, budget(50)));
    expect(guessed.metadata).toMatchObject({ spread: 'assumed' });
    expect(guessed.confidence).toBeLessThan(measured.confidence);
  });

  it.each<[string, TeamConfig, PerformanceInsight, StrategyContext | undefined, number, string]>([
    ['by 25% plus the share of runs that ran out', budget(20), exhausted(6), undefined, Math.ceil(20 * 1.45), 'high'],
    ['up to the task type\'s range top', budget(30), exhausted(15), { taskType: 'standard_development' }, 40, 'critical'],
    ['beyond the range when the budget is already at its top', budget(40), exhausted(3), { taskType: 'standard_development' }, Math.ceil(40 * 1.35), 'high'],
    ['using the budget in force in the runs when the config has none', budget(undefined), exhausted(6), { stats: { ...stats, toolBudget: 20 } }, 29, 'high'],
  ])('raises %s', (_label, config, insight, context, target, priority) => {
    const [s, ...rest] = strategy.suggest([insight], config, context);
    if (s === undefined) throw new Error('expected a suggestion');
    expect(rest).toEqual([]);
    expect(s).toMatchObject({ priority, targetMetric: 'success_rate', suggestedConfig: { toolBudget: target }, metadata: { direction: 'raise' } });
  });

  it('raises and never cuts while runs exhaust the budget', () => {
    const out = strategy.suggest([...excessive, exhausted(6)], budget(50), { stats });
    expect(out.map((s) => s.metadata?.direction)).toEqual(['raise']);
  });

  it.each<[string, PerformanceInsight[], TeamConfig, StrategyContext | undefined]>([
    ['without a tool insight', [sampleInsight('slow_execution')], budget(50), { stats }],
    ['when the budget already fits usage (a cut under 10%)', excessive, budget(Math.ceil(p95 * 1.2) + 2), { stats }],
    ['when the budget is below what usage needs', excessive, budget(30), { stats }],
    ['on a timeout exhaustion', [sampleInsight('limit_exhaustion')], budget(50), { stats }],
    ['to raise a budget nobody knows', [exhausted(6)], budget(undefined), undefined],
  ])('does not fire %s', (_label, insights, config, context) => {
    expect(strategy.suggest(insights, config, context)).toEqual([]);
  });

  it('rejects bad options where they are written and where the user gave them', () => {
    expect(() => toolBudgetStrategy({ headroom: 0.5 })).toThrow(/option "headroom" must be a number in 1\.\.5, got 0\.5/);
    expect(() => strategy.suggest(excessive, budget(50), { options: { tool_budget: { headrom: 1.5 } } })).toThrow(
      expect.objectContaining({ code: 'STRATEGY_INVALID_OPTIONS', message: expect.stringMatching(/unknown option "headrom"; known options: headroom/) }),
    );
    const roomy = first(strategy.suggest(excessive, budget(100), { stats, options: { tool_budget: { headroom: 1.5 } } }));
    expect(roomy.suggestedConfig.toolBudget).toBe(Math.ceil(p95 * 1.5));
  });

  it.each<[string, Record<string, number | string>]>([
    ['the analyzer\'s hitRate', { limit: 'tool_budget', hits: 3, hitRate: 0.5 }],
    ['hits over runs', { limit: 'tool_budget', hits: 15 }],
    ['a hand-made count over runs', { limit: 'tool_budget', count: 15 }],
  ])('reads the share of exhausted runs from %s', (_label, details) => {
    const insight = sampleInsight('limit_exhaustion', { evidence: { runs: 30, details } });
    expect(strategy.suggest([insight], budget(20))[0]?.suggestedConfig).toEqual({ toolBudget: Math.ceil(20 * 1.75) });
  });
});
