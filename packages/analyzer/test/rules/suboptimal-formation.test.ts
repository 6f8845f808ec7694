import { analyzeTeamStats, type AnalyzerOptions, type PerformanceInsight } from '@autotune/analyzer';
import { makeHistory, makeRecords, statsOf, first, type TeamSpec } from '../helpers';

const formationInsights = (insights: PerformanceInsight[]) => insights.filter((i) => i.bottleneck.startsWith('suboptimal_formation_'));
const run = (formation: string, meanSeconds: number, extra: Partial<TeamSpec> = {}): TeamSpec =>
  ({ runs: 30, formation, meanSeconds, sdSeconds: meanSeconds * 0.1, ...extra });

describe('suboptimal_formation_<f> on the same team\'s runs', () => {
  it('flags the current formation when another is significantly faster, in seconds', () => {
    const insights = analyzeTeamStats(statsOf(makeHistory(run('parallel', 30), run('consensus', 75))));
    const i = first(formationInsights(insights), 'a formation insight');
    expect(formationInsights(insights)).toHaveLength(1);
    expect(i.bottleneck).toBe('suboptimal_formation_consensus');
    expect(i.currentValue).toBeCloseTo(75, -1);
    expect(i.baselineValue).toBeCloseTo(30, -1);
    expect(i.severity).toBe(1);
    expect(i.recommendation).toMatch(/^Switch formation from consensus to parallel: on this team's own runs parallel averaged \d+\.\ds against \d+\.\ds for consensus/);
    expect(i.evidence).toMatchObject({ runs: 30, comparisonRuns: 30, unit: 's' });
    expect(i.evidence.comparison!.test).toBe('Welch t-test');
    expect(i.evidence.comparison!.pValue).toBeLessThan(0.001);
    expect(i.evidence.comparison!.interval!.low).toBeGreaterThan(30);
    expect(i.evidence.details).toMatchObject({ formation: 'consensus', betterFormation: 'parallel' });
  });

  it('with three formations, compares against the fastest and corrects for the comparisons', () => {
    const insights = analyzeTeamStats(statsOf(makeHistory(run('parallel', 30), run('sequential', 50), run('pipeline', 45))));
    const i = first(formationInsights(insights), 'a formation insight');
    expect(i.bottleneck).toBe('suboptimal_formation_pipeline');
    expect(i.evidence.details!.betterFormation).toBe('parallel');
    expect(i.evidence.comparison!.test).toBe('Welch t-test (Bonferroni, 2 comparisons)');
  });

  it.each<[string, TeamSpec[]]>([
    ['the current formation is the fastest', [run('consensus', 75), run('parallel', 30)]],
    ['two formations equally fast', [run('parallel', 40), run('sequential', 40)]],
    ['faster by less than 1.2 x', [run('parallel', 40), run('sequential', 44)]],
    ['a difference noise explains', [run('parallel', 30, { runs: 5, sdSeconds: 30 }), run('sequential', 45, { runs: 5, sdSeconds: 30 })]],
    ['the faster formation has too few runs', [run('parallel', 20, { runs: 4 }), run('sequential', 60)]],
    ['the current formation has too few runs', [run('parallel', 20), run('sequential', 60, { runs: 4 })]],
    ['the faster formation fails far more often', [run('parallel', 30, { successRate: 0.5 }), run('consensus', 75, { successRate: 1 })]],
  ])('does not fire: %s', (_, specs) => {
    expect(formationInsights(analyzeTeamStats(statsOf(makeHistory(...specs))))).toEqual([]);
  });

  it('never flags every formation: a team that ran all five, at realistic speeds, gets at most one insight', () => {
    const specs = [run('parallel', 25), run('pipeline', 35), run('hierarchical', 40), run('consensus', 60), run('sequential', 70)];
    const insights = formationInsights(analyzeTeamStats(statsOf(makeHistory(...specs))));
    expect(insights.map((i) => i.bottleneck)).toEqual(['suboptimal_formation_sequential']);
    expect(insights[0]?.evidence.details?.betterFormation).toBe('parallel');
  });
});

describe('suboptimal_formation_<f> against user baselines (seconds)', () => {
  it.each(['sequential', 'parallel', 'pipeline', 'hierarchical', 'consensus'])(
    'the original\'s case: a %s team of ordinary 75 s runs is not flagged without a baseline in seconds',
    (formation) => {
      // The original compared ~100 ms coordination benchmarks with whole runs in seconds, so every
      // formation looked 1000x too slow. Without a per-formation baseline there is nothing to compare.
      const stats = statsOf(makeRecords(run(formation, 75)));
      expect(formationInsights(analyzeTeamStats(stats))).toEqual([]);
    },
  );

  it.each<[string, number, AnalyzerOptions, boolean]>([
    ['within a 30 s baseline', 25, { baselines: { formationSeconds: { sequential: 30 } } }, false],
    ['just over a 60 s baseline', 65, { baselines: { formationSeconds: { sequential: 60 } } }, false],
    ['a baseline set only for another formation', 75, { baselines: { formationSeconds: { parallel: 10 } } }, false],
    ['well over a 40 s baseline', 75, { baselines: { formationSeconds: { sequential: 40 } } }, true],
  ])('sequential at %s (mean %i s): fires = %s', (_, mean, options, fires) => {
    const insights = formationInsights(analyzeTeamStats(statsOf(makeRecords(run('sequential', mean))), options));
    expect(insights.length).toBe(fires ? 1 : 0);
    if (fires) {
      expect(insights[0]?.bottleneck).toBe('suboptimal_formation_sequential');
      expect(insights[0]?.baselineValue).toBe(40);
      expect(insights[0]?.recommendation).toContain('against your 40.0s baseline for it');
      expect(insights[0]?.evidence.details?.source).toBe('formation baseline');
    }
  });
});
