import { analyzeTeamStats, type PerformanceInsight } from '@autotune/analyzer';
import { makeRecords, type MemberSpec, statsOf, type TeamSpec } from '../helpers';

const parallelizable = (spec: TeamSpec): PerformanceInsight | undefined =>
  analyzeTeamStats(statsOf(makeRecords(spec))).find((i) => i.bottleneck === 'parallelizable_members');
const m = (id: string, meanSeconds: number, waitedFor?: string[]): MemberSpec =>
  ({ id, meanSeconds, sdSeconds: 0.5, ...(waitedFor ? { waitedFor } : {}) });

// A fan-out: a plans, b, c and d each need only a's output, e needs all three.
const fanOut = [m('a', 10, []), m('b', 20, ['a']), m('c', 15, ['a']), m('d', 10, ['a']), m('e', 5, ['b', 'c', 'd'])];

describe('parallelizable_members', () => {
  it('finds the independent members from recorded dependencies and estimates the saving from the critical path', () => {
    const i = parallelizable({ runs: 20, formation: 'sequential', members: fanOut })!;
    expect(i).toBeDefined();
    expect(i.affectedComponents).toEqual(['b', 'c', 'd']);
    const d = i.evidence.details!;
    expect(d.independentMembers).toEqual(['b', 'c', 'd']);
    expect(d.independentGroups).toEqual(['b+c+d']);
    expect(d.criticalPath).toEqual(['a', 'b', 'e']);
    expect(d.dependencySource).toBe('recorded dependencies');
    // Sum of means 60 s, critical path a + b + e = 35 s: about 25 s saved.
    expect(d.criticalPathSeconds as number).toBeCloseTo(35, 0);
    expect(d.estimatedSavingSeconds as number).toBeCloseTo(25, 0);
    expect(i.severity).toBeCloseTo(25 / 60.5, 1);
    expect(i.recommendation).toMatch(/^Members b, c and d never wait for each other's output \(per recorded dependencies\); running them side by side would cut the critical path from \d+\.\ds to \d+\.\ds, saving about \d+\.\ds per run/);
    expect(i.recommendation).toContain('Split the sequential team into parallel sub-teams');
    expect(i.evidence.runs).toBe(20);
  });

  it('reads independence from timing when the order of members varied and nothing was recorded', () => {
    const i = parallelizable({ runs: 20, formation: 'pipeline', schedule: 'shuffled', members: [m('x', 10), m('y', 10), m('z', 10)] })!;
    expect(i.evidence.details!.independentMembers).toEqual(['x', 'y', 'z']);
    expect(i.evidence.details!.dependencySource).toBe('member timings');
    expect(i.evidence.details!.estimatedSavingSeconds as number).toBeCloseTo(20, 0);
  });

  it.each<[string, TeamSpec]>([
    ['a chain of recorded dependencies', { runs: 20, formation: 'sequential', members: [m('a', 10, []), m('b', 10, ['a']), m('c', 10, ['b'])] }],
    ['a fixed order and no recorded dependencies: timing cannot show independence', { runs: 20, formation: 'sequential', members: [m('a', 10), m('b', 10), m('c', 10)] }],
    ['no dependencies recorded and no timings', { runs: 20, formation: 'sequential', schedule: 'untimed', members: [m('a', 10), m('b', 10)] }],
    ['a team already in parallel', { runs: 20, formation: 'parallel', schedule: 'parallel', members: fanOut }],
    ['a saving under 15% of the run', { runs: 20, formation: 'sequential', members: [m('a', 50, []), m('b', 50, ['a']), m('c', 5, []), m('d', 3, ['a', 'b', 'c'])] }],
    ['too few runs', { runs: 4, formation: 'sequential', members: fanOut }],
    ['recorded dependencies that form a cycle', { runs: 20, formation: 'sequential', members: [m('a', 10, ['b']), m('b', 10, ['a']), m('c', 10, [])] }],
  ])('does not fire: %s', (_, spec) => {
    expect(parallelizable(spec)).toBeUndefined();
  });
});
