// The strategies read what the real analyzer writes: insights computed by @autotune/analyzer from generated
// runs go through every built-in, and the kit checks them on those inputs too.
import { analyzeTeamStats } from '@autotune/analyzer';
import { builtinStrategies, changedKeys, sortSuggestions, MIN_CONFIDENCE } from '@autotune/strategies';
import type { TeamConfig } from '@autotune/strategies';
import { checkStrategyConformance, formatConformanceFailures, sampleTeamConfig, sampleTeamStats } from '@autotune/strategies/testing';
import type { ConformanceCase, SampleRunsSpec } from '@autotune/strategies/testing';

const five = ['m1', 'm2', 'm3', 'm4', 'm5'];
const scenarios: Array<{ name: string; config: TeamConfig; runs: SampleRunsSpec[]; expectTypes: string[] }> = [
  {
    name: 'a slow sequential team of independent members that uses many tools and has a loose timeout',
    config: sampleTeamConfig({ toolBudget: 80, timeoutSeconds: 600 }),
    runs: [{ formation: 'sequential', meanDurationSeconds: 150, meanToolCalls: 40, toolBudget: 80, timeoutSeconds: 600, waitedFor: Object.fromEntries(five.map((id) => [id, []])) }],
    expectTypes: ['parallelization', 'tool_budget', 'timeout_tuning'],
  },
  {
    name: 'a consensus team whose own parallel runs were much faster',
    config: sampleTeamConfig({ formation: 'consensus' }),
    runs: [
      { formation: 'parallel', meanDurationSeconds: 60, successRate: 0.95 },
      { formation: 'consensus', meanDurationSeconds: 140, successRate: 0.95 },
    ],
    expectTypes: ['formation_selection'],
  },
  {
    name: 'runs that keep hitting the timeout',
    config: sampleTeamConfig({ timeoutSeconds: 120 }),
    runs: [{ formation: 'sequential', meanDurationSeconds: 100, timeoutSeconds: 120, limitHits: { timeout: 8 } }],
    expectTypes: ['timeout_tuning'],
  },
  {
    name: 'one member failing most of its runs',
    config: sampleTeamConfig(),
    runs: [{ formation: 'sequential', runs: 40, memberProfiles: { ...Object.fromEntries(five.map((id) => [id, { successRate: 0.97 }])), m3: { successRate: 0.3 } } }],
    expectTypes: ['member_selection'],
  },
];

describe.each(scenarios)('with the real analyzer: $name', ({ config, runs, expectTypes }) => {
  const stats = sampleTeamStats(...runs);
  const insights = analyzeTeamStats(stats);
  const context = { teamId: stats.teamId, stats };

  it('yields the expected kinds of suggestion, none of them the current config', () => {
    const suggestions = builtinStrategies().flatMap((s) => s.suggest(insights, config, context));
    const kept = sortSuggestions(suggestions, { minConfidence: MIN_CONFIDENCE });
    for (const type of expectTypes) expect(kept.map((s) => s.type)).toContain(type);
    for (const s of suggestions) {
      const strategy = builtinStrategies().find((x) => x.name === s.strategy)!;
      expect(changedKeys(config, strategy.apply(config, s)).length).toBeGreaterThan(0);
    }
  });

  it('passes the conformance kit on these inputs', () => {
    const cases: ConformanceCase[] = [{ name: 'analyzer output', insights, config, context }];
    for (const strategy of builtinStrategies().filter((s) => expectTypes.includes(s.name))) {
      expect(formatConformanceFailures(checkStrategyConformance(strategy, cases).failures)).toBe('');
    }
  });
});
