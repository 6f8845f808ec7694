export { FORMATIONS } from './record';
export type { Formation, LimitHit, MemberRecord, ExecutionRecord } from './record';
export { AUTOTUNE_ERROR_BRAND, isAutotuneError, MetricsError, formatLocation } from './errors';
export type { MetricsErrorCode, SourceLocation } from './errors';
export { canonicalJson, configFingerprint } from './fingerprint';
export type { DistributionStats, GroupStats, MemberStats, TeamStats, MetricsSummary } from './summary-types';
export { quantileSorted, distributionOfSorted } from './quantile';
export { MetricsAggregator, summarizeRecords } from './aggregator';
