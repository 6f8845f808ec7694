import type { PerformanceInsight, StrategyContext, TeamConfig } from '@autotune/strategies';
import { DEFAULT_CONFORMANCE_CASES, runStrategyConformance, sampleInsight, sampleTeamConfig, sampleTeamStats } from '@autotune/strategies/testing';
import type { ConformanceCase } from '@autotune/strategies/testing';
import { COST_CAP_STRATEGY_NAME, costCapStrategy } from '../src';

// $1.00 per run at 25 tool calls: $0.04 per call.
const stats = sampleTeamStats({ meanCostUsd: 1, meanToolCalls: 25, toolBudget: 50 });
const perCall = stats.meanCostUsd! / stats.meanToolCalls;
const capped = (maxCostPerRunUsd: number): StrategyContext => ({ stats, options: { [COST_CAP_STRATEGY_NAME]: { maxCostPerRunUsd } } });
const starved = sampleInsight('limit_exhaustion', { evidence: { runs: 30, details: { limit: 'tool_budget', hits: 6, hitRate: 0.2 } } });

// The kit's default cases, plus ones where this strategy fires (the kit demands at least one).
const cases: ConformanceCase[] = [
  ...DEFAULT_CONFORMANCE_CASES,
  { name: 'over the cap', insights: [], config: sampleTeamConfig(), context: capped(0.6) },
  { name: 'far over the cap, with insights', insights: [sampleInsight('excessive_tool_usage')], config: sampleTeamConfig(), context: capped(0.2) },
];
runStrategyConformance(costCapStrategy(), { describe, it, expect, cases });

describe('cost cap', () => {
  const strategy = costCapStrategy();

  it.each<[string, StrategyContext, TeamConfig, number, string]>([
    ['cuts the budget to what the cap affords', capped(0.8), sampleTeamConfig(), Math.floor(0.8 / perCall), 'medium'],
    ['is high priority when runs cost over 1.5x the cap', capped(0.5), sampleTeamConfig(), Math.floor(0.5 / perCall), 'high'],
    ['reads the budget in force from the runs when the config has none', capped(0.8), { formation: 'parallel', memberCount: 5 }, Math.floor(0.8 / perCall), 'medium'],
    ['never suggests a budget below 1', capped(0.001), sampleTeamConfig(), 1, 'high'],
  ])('%s', (_label, context, config, target, priority) => {
    const [s, ...rest] = strategy.suggest([], config, context);
    expect(rest).toEqual([]);
    expect(s).toMatchObject({ type: 'cost_cap', strategy: 'cost_cap', priority, targetMetric: 'cost', suggestedConfig: { toolBudget: target } });
  });

  // Stats of runs that recorded no cost: the field is absent, as the analyzer leaves it.
  const { meanCostUsd: _noCost, ...costless } = stats;
  it.each<[string, PerformanceInsight[], StrategyContext | undefined]>([
    ['without a cap', [], { stats }],
    ['under the cap', [], capped(2)],
    ['without recorded costs', [], { stats: costless, options: { cost_cap: { maxCostPerRunUsd: 0.5 } } }],
    ['with too few runs', [], { ...capped(0.5), stats: { ...stats, runs: 3 } }],
    ['while runs already run out of tool budget', [starved], capped(0.5)],
    ['when the budget already fits the cap', [], capped(0.99 * 50 * perCall + 10)],
  ])('says nothing %s', (_label, insights, context) => {
    expect(strategy.suggest(insights, sampleTeamConfig(), context)).toEqual([]);
  });

  it('takes the cap from the factory, the run\'s options winning', () => {
    const factory = costCapStrategy({ maxCostPerRunUsd: 0.6 });
    expect(factory.suggest([], sampleTeamConfig(), { stats })[0]!.suggestedConfig.toolBudget).toBe(Math.floor(0.6 / perCall));
    expect(factory.suggest([], sampleTeamConfig(), capped(0.4))[0]!.suggestedConfig.toolBudget).toBe(Math.floor(0.4 / perCall));
  });

  it.each([
    [{ maxCostPerRunUsd: -1 }, /"maxCostPerRunUsd" must be a positive number, got -1/],
    [{ minRuns: 'five' }, /"minRuns" must be a positive number/],
  ])('rejects bad options %j', (options, message) => {
    expect(() => costCapStrategy(options as never)).toThrow(message);
    expect(() => costCapStrategy().suggest([], sampleTeamConfig(), { options: { cost_cap: options } })).toThrow(message);
  });
});
