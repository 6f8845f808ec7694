export { FORMATIONS } from './record';
export type { Formation, LimitHit, MemberRecord, ExecutionRecord } from './record';
export { OUTCOME_METRICS, isOutcomeMetric } from './outcome-metric';
export type { OutcomeMetric } from './outcome-metric';
export { MetricsError } from './errors';
export type { MetricsErrorCode } from './errors';
export { canonicalJson, configFingerprint } from './fingerprint';
export type { DistributionStats, GroupStats, MemberStats, TeamStats, MetricsSummary } from './summary-types';
export { quantileSorted, distributionOfSorted } from './quantile';
export { MetricsAggregator, summarizeRecords } from './aggregator';
export { validateRecord, toSnakeCaseRecord, RECORD_LIMITS } from './validate';
export type { RecordChecks } from './validate';
export { aggregateFile, PARALLEL_MIN_BYTES } from './aggregate-file';
export type { AggregateFileOptions, AggregateFileResult } from './aggregate-file';
export { readRecords, loadMetrics, loadMetricsWithReport, parseMetricsText, parseMetricsTextWithReport } from './read';
export type { MetricsFormat, ReadOptions, ReadReport, SkippedInput, LoadResult, RecordStream } from './read-options';
export { OtlpAssembler } from './otlp';
export type { OtlpOptions, OtlpRunRule, OtlpTeamDefaults, OtlpAssemblyStats, OtlpSink, TraceSpan } from './otlp';
export type { MetricsSink } from './sink';
export { MemoryMetricsSink } from './memory-sink';
export { JsonlFileSink } from './jsonl-file-sink';
export type { JsonlFileSinkOptions } from './jsonl-file-sink';
export { TeamMetricsCollector, getTeamMetricsCollector } from './collector';
export type {
  TeamRunConfig,
  TeamRunResult,
  MemberCompletion,
  CollectorSummary,
  FormationStats,
  CollectorOptions,
  TrackContext,
} from './collector';
