import { memberSelectionStrategy } from '@autotune/strategies';
import type { MemberConfig, PerformanceInsight, StrategyContext, TeamConfig } from '@autotune/strategies';
import { sampleInsight, sampleTeamConfig, sampleTeamStats } from '@autotune/strategies/testing';
import { first } from './support';

const strategy = memberSelectionStrategy();
const under = (id: string, severity: number, metric?: string): PerformanceInsight =>
  sampleInsight('underperforming_member', { severity, affectedComponents: [id], evidence: { runs: 30, details: metric ? { primaryMetric: metric } : {} } });
const solid = Object.fromEntries(['m1', 'm2', 'm3', 'm4', 'm5'].map((id) => [id, { successRate: 1 }]));
const stats = sampleTeamStats({
  memberProfiles: { ...solid, m1: { durationWeight: 0.6, successRate: 1 }, m3: { durationWeight: 2.5, successRate: 0.3 } },
});
const team = (members: MemberConfig[]): TeamConfig => sampleTeamConfig({ members });
const view = (ms: MemberConfig[] | undefined) => Object.fromEntries((ms ?? []).map((m) => [m.id, [m.enabled ?? true, m.toolBudgetMultiplier ?? 1]]));

describe('member selection', () => {
  it.each<[string, PerformanceInsight[], TeamConfig, StrategyContext | undefined, Record<string, [boolean, number]>]>([
    ['disables a dragging member and gives the strongest more budget', [under('m3', 0.7)], sampleTeamConfig(), { stats }, { m1: [true, 1.5], m3: [false, 1] }],
    ['lowers a mildly weak member\'s multiplier', [under('m3', 0.4)], sampleTeamConfig(), undefined, { m3: [true, 0.8] }],
    ['scales the cut with severity', [under('m3', 0.55)], sampleTeamConfig(), undefined, { m3: [true, 0.8] }],
    ['cuts an existing multiplier further', [under('m3', 0.4)], team([{ id: 'm1' }, { id: 'm2' }, { id: 'm3', toolBudgetMultiplier: 0.5 }]), undefined, { m3: [true, 0.4] }],
    ['disables a member whose own runs mostly fail, even at low severity', [under('m3', 0.3)], sampleTeamConfig(), { stats }, { m1: [true, 1.5], m3: [false, 1] }],
    [
      'keeps two members enabled: reduces instead of disabling',
      [under('c', 0.9)],
      team([{ id: 'a' }, { id: 'b', enabled: false }, { id: 'c' }]),
      undefined,
      { c: [true, 0.7] },
    ],
    ['never disables a coordinator', [under('boss', 0.9)], team([{ id: 'boss', role: 'manager' }, { id: 'a' }, { id: 'b' }]), undefined, { boss: [true, 0.7] }],
    [
      'disables the worse of two and reduces the other when only one may go',
      [under('b', 0.6), under('c', 0.9)],
      team([{ id: 'a' }, { id: 'b' }, { id: 'c' }]),
      undefined,
      { b: [true, 0.8], c: [false, 1] },
    ],
  ])('%s', (_label, insights, config, context, changed) => {
    const [s, ...rest] = strategy.suggest(insights, config, context);
    if (s === undefined) throw new Error('expected a suggestion');
    expect(rest).toEqual([]);
    expect(s.type).toBe('member_selection');
    expect(Object.keys(s.suggestedConfig)).toEqual(['members']);
    const before = view(config.members);
    const after = view(s.suggestedConfig.members);
    const diff = Object.fromEntries(Object.entries(after).filter(([id, v]) => JSON.stringify(v) !== JSON.stringify(before[id])));
    expect(diff).toEqual(changed);
    expect(strategy.apply(config, s).memberCount).toBe(config.memberCount);
  });

  it.each<[string | undefined, TargetMetric]>([
    ['success_rate', 'success_rate'],
    ['duration', 'duration'],
    ['tool_calls', 'cost'],
    [undefined, 'duration'],
  ])('aims at the metric the analyzer named (%s)', (metric, target) => {
    expect(strategy.suggest([under('m3', 0.4, metric)], sampleTeamConfig())[0]?.targetMetric).toBe(target);
  });

  it('infers the metric from the member\'s runs when the analyzer did not name one', () => {
    expect(strategy.suggest([under('m3', 0.7)], sampleTeamConfig(), { stats })[0]?.targetMetric).toBe('success_rate');
  });

  it('expects a sequential team to save the disabled member\'s share of the run', () => {
    const slow = sampleTeamStats({ memberProfiles: { ...solid, m3: { durationWeight: 2.5, successRate: 1 } } });
    const s = first(strategy.suggest([under('m3', 0.7, 'duration')], sampleTeamConfig(), { stats: slow }));
    expect(s.expectedImprovement).toBeCloseTo((slow.members.m3!.meanDurationSeconds / slow.duration.mean) * 100, 0);
  });

  it.each<[string, PerformanceInsight[], TeamConfig]>([
    ['without an underperforming member', [sampleInsight('slow_execution')], sampleTeamConfig()],
    ['for a config without a members list', [under('m3', 0.9)], { formation: 'parallel', memberCount: 5 }],
    ['for a member not in the config', [under('ghost', 0.9)], sampleTeamConfig()],
    ['for a member already disabled', [under('m3', 0.9)], team([{ id: 'm1' }, { id: 'm2' }, { id: 'm3', enabled: false }])],
  ])('does not fire %s', (_label, insights, config) => {
    expect(strategy.suggest(insights, config)).toEqual([]);
  });

  it('honours a larger safe size from the user\'s options', () => {
    const s = first(strategy.suggest([under('m3', 0.9)], sampleTeamConfig(), { options: { member_selection: { minEnabledMembers: 5 } } }));
    expect(view(s.suggestedConfig.members).m3).toEqual([true, 0.7]);
  });
});

type TargetMetric = 'duration' | 'cost' | 'success_rate';

describe('member selection: a member the team needs stays enabled', () => {
  const profiles = (m3: { required?: boolean; optional?: boolean }) =>
    sampleTeamStats({ memberProfiles: { ...solid, m1: { durationWeight: 0.6, successRate: 1 }, m3: { durationWeight: 2.5, successRate: 0.3, ...m3 } } });

  it.each<[string, { required?: boolean; optional?: boolean }, boolean, string[]]>([
    ['its failures came with the team\'s: kept, its budget lowered', { required: true }, true, ['m3']],
    ['the team survived its failures: disabled', { optional: true }, false, []],
    ['the team failed with about half of them: disabled', {}, false, []],
  ])('%s', (_label, m3, enabled, required) => {
    const s = first(strategy.suggest([under('m3', 0.7)], sampleTeamConfig(), { stats: profiles(m3) }));
    const after = s.suggestedConfig.members!.find((m) => m.id === 'm3')!;
    expect(after.enabled ?? true).toBe(enabled);
    if (enabled) expect(after.toolBudgetMultiplier).toBeLessThan(1);
    expect((s.metadata!.requiredMembers as Array<{ id: string }>).map((r) => r.id)).toEqual(required);
    if (enabled) expect(s.description).toMatch(/m3 kept enabled as required \(.*m3 (\d+) of \1\)/);
    else expect(s.description).not.toMatch(/required/);
  });
});
