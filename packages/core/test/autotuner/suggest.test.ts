import { configFingerprint } from '@autotune/metrics';
import { OPTIMIZATION_PRIORITIES } from '@autotune/strategies';
import { PerformanceAutotuner } from '../../src';
import { scenarioFixture } from './helpers';

describe('PerformanceAutotuner.suggestOptimizations', () => {
  it.each(['research-consensus-oversized', 'code-review-parallel-budget', 'sequential-independent'])(
    'suggests ranked, non-conflicting, real changes for %s',
    async (name) => {
      const { scenario, analyzer } = scenarioFixture(name);
      const autotuner = new PerformanceAutotuner({ analyzer });
      const suggestions = await autotuner.suggestOptimizations(scenario.teamId, scenario.workflow);
      expect(suggestions.length).toBeGreaterThan(0);
      const rank = (p: string) => OPTIMIZATION_PRIORITIES.indexOf(p as never);
      const seen = new Set<string>();
      suggestions.forEach((s, i) => {
        expect(s.confidence).toBeGreaterThanOrEqual(0.6);
        expect(configFingerprint(s.resultingConfig)).not.toBe(configFingerprint(s.currentConfig));
        expect(s.changes.length).toBeGreaterThan(0);
        // Same shape back as given: snake_case.
        expect(s.suggestedUserConfig).toHaveProperty('member_count');
        expect(s.suggestedUserConfig).not.toHaveProperty('memberCount');
        for (const key of Object.keys(s.suggestedConfig)) {
          expect(seen.has(key)).toBe(false);
          seen.add(key);
        }
        if (i > 0) {
          const prev = suggestions[i - 1]!;
          expect(rank(prev.priority)).toBeLessThanOrEqual(rank(s.priority));
          if (prev.priority === s.priority) {
            expect(prev.expectedImprovement * prev.confidence).toBeGreaterThanOrEqual(s.expectedImprovement * s.confidence);
          }
        }
      });
    },
  );

  it('finds the excessive tool budget of the code review team', async () => {
    const { scenario, analyzer } = scenarioFixture('code-review-parallel-budget');
    const suggestions = await new PerformanceAutotuner({ analyzer }).suggestOptimizations(scenario.teamId, scenario.workflow);
    const budget = suggestions.find((s) => s.type === 'tool_budget');
    expect(budget).toBeDefined();
    expect(budget!.resultingConfig.toolBudget).toBeLessThan(50);
  });

  it('takes a TeamConfig and returns TeamConfig shapes only', async () => {
    const { scenario, analyzer, config } = scenarioFixture('research-consensus-oversized');
    const suggestions = await new PerformanceAutotuner({ analyzer }).suggestOptimizations(scenario.teamId, config);
    expect(suggestions.length).toBeGreaterThan(0);
    expect(suggestions[0]!.suggestedUserConfig).toBeUndefined();
  });

  it('infers the current config from the runs when none is given', async () => {
    const { scenario, analyzer } = scenarioFixture('research-consensus-oversized');
    const suggestions = await new PerformanceAutotuner({ analyzer }).suggestOptimizations(scenario.teamId);
    expect(suggestions.length).toBeGreaterThan(0);
    expect(suggestions[0]!.currentConfig.formation).toBe('consensus');
  });

  it('drops suggestions below the minimum confidence', async () => {
    const { scenario, analyzer } = scenarioFixture('research-consensus-oversized');
    const strict = await new PerformanceAutotuner({ analyzer, minConfidence: 0.999 }).suggestOptimizations(scenario.teamId, scenario.workflow);
    expect(strict).toEqual([]);
  });

  it('names the known teams when the team is unknown', async () => {
    const { analyzer } = scenarioFixture('research-consensus-oversized');
    await expect(new PerformanceAutotuner({ analyzer }).suggestOptimizations('no_such_team', {})).rejects.toThrow(/research_team/);
  });
});
