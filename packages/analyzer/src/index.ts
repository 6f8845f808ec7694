export type { BottleneckType, InsightComparison, InsightEvidence, PerformanceInsight } from './insight';
export { PerformanceAnalyzer } from './performance-analyzer';
export type { LoadMetricsFileOptions } from './performance-analyzer';
export { analyzeTeamStats } from './analyze-team';
export { DEFAULT_ANALYZER_OPTIONS, resolveAnalyzerOptions } from './options';
export type { AnalyzerBaselines, AnalyzerOptions, AnalyzerThresholds, ResolvedAnalyzerOptions } from './options';
export { describeEvidence, formatPValue } from './evidence';
export { AnalyzerError } from './errors';
export type { AnalyzerErrorCode } from './errors';
