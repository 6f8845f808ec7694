import { teamSizingStrategy } from '@autotune/strategies';
import type { PerformanceInsight, StrategyContext, TeamConfig } from '@autotune/strategies';
import type { TeamStats } from '@autotune/metrics';
import { sampleInsight, sampleTeamConfig, sampleTeamStats } from '@autotune/strategies/testing';
import type { SampleRunsSpec } from '@autotune/strategies/testing';
import { first } from './support';

const ids = (n: number, first = 'm'): string[] => Array.from({ length: n }, (_, i) => `${first}${i + 1}`);
const team = (n: number): TeamConfig => sampleTeamConfig({ formation: 'parallel', members: ids(n).map((id) => ({ id })) });
const sized = (n: number, mean: number, extra: SampleRunsSpec = {}): SampleRunsSpec => ({ formation: 'parallel', members: ids(n), meanDurationSeconds: mean, ...extra });
const oversized = [sampleInsight('oversized_team')];
const strategy = teamSizingStrategy();

describe('team sizing', () => {
  it.each<[string, TeamConfig, StrategyContext | undefined, number, string]>([
    ['8 members, no runs by size: min(5, 0.7 x 8)', team(8), undefined, 5, 'table'],
    ['6 members: 0.7 x 6', team(6), undefined, 4, 'table'],
    ['4 members: up to the range floor of 3', team(4), undefined, 3, 'table'],
    ['12 members, no members list', { formation: 'parallel', memberCount: 12 }, undefined, 5, 'table'],
    ['8 members whose 4-member runs were much faster', team(8), { stats: sampleTeamStats(sized(8, 200), sized(4, 120), sized(6, 170)) }, 4, 'observed'],
    ['3 members about as fast as 4: the smaller wins', team(8), { stats: sampleTeamStats(sized(8, 200), sized(4, 120), sized(3, 121)) }, 3, 'observed'],
    [
      '3 members faster but failing: 4 chosen',
      team(8),
      { stats: sampleTeamStats(sized(8, 200, { successRate: 0.9 }), sized(4, 130, { successRate: 0.9 }), sized(3, 100, { successRate: 0.5 })) },
      4,
      'observed',
    ],
  ])('fires for %s', (_label, config, context, size, basis) => {
    const [s, ...rest] = strategy.suggest(oversized, config, context);
    if (s === undefined) throw new Error('expected a suggestion');
    expect(rest).toEqual([]);
    expect(s).toMatchObject({ type: 'team_sizing', strategy: 'team_sizing', priority: 'high', targetMetric: 'duration' });
    expect(s.suggestedConfig.memberCount).toBe(size);
    expect(s.metadata).toMatchObject({ basis, fromSize: config.memberCount, toSize: size });
    if (config.members) expect(s.suggestedConfig.members).toHaveLength(size);
    else expect(s.suggestedConfig.members).toBeUndefined();
    expect(strategy.apply(config, s).memberCount).toBe(size);
  });

  it('takes the expected improvement from the observed curve', () => {
    const stats = sampleTeamStats(sized(8, 200), sized(4, 120));
    const s = first(strategy.suggest(oversized, team(8), { stats }));
    const g8 = stats.byMemberCount['8']!.duration.mean;
    const g4 = stats.byMemberCount['4']!.duration.mean;
    expect(s.expectedImprovement).toBeCloseTo(((g8 - g4) / g8) * 100, 1);
  });

  it.each<[string, PerformanceInsight[], TeamConfig, StrategyContext | undefined]>([
    ['without an oversized_team insight', [sampleInsight('slow_execution')], team(8), undefined],
    ['for a team already at 3', oversized, team(3), undefined],
    ['when the team\'s smaller sizes were slower', oversized, team(8), { stats: sampleTeamStats(sized(8, 120), sized(5, 180), sized(4, 200)) }],
    [
      'for a hierarchical team with sub-teams',
      oversized,
      { formation: 'hierarchical', memberCount: 8, members: [{ id: 'boss' }, { id: 't', members: ids(7).map((id) => ({ id })) }] },
      undefined,
    ],
  ])('does not fire %s', (_label, insights, config, context) => {
    expect(strategy.suggest(insights, config, context)).toEqual([]);
  });

  it('trims the members list: disabled first, then the weakest by their runs, never the coordinator', () => {
    const config = sampleTeamConfig({
      formation: 'parallel',
      members: [{ id: 'lead', role: 'coordinator' }, ...ids(6).map((id) => ({ id, enabled: id !== 'm2' }))],
    });
    const stats = sampleTeamStats({
      formation: 'parallel',
      members: ['lead', ...ids(6)],
      memberProfiles: { ...Object.fromEntries(ids(6).map((id) => [id, { successRate: 1 }])), m5: { successRate: 0.2 }, lead: { successRate: 0.1 } },
    });
    const s = first(strategy.suggest(oversized, config, { stats }));
    expect(s.suggestedConfig.memberCount).toBe(4);
    expect(s.suggestedConfig.members!.map((m) => m.id)).toEqual(['lead', 'm1', 'm3', 'm4']);
    expect(s.metadata!.droppedMembers).toEqual(['m2', 'm5', 'm6']);
  });

  it('is surer with more runs and a bigger gap, and expects more from a bigger gap', () => {
    const weak = first(strategy.suggest([sampleInsight('oversized_team', { severity: 0.2, evidence: { runs: 5 } })], team(8)));
    const strong = first(strategy.suggest([sampleInsight('oversized_team', { severity: 0.9, evidence: { runs: 200 } })], team(8)));
    expect(strong.confidence).toBeGreaterThan(weak.confidence);
    expect(strong.expectedImprovement).toBeGreaterThan(weak.expectedImprovement);
    expect(weak.expectedImprovement).toBeGreaterThanOrEqual(10);
    expect(strong.expectedImprovement).toBeLessThanOrEqual(20);
  });

  it('takes options from the factory and from context.options, context winning', () => {
    const wide = teamSizingStrategy({ maxSize: 7, keepShare: 0.9 });
    expect(wide.suggest(oversized, team(10))[0]?.suggestedConfig.memberCount).toBe(7);
    expect(wide.suggest(oversized, team(10), { options: { team_sizing: { maxSize: 6 } } })[0]?.suggestedConfig.memberCount).toBe(6);
  });

  describe('with the analyzer\'s size-curve verdict (no_speedup)', () => {
    const noSpeedup = (suggestedMemberCount: number) =>
      sampleInsight('oversized_team', { evidence: { runs: 30, details: { memberCount: 8, suggestedMemberCount, reasons: ['no_speedup'] } } });

    it('goes to the analyzer\'s size and, as fast there, aims at cost', () => {
      const stats = sampleTeamStats(sized(8, 200), sized(4, 205));
      const s = first(strategy.suggest([noSpeedup(4)], team(8), { stats }));
      expect(s.suggestedConfig.memberCount).toBe(4);
      expect(s).toMatchObject({ targetMetric: 'cost', expectedImprovement: 40, metadata: { basis: 'analyzer' } });
    });

    it('aims at duration when the smaller size was also faster', () => {
      const stats = sampleTeamStats(sized(8, 200), sized(4, 150));
      const s = first(strategy.suggest([noSpeedup(4)], team(8), { stats }));
      expect(s).toMatchObject({ targetMetric: 'duration', metadata: { basis: 'analyzer' } });
      expect(s.expectedImprovement).toBeGreaterThan(15);
    });

    it('ignores a suggested size that is not smaller', () => {
      expect(strategy.suggest([noSpeedup(8)], team(8))[0]?.metadata).toMatchObject({ basis: 'table', toSize: 5 });
    });
  });
});

