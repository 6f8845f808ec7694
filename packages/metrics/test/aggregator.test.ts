import { MetricsAggregator, summarizeRecords } from '@autotune/metrics';
import type { ExecutionRecord } from '@autotune/metrics';
import { member, run } from './helpers';

describe('MetricsAggregator', () => {
  it('computes exact team figures in one pass', () => {
    const agg = new MetricsAggregator();
    const durations = [50, 15, 40, 20, 35];
    durations.forEach((d, i) =>
      agg.add(
        run({
          durationSeconds: d,
          success: i !== 1,
          toolCalls: [10, 20, 30, 40, 50][i] ?? 0,
          memberCount: i < 3 ? 3 : 5,
          formation: i < 2 ? 'sequential' : 'parallel',
          configFingerprint: i < 2 ? 'aaaa' : 'bbbb',
          ...(i === 0 ? { inputTokens: 100 } : {}),
          ...(i < 2 ? { costUsd: 0.5 } : {}),
          ...(i === 1 ? { limitHit: 'timeout' as const } : {}),
          toolBudget: i === 4 ? 60 : 40,
        }),
      ),
    );
    const t = agg.team('team_a')!;
    expect(t.runs).toBe(5);
    expect(t.successes).toBe(4);
    expect(t.successRate).toBeCloseTo(0.8, 12);
    expect(Array.from(t.durationsSeconds)).toEqual([15, 20, 35, 40, 50]);
    expect(t.duration.median).toBe(35);
    expect(t.duration.p95).toBeCloseTo(48, 12);
    expect(t.meanToolCalls).toBe(30);
    expect(t.stdDevToolCalls).toBeCloseTo(Math.sqrt(1000 / 4), 12);
    expect(t.meanMemberCount).toBeCloseTo(3.8, 12);
    expect(t.meanInputTokens).toBe(100);
    expect(t.meanOutputTokens).toBeUndefined();
    expect(t.meanCostUsd).toBe(0.5);
    expect(t.totalCostUsd).toBe(1);
    expect(t.limitHits).toEqual({ timeout: 1, tool_budget: 0, max_turns: 0 });
    expect(t.toolBudget).toBe(60);
    expect(Object.keys(t.byFormation)).toEqual(['parallel', 'sequential']);
    expect(Array.from(t.byFormation.sequential?.durationsSeconds ?? [])).toEqual([15, 50]);
    expect(t.byFormation.parallel?.duration.median).toBe(35);
    expect(Object.keys(t.byMemberCount)).toEqual(['3', '5']);
    expect(t.byMemberCount['5']?.runs).toBe(2);
    expect(t.byFingerprint.bbbb?.successRate).toBe(1);
    expect(t.latestFormation).toBe('parallel');
    expect(t.latestMemberCount).toBe(5);
    expect(t.latestFingerprint).toBe('bbbb');
  });

  it('takes the latest config by start time, not by arrival', () => {
    const agg = new MetricsAggregator();
    agg.add(run({ startTimeMs: 2000, formation: 'pipeline', memberCount: 4 }));
    agg.add(run({ startTimeMs: 1000, formation: 'consensus', memberCount: 7 }));
    const t = agg.team('team_a')!;
    expect(t.latestFormation).toBe('pipeline');
    expect(t.latestMemberCount).toBe(4);
    expect(t.firstStartTimeMs).toBe(1000);
    expect(t.lastStartTimeMs).toBe(2000);
  });

  it("takes a member's role from the team's latest run that names one, by start time, in whatever order runs and merges come", () => {
    const runs = [
      run({ startTimeMs: 3000, members: [member('m', { role: 'critic' })] }),
      run({ startTimeMs: 1000, members: [member('m', { role: 'planner' })] }),
      run({ startTimeMs: 4000, members: [member('m')] }),
      run({ startTimeMs: 2000, members: [member('m', { role: 'writer' })] }),
    ];
    const one = new MetricsAggregator();
    for (const r of runs) one.add(r);
    expect(one.team('team_a')!.members.m!.role).toBe('critic');
    // Cut anywhere and merged either way round: the same role.
    for (let cut = 0; cut <= runs.length; cut++) {
      const [a, b] = [new MetricsAggregator(), new MetricsAggregator()];
      runs.slice(0, cut).forEach((r) => a.add(r));
      runs.slice(cut).forEach((r) => b.add(r));
      const [ab, ba] = [new MetricsAggregator(), new MetricsAggregator()];
      ab.merge(a);
      ab.merge(b);
      ba.merge(b);
      ba.merge(a);
      expect(ab.team('team_a')!.members.m!.role).toBe('critic');
      expect(ba.team('team_a')!.members.m!.role).toBe('critic');
    }
    // Runs that start at the same instant: the one added (or merged) last.
    const tie = new MetricsAggregator();
    tie.add(run({ startTimeMs: 5000, members: [member('m', { role: 'a' })] }));
    tie.add(run({ startTimeMs: 5000, members: [member('m', { role: 'b' })] }));
    expect(tie.team('team_a')!.members.m!.role).toBe('b');
  });

  it('keeps teams apart and lists them sorted', () => {
    const agg = new MetricsAggregator();
    agg.add(run({ teamId: 'zeta' }));
    agg.add(run({ teamId: 'alpha' }));
    agg.add(run({ teamId: 'zeta' }));
    expect(agg.teamIds()).toEqual(['alpha', 'zeta']);
    expect(agg.team('zeta')!.runs).toBe(2);
    expect(agg.team('missing')).toBeUndefined();
    const s = agg.summary();
    expect(s.totalRecords).toBe(3);
    expect([...s.teams.keys()]).toEqual(['alpha', 'zeta']);
  });

  it('summarises per member, with the union of waitedFor', () => {
    const agg = new MetricsAggregator();
    agg.add(
      run({
        members: [
          member('writer', { role: 'writer', durationSeconds: 4, toolCalls: 1, waitedFor: ['researcher'] }),
          member('researcher', { durationSeconds: 6, success: false, costUsd: 0.2 }),
        ],
      }),
    );
    agg.add(
      run({
        members: [
          member('writer', { durationSeconds: 8, toolCalls: 3, waitedFor: ['editor', 'researcher'] }),
          member('researcher', { durationSeconds: 6 }),
        ],
      }),
    );
    const { writer, researcher } = agg.team('team_a')!.members;
    expect(writer).toMatchObject({ role: 'writer', runs: 2, successes: 2, successRate: 1, meanDurationSeconds: 6, meanToolCalls: 2 });
    expect(writer?.stdDevDurationSeconds).toBeCloseTo(Math.sqrt(8), 12);
    expect(writer?.waitedFor).toEqual(['editor', 'researcher']);
    expect(researcher?.successRate).toBe(0.5);
    expect(researcher?.meanCostUsd).toBeCloseTo(0.2, 12);
    expect(researcher?.waitedFor).toBeUndefined();
  });

  it.each<[string, Array<[boolean, boolean]>, number, number]>([
    ['never failed', [[true, true], [true, false]], 0, 0],
    ['failed only when the team failed', [[false, false], [false, false], [true, true]], 2, 2],
    ['failed while the team succeeded', [[false, true], [true, true]], 1, 0],
    ['both kinds', [[false, false], [false, true], [false, true], [true, false]], 3, 1],
  ])('counts member failures and those the team did not survive: %s', (_label, outcomes, failures, withTeam) => {
    const agg = new MetricsAggregator();
    for (const [memberOk, teamOk] of outcomes) agg.add(run({ success: teamOk, members: [member('a', { success: memberOk }), member('b')] }));
    const { a, b } = agg.team('team_a')!.members;
    expect(a).toMatchObject({ failures, failuresWithTeamFailure: withTeam, runs: outcomes.length });
    expect(a?.failures).toBe((a?.runs ?? 0) - (a?.successes ?? 0));
    expect(b).toMatchObject({ failures: 0, failuresWithTeamFailure: 0 });
  });

  it('records pairwise timing evidence only where both members have times', () => {
    const agg = new MetricsAggregator();
    const timed = (a: [number, number], b: [number, number], c?: [number, number]) =>
      run({
        members: [
          member('a', { startTimeMs: a[0], endTimeMs: a[1] }),
          member('b', { startTimeMs: b[0], endTimeMs: b[1] }),
          c ? member('c', { startTimeMs: c[0], endTimeMs: c[1] }) : member('c'),
        ],
      });
    agg.add(timed([0, 100], [100, 200], [0, 50])); // b starts exactly when a ends: counts as after
    agg.add(timed([0, 100], [150, 200])); // c untimed
    agg.add(timed([0, 100], [50, 200], [300, 400])); // b overlaps a
    const m = agg.team('team_a')!.members;
    expect(m.b?.timedRunsWith).toEqual({ a: 3, c: 2 });
    expect(m.b?.startedAfterEndOf).toEqual({ a: 2, c: 1 });
    expect(m.a?.startedAfterEndOf).toEqual({ b: 0, c: 0 });
    expect(m.c?.timedRunsWith).toEqual({ a: 2, b: 2 });
    expect(m.c?.startedAfterEndOf).toEqual({ a: 1, b: 1 });
  });

  it('does not let a returned summary change when more runs arrive', () => {
    const agg = new MetricsAggregator();
    agg.add(run({ durationSeconds: 30 }));
    const before = agg.team('team_a')!;
    agg.add(run({ durationSeconds: 1 }));
    expect(Array.from(before.durationsSeconds)).toEqual([30]);
    expect(Array.from(agg.team('team_a')!.durationsSeconds)).toEqual([1, 30]);
  });

  it('grows past its initial capacity and keeps every duration', () => {
    const agg = new MetricsAggregator();
    for (let i = 1000; i >= 1; i--) agg.add(run({ durationSeconds: i }));
    const t = agg.team('team_a')!;
    expect(t.durationsSeconds.length).toBe(1000);
    expect(t.duration.median).toBe(500.5);
    expect(t.duration.p99).toBeCloseTo(990.01, 9);
  });
});

describe('summarizeRecords', () => {
  const records = (): ExecutionRecord[] => [run({ teamId: 'x' }), run({ teamId: 'y' }), run({ teamId: 'x' })];

  it.each([
    ['an array', () => records()],
    [
      'an async iterable',
      () =>
        (async function* () {
          // Each record arrives on a later tick, as from a stream.
          for (const r of records()) yield await Promise.resolve(r);
        })(),
    ],
  ])('summarises %s', async (_label, source) => {
    const s = await summarizeRecords(source());
    expect(s.totalRecords).toBe(3);
    expect(s.teams.get('x')!.runs).toBe(2);
    expect(s.teams.get('y')!.runs).toBe(1);
  });
});
