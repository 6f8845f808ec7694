import { formationSelectionStrategy } from '@autotune/strategies';
import type { PerformanceInsight, StrategyContext, TargetMetric, TeamConfig } from '@autotune/strategies';
import { sampleInsight, sampleTeamConfig, sampleTeamStats } from '@autotune/strategies/testing';
import { first } from './support';

const strategy = formationSelectionStrategy();
const flagged = (f: string, ...more: PerformanceInsight[]) => [sampleInsight(`suboptimal_formation_${f}`), ...more];
const config = (formation: string): TeamConfig => sampleTeamConfig({ formation });
const allIndependent = sampleInsight('parallelizable_members', {
  evidence: { runs: 30, details: { independentMembers: ['m1', 'm2', 'm3', 'm4', 'm5'], estimatedSavingSeconds: 60 } },
});
const dependentStats = sampleTeamStats({
  formation: 'parallel',
  waitedFor: { m2: ['m1'], m3: ['m2'], m4: ['m3'], m5: ['m4'] },
});
const independentStats = sampleTeamStats({ formation: 'sequential', waitedFor: { m1: [], m2: [], m3: [], m4: [], m5: [] } });

describe('formation selection', () => {
  it.each<[string, PerformanceInsight[], string, StrategyContext | undefined, string, TargetMetric, string]>([
    ['consensus -> parallel (speed)', flagged('consensus'), 'consensus', undefined, 'parallel', 'duration', 'table'],
    ['sequential -> pipeline (staged refinement)', flagged('sequential'), 'sequential', undefined, 'pipeline', 'duration', 'table'],
    ['sequential -> parallel when every member is independent', flagged('sequential', allIndependent), 'sequential', undefined, 'parallel', 'duration', 'table'],
    ['sequential -> parallel when runs record no dependencies', flagged('sequential'), 'sequential', { stats: independentStats }, 'parallel', 'duration', 'table'],
    ['parallel -> sequential on strong dependencies', flagged('parallel'), 'parallel', { stats: dependentStats }, 'sequential', 'success_rate', 'table'],
    ['consensus -> sequential on strong dependencies', flagged('consensus'), 'consensus', { stats: { ...dependentStats } }, 'sequential', 'duration', 'table'],
    ['parallel -> pipeline when runs fail', flagged('parallel', sampleInsight('low_success_rate')), 'parallel', undefined, 'pipeline', 'success_rate', 'table'],
    [
      'to the formation the team\'s own runs show faster, over the table',
      flagged('consensus'),
      'consensus',
      { stats: sampleTeamStats({ formation: 'consensus', meanDurationSeconds: 200 }, { formation: 'hierarchical', meanDurationSeconds: 120 }) },
      'hierarchical',
      'duration',
      'observed',
    ],
  ])('%s', (_label, insights, formation, context, to, metric, basis) => {
    const [s, ...rest] = strategy.suggest(insights, config(formation), context);
    if (s === undefined) throw new Error('expected a suggestion');
    expect(rest).toEqual([]);
    expect(s.suggestedConfig).toEqual({ formation: to });
    expect(s).toMatchObject({ type: 'formation_selection', targetMetric: metric, metadata: { basis, from: formation, to } });
    expect(['critical', 'high']).toContain(s.priority);
  });

  it('expects what the own runs measured, and is surer of them than of the table', () => {
    const stats = sampleTeamStats({ formation: 'consensus', meanDurationSeconds: 200 }, { formation: 'parallel', meanDurationSeconds: 100 });
    const observed = first(strategy.suggest(flagged('consensus'), config('consensus'), { stats }));
    const table = first(strategy.suggest(flagged('consensus'), config('consensus')));
    const c = stats.byFormation.consensus!.duration.mean;
    const p = stats.byFormation.parallel!.duration.mean;
    expect(observed.expectedImprovement).toBeCloseTo(((c - p) / c) * 100, 1);
    expect(observed.confidence).toBeGreaterThan(table.confidence);
    expect(observed.riskLevel).toBeLessThan(table.riskLevel);
    expect(table.expectedImprovement).toBeGreaterThanOrEqual(20);
    expect(table.expectedImprovement).toBeLessThanOrEqual(50);
  });

  it.each<[string, PerformanceInsight[], string, StrategyContext | undefined]>([
    ['without a formation insight or a slow team', [sampleInsight('excessive_tool_usage')], 'consensus', undefined],
    ['slow, but the table has nothing for a parallel team without failures', [sampleInsight('slow_execution')], 'parallel', undefined],
    ['for a formation the team no longer uses', flagged('pipeline'), 'sequential', undefined],
    ['pipeline already (the original always proposed pipeline)', flagged('pipeline'), 'pipeline', undefined],
    ['parallel without dependencies or failures', flagged('parallel'), 'parallel', undefined],
    ['a formation it does not know', flagged('swarm'), 'swarm', undefined],
    [
      'when the team\'s own parallel runs were slower than the table suggests',
      flagged('consensus'),
      'consensus',
      { stats: sampleTeamStats({ formation: 'consensus', meanDurationSeconds: 100 }, { formation: 'parallel', meanDurationSeconds: 180 }) },
    ],
  ])('does not fire %s', (_label, insights, formation, context) => {
    expect(strategy.suggest(insights, config(formation), context)).toEqual([]);
  });

  it('ignores own-runs differences that are noise and falls back to the table', () => {
    const stats = sampleTeamStats(
      { formation: 'sequential', meanDurationSeconds: 100, runs: 4 },
      { formation: 'hierarchical', meanDurationSeconds: 98, runs: 4 },
    );
    const s = first(strategy.suggest(flagged('sequential'), config('sequential'), { stats }));
    expect(s.metadata).toMatchObject({ basis: 'table', to: 'pipeline' });
  });

  it('follows the analyzer\'s own-runs verdict (betterFormation) even without stats', () => {
    const insight = sampleInsight('suboptimal_formation_sequential', {
      currentValue: 120,
      evidence: { runs: 30, comparison: { test: 'Welch t-test', pValue: 0.001, description: 'd' }, details: { formation: 'sequential', betterFormation: 'hierarchical', betterFormationMeanSeconds: 90 } },
    });
    const s = first(strategy.suggest([insight], config('sequential')));
    expect(s.suggestedConfig).toEqual({ formation: 'hierarchical' });
    expect(s).toMatchObject({ expectedImprovement: 25, metadata: { basis: 'observed', pValue: 0.001 } });
  });

  it('ignores a betterFormation that is the current one', () => {
    const insight = sampleInsight('suboptimal_formation_sequential', { evidence: { runs: 30, details: { betterFormation: 'sequential' } } });
    expect(strategy.suggest([insight], config('sequential'))[0]?.metadata).toMatchObject({ basis: 'table', to: 'pipeline' });
  });
});

