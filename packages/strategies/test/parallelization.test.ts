import { parallelizationStrategy } from '@autotune/strategies';
import type { MemberConfig, PerformanceInsight, StrategyContext, TeamConfig } from '@autotune/strategies';
import { sampleInsight, sampleTeamConfig, sampleTeamStats } from '@autotune/strategies/testing';
import { first } from './support';

const strategy = parallelizationStrategy();
const independent = (ids: string[], saving = 40): PerformanceInsight =>
  sampleInsight('parallelizable_members', { affectedComponents: ids, evidence: { runs: 30, details: { independentMembers: ids, estimatedSavingSeconds: saving } } });
const shape = (ms: MemberConfig[] | undefined): unknown[] => (ms ?? []).map((m) => (m.members ? { [m.id]: [m.formation, ...shape(m.members)] } : m.id));

describe('parallelization', () => {
  it.each<[string, PerformanceInsight, TeamConfig, unknown[], number | undefined]>([
    [
      'four independent of five: a new coordinator and two parallel sub-teams (the guide\'s example)',
      independent(['m2', 'm3', 'm4', 'm5']),
      sampleTeamConfig(),
      ['coordinator', 'm1', { sub_team_1: ['parallel', 'm2', 'm3'] }, { sub_team_2: ['parallel', 'm4', 'm5'] }],
      6,
    ],
    [
      'an existing coordinator keeps the count',
      independent(['a', 'b', 'c', 'd']),
      sampleTeamConfig({ members: [{ id: 'lead', role: 'manager' }, { id: 'a' }, { id: 'b' }, { id: 'c' }, { id: 'd' }] }),
      ['lead', { sub_team_1: ['parallel', 'a', 'b'] }, { sub_team_2: ['parallel', 'c', 'd'] }],
      undefined,
    ],
    [
      'three independent: one parallel sub-team, dependents kept before and after in order',
      independent(['m2', 'm3', 'm4']),
      sampleTeamConfig(),
      ['coordinator', 'm1', { sub_team_1: ['parallel', 'm2', 'm3', 'm4'] }, 'm5'],
      6,
    ],
    [
      'new ids never clash with existing ones',
      independent(['sub_team_1', 'x', 'y', 'z']),
      sampleTeamConfig({ formation: 'pipeline', members: [{ id: 'sub_team_1' }, { id: 'x' }, { id: 'y' }, { id: 'z' }] }),
      ['coordinator', { sub_team_1_2: ['parallel', 'sub_team_1', 'x'] }, { sub_team_2: ['parallel', 'y', 'z'] }],
      5,
    ],
  ])('%s', (_label, insight, config, expected, count) => {
    const [s, ...rest] = strategy.suggest([insight], config);
    if (s === undefined) throw new Error('expected a suggestion');
    expect(rest).toEqual([]);
    expect(s).toMatchObject({ type: 'parallelization', targetMetric: 'duration' });
    expect(s.suggestedConfig.formation).toBe('hierarchical');
    expect(shape(s.suggestedConfig.members)).toEqual(expected);
    expect(s.suggestedConfig.memberCount).toBe(count);
    expect(strategy.apply(config, s).memberCount).toBe(count ?? config.memberCount);
  });

  it('expects the estimated saving over the mean run, less coordination overhead', () => {
    const stats = sampleTeamStats();
    const s = first(strategy.suggest([independent(['m2', 'm3', 'm4', 'm5'], 50)], sampleTeamConfig(), { stats }));
    expect(s.expectedImprovement).toBeCloseTo((50 / stats.duration.mean) * 100 * 0.85, 1);
    expect(s.riskLevel).toBeGreaterThanOrEqual(0.6);
  });

  it.each<[string, PerformanceInsight[], TeamConfig, StrategyContext | undefined]>([
    ['without a parallelizable_members insight', [sampleInsight('slow_execution')], sampleTeamConfig(), undefined],
    ['for a parallel team', [independent(['m2', 'm3'])], sampleTeamConfig({ formation: 'parallel' }), undefined],
    ['for a team that is hierarchical already', [independent(['m2', 'm3'])], sampleTeamConfig({ formation: 'hierarchical' }), undefined],
    ['with one independent member', [independent(['m2'])], sampleTeamConfig(), undefined],
    [
      'when the independent members are disabled',
      [independent(['m2', 'm3'])],
      sampleTeamConfig({ members: [{ id: 'm1' }, { id: 'm2', enabled: false }, { id: 'm3' }] }),
      undefined,
    ],
    ['without a members list', [independent(['m2', 'm3'])], { formation: 'sequential', memberCount: 5 }, undefined],
    ['with fewer independent members than the user\'s minimum', [independent(['m2', 'm3'])], sampleTeamConfig(), { options: { parallelization: { minIndependentMembers: 3 } } }],
  ])('does not fire %s', (_label, insights, config, context) => {
    expect(strategy.suggest(insights, config, context)).toEqual([]);
  });

  it.each<[string, string[], TeamConfig, unknown[]]>([
    [
      'one parallel sub-team per level group, in the place of its first member',
      ['m2+m3', 'm4+m5'],
      sampleTeamConfig(),
      ['coordinator', 'm1', { sub_team_1: ['parallel', 'm2', 'm3'] }, { sub_team_2: ['parallel', 'm4', 'm5'] }],
    ],
    [
      'interleaved groups',
      ['a+c', 'b+d'],
      sampleTeamConfig({ members: ['a', 'b', 'c', 'd', 'e'].map((id) => ({ id })) }),
      ['coordinator', { sub_team_1: ['parallel', 'a', 'c'] }, { sub_team_2: ['parallel', 'b', 'd'] }, 'e'],
    ],
    [
      'a group of four stays one sub-team',
      ['m2+m3+m4+m5'],
      sampleTeamConfig(),
      ['coordinator', 'm1', { sub_team_1: ['parallel', 'm2', 'm3', 'm4', 'm5'] }],
    ],
  ])('uses the analyzer\'s independentGroups: %s', (_label, groups, config, expected) => {
    const insight = sampleInsight('parallelizable_members', {
      evidence: { runs: 30, details: { independentMembers: groups.flatMap((g) => g.split('+')), independentGroups: groups, estimatedSavingSeconds: 30 } },
    });
    expect(shape(strategy.suggest([insight], config)[0]?.suggestedConfig.members)).toEqual(expected);
  });

  it('suggests the plain parallel formation when every member is independent and none coordinates', () => {
    const insight = sampleInsight('parallelizable_members', {
      evidence: { runs: 30, details: { independentMembers: ['m1', 'm2', 'm3', 'm4', 'm5'], independentGroups: ['m1+m2+m3+m4+m5'], estimatedSavingSeconds: 80 } },
    });
    const s = first(strategy.suggest([insight], sampleTeamConfig(), { stats: sampleTeamStats() }));
    expect(s.suggestedConfig).toEqual({ formation: 'parallel' });
    expect(s.metadata).toMatchObject({ addedCoordinator: false, subTeams: [] });
  });

  it('keeps an existing coordinator over a team of independent members', () => {
    const config = sampleTeamConfig({ members: [{ id: 'lead', role: 'coordinator' }, { id: 'a' }, { id: 'b' }] });
    const insight = sampleInsight('parallelizable_members', {
      evidence: { runs: 30, details: { independentMembers: ['a', 'b'], independentGroups: ['a+b'], estimatedSavingSeconds: 20 } },
    });
    expect(shape(strategy.suggest([insight], config)[0]?.suggestedConfig.members)).toEqual(['lead', { sub_team_1: ['parallel', 'a', 'b'] }]);
  });
});
