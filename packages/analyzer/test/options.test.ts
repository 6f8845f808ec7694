import { AnalyzerError, type AnalyzerOptions, DEFAULT_ANALYZER_OPTIONS, PerformanceAnalyzer, resolveAnalyzerOptions } from '@autotune/analyzer';
import { isAutotuneError } from '@autotune/errors';

describe('analyzer options', () => {
  it('defaults are the original\'s baselines', () => {
    expect(DEFAULT_ANALYZER_OPTIONS.baselines).toMatchObject({ durationSeconds: 30, p95Seconds: 60, successRate: 0.95, toolCalls: 15, perMemberSeconds: 30, formationSeconds: {} });
    expect(DEFAULT_ANALYZER_OPTIONS.thresholds).toMatchObject({ slowExecutionFactor: 1.2, latencyOutlierFactor: 1.5, lowSuccessFactor: 0.9, excessiveToolFactor: 1.5, maxTeamSize: 7 });
    expect(DEFAULT_ANALYZER_OPTIONS).toMatchObject({ minRuns: 5, alpha: 0.05, confidenceLevel: 0.95 });
    expect(Object.isFrozen(DEFAULT_ANALYZER_OPTIONS.baselines)).toBe(true);
  });

  it('merges overrides field by field', () => {
    const o = resolveAnalyzerOptions({ baselines: { durationSeconds: 45, formationSeconds: { consensus: 90 } }, thresholds: { maxTeamSize: 9 }, minRuns: 10 });
    expect(o.baselines).toMatchObject({ durationSeconds: 45, p95Seconds: 60, formationSeconds: { consensus: 90 } });
    expect(o.thresholds).toMatchObject({ maxTeamSize: 9, slowExecutionFactor: 1.2 });
    expect(o.minRuns).toBe(10);
    expect(DEFAULT_ANALYZER_OPTIONS.baselines.formationSeconds).toEqual({});
  });

  it.each<[string, AnalyzerOptions, string]>([
    ['minRuns below 2', { minRuns: 1 }, 'minRuns'],
    ['fractional minRuns', { minRuns: 4.5 }, 'minRuns'],
    ['alpha of 0', { alpha: 0 }, 'alpha'],
    ['confidence level of 1', { confidenceLevel: 1 }, 'confidenceLevel'],
    ['a negative baseline', { baselines: { durationSeconds: -1 } }, 'baselines.durationSeconds'],
    ['a success baseline over 1', { baselines: { successRate: 1.5 } }, 'baselines.successRate'],
    ['a formation baseline of 0', { baselines: { formationSeconds: { parallel: 0 } } }, 'baselines.formationSeconds.parallel'],
    ['a factor below 1', { thresholds: { slowExecutionFactor: 0.8 } }, 'thresholds.slowExecutionFactor'],
    ['a NaN threshold', { thresholds: { limitHitRate: Number.NaN } }, 'thresholds.limitHitRate'],
    ['a fractional team size', { thresholds: { maxTeamSize: 6.5 } }, 'thresholds.maxTeamSize'],
  ])('rejects %s, naming the field', (_, options, field) => {
    let caught: unknown;
    try {
      new PerformanceAnalyzer(options);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(AnalyzerError);
    expect(isAutotuneError(caught)).toBe(true);
    expect((caught as AnalyzerError).code).toBe('ANALYZER_INVALID_OPTIONS');
    expect((caught as AnalyzerError).message).toContain(`"${field}"`);
  });
});
