import { AnalyzerError } from './errors';

/** What a healthy team looks like. Every figure is in seconds, calls or a 0..1 rate. */
export interface AnalyzerBaselines {
  /** Expected mean run duration, seconds. Default 30. */
  durationSeconds: number;
  /** Expected P95 run duration, seconds. Default 60. */
  p95Seconds: number;
  /** Expected share of successful runs. Default 0.95. */
  successRate: number;
  /** Expected mean tool calls per run. Default 15. */
  toolCalls: number;
  /** Time one member may add to a run before the team counts as oversized, seconds. Default 30. */
  perMemberSeconds: number;
  /**
   * Expected mean run duration per formation, in SECONDS (whole runs, not coordination overhead in ms as
   * the original had). Used only when a team has run in a single formation; none are set by default.
   */
  formationSeconds: Partial<Record<string, number>>;
}

/** When a deviation from a baseline counts, and the knobs of the rules the original never had. */
export interface AnalyzerThresholds {
  /** slow_execution: mean duration above this multiple of the baseline. Default 1.2. */
  slowExecutionFactor: number;
  /** high_latency_outliers: P95 above this multiple of the P95 baseline. Default 1.5. */
  latencyOutlierFactor: number;
  /** low_success_rate: success rate below this multiple of the baseline. Default 0.9. */
  lowSuccessFactor: number;
  /** excessive_tool_usage: mean tool calls above this multiple of the baseline. Default 1.5. */
  excessiveToolFactor: number;
  /** suboptimal_formation_*: mean duration above this multiple of the faster formation or of the formation baseline. Default 1.2. */
  formationFactor: number;
  /**
   * suboptimal_formation_*: a faster formation is not held up as better when its success rate is lower by
   * more than this (and significantly so). Default 0.05.
   */
  formationSuccessTolerance: number;
  /** oversized_team: more members than this is oversized on its own. Default 7. */
  maxTeamSize: number;
  /** oversized_team: the size the original's team-sizing aimed for at most (3-5 members is the guide's range). Default 5. */
  recommendedTeamSize: number;
  /**
   * oversized_team: smallest relative cut in mean duration that makes extra members worth having. A larger
   * size whose speed-up over a smaller one is confidently below this is oversized. Default 0.1 (10%).
   */
  minMeaningfulSpeedup: number;
  /** underperforming_member: member mean duration above this multiple of its teammates'. Default 1.5. */
  memberDurationRatio: number;
  /** underperforming_member: member mean tool calls above this multiple of its teammates'. Default 1.5. */
  memberToolCallsRatio: number;
  /** underperforming_member: member success rate below its teammates' by more than this. Default 0.15. */
  memberSuccessRateGap: number;
  /** underperforming_member: fewest members (each with `minRuns` runs) for one to be an outlier. Default 3. */
  minMembersForOutlier: number;
  /** parallelizable_members: formations whose members run one after another. Default sequential, pipeline. */
  parallelizableFormations: string[];
  /** parallelizable_members: smallest estimated saving, as a share of the mean run duration. Default 0.15. */
  minParallelSaving: number;
  /**
   * parallelizable_members: with no recorded `waitedFor`, B counts as depending on A when B started after A
   * ended in at least this share of the runs with timings for both. Default 0.95.
   */
  dependencyTimingShare: number;
  /** limit_exhaustion: share of runs ending on one limit that is tolerable. Default 0.05. */
  limitHitRate: number;
}

/** Options of `PerformanceAnalyzer`: every baseline and threshold can be overridden. */
export interface AnalyzerOptions {
  baselines?: Partial<AnalyzerBaselines>;
  thresholds?: Partial<AnalyzerThresholds>;
  /**
   * No insight rests on fewer runs than this, and every group compared (formation, size, member) needs
   * this many runs of its own. Default 5.
   */
  minRuns?: number;
  /**
   * Significance level of the tests behind insights (Bonferroni-adjusted where one insight picks among
   * several comparisons). Default 0.05. 1 fires on point estimates alone, as the original did.
   */
  alpha?: number;
  /** Confidence level of the intervals in evidence. Default 0.95. */
  confidenceLevel?: number;
}

/** `AnalyzerOptions` with every field filled in. */
export interface ResolvedAnalyzerOptions {
  baselines: AnalyzerBaselines;
  thresholds: AnalyzerThresholds;
  minRuns: number;
  alpha: number;
  confidenceLevel: number;
}

