import { MetricsAggregator } from '@autotune/metrics';
import type { TeamStats } from '@autotune/metrics';
import { expectedPerformance, generateRuns, loadScenario, modelFromConfig, scenarioConfigWith, simulateRun } from '../src';
import { config } from './helpers';

function statsOf(name: string, runs = 200): { stats: TeamStats; scenario: ReturnType<typeof loadScenario>; costStdDev: number } {
  const scenario = loadScenario(name);
  const aggregator = new MetricsAggregator();
  const records = generateRuns(scenario.model, scenario.config, { runs, seed: 5, teamId: scenario.teamId });
  for (const r of records) aggregator.add(r);
  const costs = records.map((r) => r.costUsd ?? 0);
  const mean = costs.reduce((a, b) => a + b, 0) / costs.length;
  const costStdDev = Math.sqrt(costs.reduce((a, c) => a + (c - mean) ** 2, 0) / (costs.length - 1));
  return { stats: aggregator.team(scenario.teamId) as TeamStats, scenario, costStdDev };
}

describe('modelFromConfig', () => {
  it('builds a plausible team from the config alone: its members, its formation, within its budget', () => {
    const c = config('sequential', 3, { toolBudget: 6, members: [{ id: 'planner' }, { id: 'coder' }, { id: 'tester' }] });
    const model = modelFromConfig(c, { teamId: 'my_team' });
    expect(model.name).toBe('my_team');
    expect(model.members.map((m) => m.id)).toEqual(['planner', 'coder', 'tester']);
    // Nothing records dependencies, so a sequential team is read as a chain.
    expect(model.members.map((m) => m.dependsOn ?? [])).toEqual([[], ['planner'], ['coder']]);
    const r = simulateRun(model, c, 1);
    expect(r.teamId).toBe('my_team');
    expect(r.durationSeconds).toBeGreaterThan(10);
    expect(r.toolCalls).toBeLessThanOrEqual(6);
    expect(r.limitHit).toBeUndefined();
  });

  it.each(['none', 'chain'] as const)('takes an explicit dependency reading: %s', (dependencies) => {
    const model = modelFromConfig(config('parallel', 3), { dependencies });
    expect(model.members.map((m) => m.id)).toEqual(['member_1', 'member_2', 'member_3']);
    expect(model.members[2]?.dependsOn ?? []).toEqual(dependencies === 'chain' ? ['member_2'] : []);
  });

  it.each(['code-review-parallel-budget', 'regression-trap', 'research-consensus-oversized', 'sequential-independent'])(
    'calibrates to the observed figures of %s',
    (name) => {
      const { stats, scenario, costStdDev } = statsOf(name);
      const model = modelFromConfig(scenario.config, { stats });
      const p = expectedPerformance(model, scenario.config, { runs: 600, seed: 77 });
      // Within three standard errors of the difference: observed (200 runs), calibration (300) and check (600).
      const k = 3 * Math.sqrt(1 / 200 + 1 / 300 + 1 / 600);
      expect(Math.abs(p.meanDurationSeconds - stats.duration.mean)).toBeLessThan(k * stats.duration.stdDev);
      expect(Math.abs(p.successRate - stats.successRate)).toBeLessThan(k * Math.sqrt(stats.successRate * (1 - stats.successRate)) + 0.01);
      expect(Math.abs(p.meanToolCalls - stats.meanToolCalls)).toBeLessThan(k * stats.stdDevToolCalls + 0.5);
      expect(Math.abs(p.meanCostUsd - (stats.meanCostUsd ?? 0))).toBeLessThan(k * costStdDev);
    },
  );

  it('recovers dependencies from the recorded waitedFor, so the calibrated model also punishes going parallel', () => {
    const { stats, scenario } = statsOf('regression-trap');
    const model = modelFromConfig(scenario.config, { stats, dependencies: 'none' });
    expect(model.members.map((m) => m.dependsOn)).toEqual([[], ['extractor'], ['transformer'], ['validator']]);
    const base = expectedPerformance(model, scenario.config, { runs: 400 });
    const parallel = expectedPerformance(model, scenarioConfigWith(scenario, { formation: 'parallel' }), { runs: 400 });
    expect(parallel.successRate).toBeLessThan(base.successRate / 2);
  });

  it('reads independent members as independent when the metrics say so, so going parallel pays', () => {
    const { stats, scenario } = statsOf('sequential-independent');
    const model = modelFromConfig(scenario.config, { stats });
    expect(model.members.every((m) => (m.dependsOn ?? []).length === 0)).toBe(true);
    const base = expectedPerformance(model, scenario.config, { runs: 400 });
    const parallel = expectedPerformance(model, scenarioConfigWith(scenario, { formation: 'parallel' }), { runs: 400 });
    expect(parallel.meanDurationSeconds).toBeLessThan(base.meanDurationSeconds * 0.6);
    expect(parallel.successRate).toBeGreaterThan(base.successRate - 0.03);
  });

  it('leaves a hierarchical coordinator out of the workers', () => {
    const c = config('hierarchical', 3, { members: [{ id: 'boss', role: 'manager' }, { id: 'a' }, { id: 'b' }] });
    expect(modelFromConfig(c).members.map((m) => m.id)).toEqual(['a', 'b']);
  });
});