describe('formation selection on a slow team that only ran in one formation', () => {
  it.each<[string, string]>([
    ['consensus', 'parallel'],
    ['sequential', 'pipeline'],
  ])('%s -> %s from the guide\'s table, at high priority at most', (from, to) => {
    const config = sampleTeamConfig({ formation: from });
    const s = first(formationSelectionStrategy().suggest([sampleInsight('slow_execution')], config));
    expect(s).toBeDefined();
    expect(s.suggestedConfig).toEqual({ formation: to });
    expect(s.priority).toBe('high');
    expect(s.metadata).toMatchObject({ basis: 'table' });
  });
});

describe('consensus to parallel only when the quality risk is low', () => {
  const members = ['m1', 'm2', 'm3', 'm4', 'm5'];
  const config = (): TeamConfig => sampleTeamConfig({ formation: 'consensus', members: members.map((id) => ({ id })) });
  const consensusRuns = (extra: Record<string, unknown>) =>
    sampleTeamStats({ formation: 'consensus', members, runs: 60, successRate: 0.95, ...extra });

  it('goes parallel when every member is reliable and independent', () => {
    const stats = consensusRuns({ memberProfiles: Object.fromEntries(members.map((id) => [id, { successRate: 0.995 }])), waitedFor: Object.fromEntries(members.map((id) => [id, []])) });
    const s = first(formationSelectionStrategy().suggest([sampleInsight('slow_execution')], config(), { stats }));
    expect(s?.suggestedConfig).toEqual({ formation: 'parallel' });
  });

  it('does not switch when members fail often enough that no vote would cover for them', () => {
    const stats = consensusRuns({ memberProfiles: Object.fromEntries(members.map((id) => [id, { successRate: 0.85 }])) });
    expect(formationSelectionStrategy().suggest([sampleInsight('slow_execution')], config(), { stats })).toEqual([]);
  });

  it('picks hierarchical when some members wait for another one', () => {
    const stats = consensusRuns({ memberProfiles: Object.fromEntries(members.map((id) => [id, { successRate: 0.995 }])), waitedFor: { m5: ['m2'] } });
    const s = first(formationSelectionStrategy().suggest([sampleInsight('slow_execution')], config(), { stats }));
    expect(s?.suggestedConfig).toEqual({ formation: 'hierarchical' });
    expect(s.description).toMatch(/wait for another's output/);
  });
});
