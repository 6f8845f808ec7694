import { describeEvidence, formatPValue, type InsightEvidence } from '@autotune/analyzer';

describe('describeEvidence', () => {
  it.each<[string, InsightEvidence, string]>([
    ['runs only', { runs: 42 }, 'based on 42 runs'],
    ['one run', { runs: 1 }, 'based on 1 run'],
    ['the brief\'s example', {
      runs: 42, interval: { low: 61.24, high: 88.41, confidenceLevel: 0.95 }, unit: 's',
      comparison: { test: 'Welch t-test', pValue: 0.00312, description: 'x' },
    }, 'based on 42 runs; 95% CI 61.2-88.4 s; Welch t-test p = 0.003'],
    ['a comparison with its own interval', {
      runs: 30, comparisonRuns: 25, unit: 's',
      comparison: { test: 'Welch t-test', pValue: 0.0000001, interval: { low: -5, high: 9.04, confidenceLevel: 0.9 }, description: 'x' },
    }, 'based on 30 runs vs 25; difference 90% CI -5.0 to 9.0 s; Welch t-test p < 0.001'],
    ['a share', { runs: 40, interval: { low: 0.4512, high: 0.7433, confidenceLevel: 0.95 }, unit: 'share' },
      'based on 40 runs; 95% CI 45.1%-74.3%'],
    ['small figures', { runs: 9, interval: { low: 0.0123, high: 0.5, confidenceLevel: 0.99 }, unit: 'calls' },
      'based on 9 runs; 99% CI 0.012-0.50 calls'],
  ])('%s', (_, evidence, line) => {
    expect(describeEvidence(evidence)).toBe(line);
  });

  it.each([[0.0004, 'p < 0.001'], [0.001, 'p = 0.001'], [0.04999, 'p = 0.050'], [1, 'p = 1.000']])('formatPValue(%f) = %s', (p, s) => {
    expect(formatPValue(p)).toBe(s);
  });
});
