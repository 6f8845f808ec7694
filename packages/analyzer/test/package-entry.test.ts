import * as pkg from '@autotune/analyzer';

describe('@autotune/analyzer entry', () => {
  it('exposes its public names, and only those', () => {
    expect(Object.keys(pkg).sort()).toEqual([
      'AnalyzerError', 'DEFAULT_ANALYZER_OPTIONS', 'PerformanceAnalyzer', 'analyzeTeamStats', 'describeEvidence',
      'formatPValue', 'resolveAnalyzerOptions',
    ]);
  });
});
