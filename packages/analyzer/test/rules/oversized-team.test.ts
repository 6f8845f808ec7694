import { analyzeTeamStats, type AnalyzerOptions, type PerformanceInsight } from '@autotune/analyzer';
import { makeHistory, statsOf, type TeamSpec } from '../helpers';

const oversized = (specs: TeamSpec[], options?: AnalyzerOptions): PerformanceInsight | undefined =>
  analyzeTeamStats(statsOf(makeHistory(...specs)), options).find((i) => i.bottleneck === 'oversized_team');
const size = (memberCount: number, meanSeconds: number, extra: Partial<TeamSpec> = {}): TeamSpec =>
  ({ runs: 30, memberCount, meanSeconds, sdSeconds: meanSeconds * 0.05, ...extra });

describe('oversized_team', () => {
  it.each<[string, TeamSpec[], string[], number]>([
    ['8 members (min(5, 0.7 x 8) suggested, as the original)', [size(8, 20)], ['size'], 5],
    ['12 members, also slow per member', [size(12, 400)], ['size', 'per_member_time'], 5],
    ['40 s per member with 4 members: down to the 3-5 range, not below', [size(4, 160)], ['per_member_time'], 3],
    ['5 -> 7 members bought nothing', [size(5, 40), size(7, 40)], ['no_speedup'], 5],
    ['4 -> 6 members made it slower', [size(4, 40), size(6, 44)], ['no_speedup'], 4],
  ])('fires: %s', (_, specs, reasons, suggested) => {
    const i = oversized(specs)!;
    expect(i).toBeDefined();
    expect(i.evidence.details!.reasons).toEqual(reasons);
    expect(i.evidence.details!.suggestedMemberCount).toBe(suggested);
    expect(i.recommendation).toMatch(new RegExp(`^Reduce team size from \\d+ to ${suggested}: `));
    expect(i.severity).toBeGreaterThan(0);
    expect(i.severity).toBeLessThanOrEqual(1);
  });

  it('does not advise going below the 3-5 range: a slow 3-member team is told to look elsewhere', () => {
    const i = oversized([size(3, 120)])!;
    expect(i.evidence.details!.suggestedMemberCount).toBe(3);
    expect(i.recommendation).toMatch(/^Each member accounts for .* yet 3 members is already within the recommended 3-5: look at the formation or the slowest members/);
    expect(i.evidence.interval).toBeDefined();
  });

  it('gives no seconds interval when the leading finding is the member count', () => {
    const i = oversized([size(12, 100)])!;
    expect(i.evidence.details!.reasons).toEqual(['size']);
    expect(i.currentValue).toBe(12);
    expect(i.evidence.interval).toBeUndefined();
    expect(i.evidence.unit).toBe('members');
  });

  it('uses the original\'s severity for time per member', () => {
    const i = oversized([size(3, 135)])!;
    expect(Math.abs(i.currentValue - 45)).toBeLessThan(2);
    expect(i.baselineValue).toBe(30);
    expect(i.severity).toBeCloseTo((i.currentValue - 30) / 30, 10);
  });

  it('the size curve carries the Welch interval of the cut in duration', () => {
    const i = oversized([size(5, 40), size(8, 39)])!;
    expect(i.evidence.comparison!.description).toBe('cut in mean duration (s) from 5 to 8 members');
    expect(i.evidence.comparison!.interval!.high).toBeLessThan(4);
    expect(i.evidence.comparisonRuns).toBe(30);
  });

  it.each<[string, TeamSpec[], AnalyzerOptions]>([
    ['5 members, 20 s each', [size(5, 100)], {}],
    ['2 members, however slow', [size(2, 200)], {}],
    ['5 -> 7 members cut duration by a third', [size(5, 60), size(7, 40)], {}],
    ['5 -> 7 members, too noisy to say', [size(5, 40, { runs: 6, sdSeconds: 20 }), size(7, 40, { runs: 6, sdSeconds: 20 })], {}],
    ['the team went back to the smaller size', [size(7, 40), size(5, 40)], {}],
    ['8 members with maxTeamSize raised to 10', [size(8, 20)], { thresholds: { maxTeamSize: 10 } }],
    ['8 members with 4 runs', [size(8, 20, { runs: 4 })], {}],
  ])('does not fire: %s', (_, specs, options) => {
    expect(oversized(specs, options)).toBeUndefined();
  });
});
