import * as pkg from '@autotune/metrics';

describe('@autotune/metrics entry', () => {
  it('exposes exactly its public runtime names', () => {
    expect(Object.keys(pkg).sort()).toEqual(
      [
        'AUTOTUNE_ERROR_BRAND',
        'FORMATIONS',
        'JsonlFileSink',
        'MemoryMetricsSink',
        'MetricsAggregator',
        'MetricsError',
        'TeamMetricsCollector',
        'canonicalJson',
        'configFingerprint',
        'distributionOfSorted',
        'formatLocation',
        'getTeamMetricsCollector',
        'isAutotuneError',
        'loadMetrics',
        'loadMetricsWithReport',
        'normaliseOtlpId',
        'RECORD_LIMITS',
        'parseMetricsText',
        'parseMetricsTextWithReport',
        'quantileSorted',
        'readRecords',
        'summarizeRecords',
        'toSnakeCaseRecord',
        'validateRecord',
      ].sort(),
    );
  });
});
