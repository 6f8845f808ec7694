import { analyzeTeamStats, type AnalyzerOptions, type PerformanceInsight } from '@autotune/analyzer';
import { makeRecords, type MemberSpec, statsOf, first } from '../helpers';

const ok = (id: string, extra: Partial<MemberSpec> = {}): MemberSpec => ({ id, meanSeconds: 20, toolCalls: 5, ...extra });
const memberInsights = (members: MemberSpec[], runs = 30, options?: AnalyzerOptions): PerformanceInsight[] =>
  analyzeTeamStats(statsOf(makeRecords({ runs, formation: 'parallel', schedule: 'parallel', members })), options)
    .filter((i) => i.bottleneck === 'underperforming_member');

describe('underperforming_member', () => {
  it.each<[string, MemberSpec, string, RegExp]>([
    ['3x slower', ok('slow', { meanSeconds: 60 }), 'duration',
      /^Member slow takes 3\.\dx as long as its teammates \(\d+\.\ds vs \d+\.\ds mean\) over 30 runs\. /],
    ['4x the tool calls', ok('greedy', { toolCalls: 20 }), 'tool_calls',
      /^Member greedy makes 4\.\dx as many tool calls as its teammates \(\d+\.\d vs \d+\.\d per run\) over 30 runs\. Reconfigure it \(for example lower its tool budget multiplier\)/],
    ['failing half its runs', ok('flaky', { successRate: 0.5 }), 'success_rate',
      /^Member flaky succeeds in 50\.0% of its runs against 100\.0% for its teammates over 30 runs\. Replace or reconfigure it/],
  ])('fires for a member %s, naming it and by how much', (_, odd, metric, text) => {
    const insights = memberInsights([ok('a'), ok('b'), ok('c'), odd]);
    expect(insights).toHaveLength(1);
    const i = first(insights, 'a member insight');
    expect(i.affectedComponents).toEqual([odd.id]);
    expect(i.evidence.details).toMatchObject({ memberId: odd.id, outlierMetrics: [metric], primaryMetric: metric });
    expect(i.recommendation).toMatch(text);
    expect(i.evidence).toMatchObject({ runs: 30, comparisonRuns: 90 });
    expect(i.evidence.comparison!.test).toMatch(/\(Bonferroni, 12 tests\)$/);
    expect(i.evidence.comparison!.pValue).toBeLessThan(0.05);
  });

  it('judges duration and tool calls against members of the same role, success against everyone', () => {
    const team = [
      ok('planner', { role: 'planner', meanSeconds: 5 }),
      ok('writer_1', { role: 'writer', meanSeconds: 40 }),
      ok('writer_2', { role: 'writer', meanSeconds: 100 }),
      ok('editor', { role: 'editor', meanSeconds: 10, successRate: 0.5 }),
    ];
    const insights = memberInsights(team);
    expect(insights.map((i) => i.affectedComponents[0]).sort()).toEqual(['editor', 'writer_2']);
    const writer = insights.find((i) => i.affectedComponents[0] === 'writer_2')!;
    expect(writer.recommendation).toMatch(/^Member writer_2 \(writer\) takes 2\.\dx as long as the other writers \(/);
    expect(writer.evidence.comparisonRuns).toBe(30);
    // Both writers take far longer than the planner and the editor, which is their job, not a fault. The
    // planner and the editor have no peers, so only their success rates are judged: 2 x 2 + 4 = 8 tests.
    expect(writer.evidence.comparison!.test).toMatch(/\(Bonferroni, 8 tests\)$/);
    const editor = insights.find((i) => i.affectedComponents[0] === 'editor')!;
    expect(editor.evidence.details!.outlierMetrics).toEqual(['success_rate']);
    expect(editor.evidence.comparisonRuns).toBe(90);
  });

  it('names every metric a member is an outlier in', () => {
    const i = first(memberInsights([ok('a'), ok('b'), ok('c'), ok('bad', { meanSeconds: 60, successRate: 0.4 })]), 'a member insight');
    expect(i.evidence.details!.outlierMetrics).toEqual(['duration', 'success_rate']);
    expect(i.recommendation).toContain(' and succeeds in 40.0% of its runs');
  });

  it.each<[string, MemberSpec[], number, AnalyzerOptions]>([
    ['four similar members', [ok('a'), ok('b'), ok('c'), ok('d', { meanSeconds: 24 })], 30, {}],
    ['roles that differ by design', [ok('p', { role: 'planner', meanSeconds: 5 }), ok('w', { role: 'writer', meanSeconds: 60, toolCalls: 20 }), ok('e', { role: 'editor' })], 30, {}],
    ['only two members', [ok('a'), ok('slow', { meanSeconds: 60 })], 30, {}],
    ['a slow member over 4 runs', [ok('a'), ok('b'), ok('slow', { meanSeconds: 60 })], 4, {}],
    ['one failure in 6 runs', [ok('a'), ok('b'), ok('c'), ok('d', { successRate: 5 / 6 })], 6, {}],
    ['a ratio under a raised threshold', [ok('a'), ok('b'), ok('c'), ok('slow', { meanSeconds: 60 })], 30, { thresholds: { memberDurationRatio: 4 } }],
  ])('does not fire: %s', (_, members, runs, options) => {
    expect(memberInsights(members, runs, options)).toEqual([]);
  });
});