/** The defaults: the original's baselines and factors, plus those of the new rules. */
export const DEFAULT_ANALYZER_OPTIONS: Readonly<ResolvedAnalyzerOptions> = Object.freeze({
  baselines: Object.freeze({
    durationSeconds: 30,
    p95Seconds: 60,
    successRate: 0.95,
    toolCalls: 15,
    perMemberSeconds: 30,
    formationSeconds: Object.freeze({}),
  }),
  thresholds: Object.freeze({
    slowExecutionFactor: 1.2,
    latencyOutlierFactor: 1.5,
    lowSuccessFactor: 0.9,
    excessiveToolFactor: 1.5,
    formationFactor: 1.2,
    formationSuccessTolerance: 0.05,
    maxTeamSize: 7,
    recommendedTeamSize: 5,
    minMeaningfulSpeedup: 0.1,
    memberDurationRatio: 1.5,
    memberToolCallsRatio: 1.5,
    memberSuccessRateGap: 0.15,
    minMembersForOutlier: 3,
    parallelizableFormations: Object.freeze(['sequential', 'pipeline']) as unknown as string[],
    minParallelSaving: 0.15,
    dependencyTimingShare: 0.95,
    limitHitRate: 0.05,
  }),
  minRuns: 5,
  alpha: 0.05,
  confidenceLevel: 0.95,
});

function invalid(field: string, value: unknown, expected: string): never {
  throw new AnalyzerError(
    'ANALYZER_INVALID_OPTIONS',
    `analyzer option "${field}" is ${JSON.stringify(value)}; expected ${expected}`,
  );
}

function checkNumber(field: string, value: number, min: number, max: number, minOpen = false): void {
  if (typeof value !== 'number' || Number.isNaN(value) || value > max || (minOpen ? value <= min : value < min)) {
    invalid(field, value, `a number ${minOpen ? '>' : '>='} ${min}${max < Infinity ? ` and <= ${max}` : ''}`);
  }
}

/**
 * Fill in defaults and check ranges. Throws `AnalyzerError` (`ANALYZER_INVALID_OPTIONS`) naming the field.
 */
export function resolveAnalyzerOptions(options: AnalyzerOptions = {}): ResolvedAnalyzerOptions {
  const d = DEFAULT_ANALYZER_OPTIONS;
  const resolved: ResolvedAnalyzerOptions = {
    baselines: {
      ...d.baselines,
      ...options.baselines,
      formationSeconds: { ...d.baselines.formationSeconds, ...options.baselines?.formationSeconds },
    },
    thresholds: {
      ...d.thresholds,
      ...options.thresholds,
      parallelizableFormations: [...(options.thresholds?.parallelizableFormations ?? d.thresholds.parallelizableFormations)],
    },
    minRuns: options.minRuns ?? d.minRuns,
    alpha: options.alpha ?? d.alpha,
    confidenceLevel: options.confidenceLevel ?? d.confidenceLevel,
  };
  const b = resolved.baselines;
  const t = resolved.thresholds;
  if (!Number.isInteger(resolved.minRuns) || resolved.minRuns < 2) invalid('minRuns', resolved.minRuns, 'an integer >= 2');
  checkNumber('alpha', resolved.alpha, 0, 1, true);
  checkNumber('confidenceLevel', resolved.confidenceLevel, 0, 1, true);
  if (resolved.confidenceLevel >= 1) invalid('confidenceLevel', resolved.confidenceLevel, 'a number > 0 and < 1');
  for (const key of ['durationSeconds', 'p95Seconds', 'toolCalls', 'perMemberSeconds'] as const) {
    checkNumber(`baselines.${key}`, b[key], 0, Infinity, true);
  }
  checkNumber('baselines.successRate', b.successRate, 0, 1, true);
  for (const [formation, seconds] of Object.entries(b.formationSeconds)) {
    if (seconds !== undefined) checkNumber(`baselines.formationSeconds.${formation}`, seconds, 0, Infinity, true);
  }
  for (const key of ['slowExecutionFactor', 'latencyOutlierFactor', 'excessiveToolFactor', 'formationFactor',
    'memberDurationRatio', 'memberToolCallsRatio'] as const) {
    checkNumber(`thresholds.${key}`, t[key], 1, Infinity);
  }
  checkNumber('thresholds.lowSuccessFactor', t.lowSuccessFactor, 0, 1, true);
  for (const key of ['formationSuccessTolerance', 'minMeaningfulSpeedup', 'memberSuccessRateGap', 'minParallelSaving',
    'limitHitRate'] as const) {
    checkNumber(`thresholds.${key}`, t[key], 0, 1);
  }
  checkNumber('thresholds.dependencyTimingShare', t.dependencyTimingShare, 0, 1, true);
  for (const key of ['maxTeamSize', 'recommendedTeamSize', 'minMembersForOutlier'] as const) {
    if (!Number.isInteger(t[key]) || t[key] < 1) invalid(`thresholds.${key}`, t[key], 'an integer >= 1');
  }
  if (t.minMembersForOutlier < 2) invalid('thresholds.minMembersForOutlier', t.minMembersForOutlier, 'an integer >= 2');
  return resolved;
}