describe('team sizing: the description states the finding in its own units', () => {
  it.each<[string, Record<string, unknown>, RegExp]>([
    ['seconds per member', { memberCount: 8, perMemberSeconds: 40.7, perMemberBaselineSeconds: 30, reasons: ['per_member_time'] }, /40\.7 s per member against a 30 s baseline/],
    ['too many members', { memberCount: 8, perMemberSeconds: 20, maxTeamSize: 7, reasons: ['too_many_members'] }, /8 members, more than the 7 a team should have/],
  ])('%s', (_name, details, text) => {
    const insight = sampleInsight('oversized_team', { currentValue: 8, baselineValue: 7, evidence: { runs: 40, details: details as never } });
    const s = first(teamSizingStrategy().suggest([insight], team(8)));
    expect(s.description).toMatch(text);
    expect(s.description).not.toMatch(/8 s per member/);
  });
});

describe('team sizing: the range it cites agrees with the cut', () => {
  it.each<[number, number, RegExp, RegExp | null]>([
    // Above the usual range: the range is the reason to cut.
    [8, 5, /3-5 members is the usual sweet spot/, null],
    // Inside it, calling 3-5 the sweet spot would argue against cutting 4 to 3.
    [4, 3, /even within the usual 3-5 members; try the low end/, /sweet spot/],
  ])('%i members cut to %i', (from, to, says, never) => {
    const s = first(strategy.suggest(oversized, team(from), undefined));
    expect(s.suggestedConfig.memberCount).toBe(to);
    expect(s.description).toMatch(says);
    if (never) expect(s.description).not.toMatch(never);
  });
});

