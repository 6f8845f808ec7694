/** Bottleneck kinds the analyzer reports. Formation insights are `suboptimal_formation_<formation>`. */
export type BottleneckType =
  | 'slow_execution'
  | 'high_latency_outliers'
  | 'low_success_rate'
  | 'excessive_tool_usage'
  | `suboptimal_formation_${string}`
  | 'oversized_team'
  | 'underperforming_member'
  | 'parallelizable_members'
  | 'limit_exhaustion';

/** A statistical comparison an insight rests on. */
export interface InsightComparison {
  /** e.g. "Welch t-test", "Fisher exact test", "binomial". */
  test: string;
  pValue: number;
  /** Confidence interval of the compared quantity, at `confidenceLevel`. */
  interval?: { low: number; high: number; confidenceLevel: number };
  /** What the interval is of, e.g. "mean duration difference (s), parallel minus sequential". */
  description: string;
}

/** What an insight rests on: never two runs and a guess. */
export interface InsightEvidence {
  /** Runs the insight is computed from. */
  runs: number;
  /** Runs of the comparison group, for comparisons. */
  comparisonRuns?: number;
  /** Confidence interval of `currentValue`, when one applies. */
  interval?: { low: number; high: number; confidenceLevel: number };
  /**
   * Unit of `interval` and of the comparison interval, for printing: 's' (seconds), 'calls', 'runs', or
   * 'share' (a 0..1 rate, printed as a percentage).
   */
  unit?: string;
  comparison?: InsightComparison;
  /** Free-form numbers behind the insight (e.g. per-member figures). */
  details?: Record<string, number | string | boolean | string[]>;
}

/** One thing that makes a team slow, costly or unreliable, with what to do about it. */
export interface PerformanceInsight {
  bottleneck: BottleneckType;
  /** 0..1, higher is worse. */
  severity: number;
  currentValue: number;
  baselineValue: number;
  impactMagnitude: number;
  /** A sentence a person can act on, with the numbers. */
  recommendation: string;
  /** Members, formations or settings the insight is about. */
  affectedComponents: string[];
  evidence: InsightEvidence;
}
