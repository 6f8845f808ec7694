export type { BottleneckType, InsightComparison, InsightEvidence, PerformanceInsight } from './insight';