describe('team sizing: members the team needs are kept', () => {
  // Six members (table target 4). Each listed member gets [failures, of them in runs the team failed too].
  const solid = Object.fromEntries(ids(6).map((id) => [id, { successRate: 1 }]));
  const withFailures = (counts: Record<string, [number, number]>): TeamStats => {
    const stats = sampleTeamStats(sized(6, 200, { memberProfiles: solid }));
    for (const [id, [failures, withTeam]] of Object.entries(counts)) {
      const m = stats.members[id];
      if (m === undefined) throw new Error(`no member ${id} in the sample stats`);
      Object.assign(m, { successes: m.runs - failures, successRate: (m.runs - failures) / m.runs, failures, failuresWithTeamFailure: withTeam });
    }
    return stats;
  };

  it.each<[string, Record<string, [number, number]>, string[], string[]]>([
    ['no member failed: the last listed go', {}, ['m5', 'm6'], []],
    ['an optional member goes before those that never failed', { m2: [3, 0] }, ['m2', 'm6'], []],
    ['below 80% of failures with the team\'s is optional', { m1: [5, 3] }, ['m1', 'm6'], []],
    ['a critical member is kept; the next never-failed one goes', { m6: [2, 2] }, ['m4', 'm5'], ['m6']],
    ['80% of failures with the team\'s is critical', { m6: [5, 4] }, ['m4', 'm5'], ['m6']],
    ['a single failure with the team\'s is enough', { m1: [1, 1] }, ['m5', 'm6'], ['m1']],
    ['among optional members the weakest go first', { m2: [1, 0], m3: [6, 1], m4: [3, 0] }, ['m3', 'm4'], []],
    ['optional, then never failed, never critical', { m1: [2, 2], m2: [1, 1], m3: [4, 0], m6: [3, 3] }, ['m3', 'm5'], ['m1', 'm2', 'm6']],
  ])('%s', (_label, counts, dropped, required) => {
    const s = first(strategy.suggest(oversized, team(6), { stats: withFailures(counts) }));
    expect(s.suggestedConfig.memberCount).toBe(4);
    expect(s.suggestedConfig.members!.map((m) => m.id)).toEqual(ids(6).filter((id) => !dropped.includes(id)));
    expect(s.metadata).toMatchObject({ toSize: 4, droppedMembers: dropped });
    expect(s.metadata!.targetSize).toBeUndefined();
    expect((s.metadata!.requiredMembers as Array<{ id: string }>).map((r) => r.id)).toEqual(required);
    if (required.length > 0) expect(s.description).toMatch(new RegExp(`keeps ${required.join(', ')} as required`));
    else expect(s.description).not.toMatch(/required/);
  });

  it('stops at the smallest size that keeps every critical member, and says why', () => {
    const counts = Object.fromEntries(ids(5).map((id): [string, [number, number]] => [id, [2, 2]]));
    const s = first(strategy.suggest(oversized, team(6), { stats: withFailures(counts) }));
    expect(s.suggestedConfig.memberCount).toBe(5);
    expect(s.suggestedConfig.members!.map((m) => m.id)).toEqual(ids(5));
    expect(s.metadata).toMatchObject({ toSize: 5, targetSize: 4, droppedMembers: ['m6'] });
    expect(s.metadata!.requiredMembers).toEqual(ids(5).map((id) => ({ id, failures: 2, failuresWithTeamFailure: 2 })));
    expect(s.description).toMatch(/^Reduce the team from 6 to 5 members \(drop m6\)/);
    expect(s.description).toMatch(/m1 2 of 2.*stops the cut short of 4/);
    const full = first(strategy.suggest(oversized, team(6), { stats: withFailures({}) }));
    expect(s.expectedImprovement).toBeCloseTo(full.expectedImprovement / 2, 0);
  });

  it.each<[string, Record<string, [number, number]>]>([
    ['every member is critical', Object.fromEntries(ids(6).map((id): [string, [number, number]] => [id, [1, 1]]))],
  ])('suggests nothing when %s', (_label, counts) => {
    expect(strategy.suggest(oversized, team(6), { stats: withFailures(counts) })).toEqual([]);
  });

  it('drops a disabled member even if its old failures came with the team\'s', () => {
    const config = sampleTeamConfig({ formation: 'parallel', members: ids(6).map((id) => ({ id, enabled: id !== 'm1' })) });
    const s = first(strategy.suggest(oversized, config, { stats: withFailures({ m1: [3, 3] }) }));
    expect(s.metadata).toMatchObject({ droppedMembers: ['m1', 'm6'], requiredMembers: [] });
  });

  it('counts only enabled members: when every enabled member is needed and only disabled ones can go, it suggests nothing (never a team of 0)', () => {
    // Two enabled members whose every failure took the team down, and two disabled ones: trimming to one can drop
    // only the disabled ones, which leaves the team as it is.
    const config = sampleTeamConfig({ formation: 'parallel', memberCount: 2, members: [{ id: 'm1' }, { id: 'm2' }, { id: 'm3', enabled: false }, { id: 'm4', enabled: false }] });
    const oversizedTwo = [sampleInsight('oversized_team', { severity: 0.9, evidence: { runs: 200 } })];
    const suggestions = teamSizingStrategy({ minSize: 1, maxSize: 1 }).suggest(oversizedTwo, config, { stats: withFailures({ m1: [3, 3], m2: [3, 3] }) });
    for (const s of suggestions) expect(s.suggestedConfig.memberCount).toBeGreaterThanOrEqual(1);
    expect(suggestions).toEqual([]);
  });

  it('keeps a member whose output another waited for, and says so', () => {
    const stats = sampleTeamStats(sized(6, 200, { memberProfiles: solid, waitedFor: { m5: ['m4', 'm6'], m2: ['m6'] } }));
    const s = first(strategy.suggest(oversized, team(6), { stats }));
    expect(s.metadata).toMatchObject({ droppedMembers: ['m3', 'm5'], inputMembers: [{ id: 'm4', neededBy: ['m5'] }, { id: 'm6', neededBy: ['m2', 'm5'] }] });
    expect(s.description).toMatch(/keeps m4 \(m5 waited for its output\), m6 \(m2, m5 waited for its output\)/);
  });

  it('reads required and optional members from recorded runs', () => {
    const stats = sampleTeamStats(
      sized(6, 200, { memberProfiles: { ...solid, m2: { successRate: 0.6, optional: true }, m4: { successRate: 0.7, required: true } } }),
    );
    expect(stats.members.m4?.failuresWithTeamFailure).toBe(stats.members.m4?.failures);
    expect(stats.members.m2?.failuresWithTeamFailure).toBeLessThan(0.8 * (stats.members.m2?.failures ?? 0));
    const s = first(strategy.suggest(oversized, team(6), { stats }));
    expect(s.metadata).toMatchObject({ droppedMembers: ['m2', 'm6'], requiredMembers: [{ id: 'm4' }] });
  });
});
