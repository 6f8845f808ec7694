import type { TeamStats } from '@autotune/metrics';
import type { PerformanceInsight } from './insight';
import type { Rule } from './internal/rule-kit';
import { type AnalyzerOptions, resolveAnalyzerOptions, type ResolvedAnalyzerOptions } from './options';
import { excessiveToolUsage } from './rules/excessive-tool-usage';
import { highLatencyOutliers } from './rules/high-latency-outliers';
import { limitExhaustion } from './rules/limit-exhaustion';
import { lowSuccessRate } from './rules/low-success-rate';
import { oversizedTeam } from './rules/oversized-team';
import { parallelizableMembers } from './rules/parallelizable-members';
import { slowExecution } from './rules/slow-execution';
import { suboptimalFormation } from './rules/suboptimal-formation';
import { underperformingMember } from './rules/underperforming-member';

// Order only breaks ties of severity: team-wide findings first, then the finer ones.
const RULES: readonly Rule[] = [
  slowExecution,
  highLatencyOutliers,
  lowSuccessRate,
  excessiveToolUsage,
  suboptimalFormation,
  oversizedTeam,
  limitExhaustion,
  underperformingMember,
  parallelizableMembers,
];

/** Run every rule on resolved options; the analyzer resolves once and calls this per team. */
export function runRules(stats: TeamStats, options: ResolvedAnalyzerOptions): PerformanceInsight[] {
  if (stats.runs < options.minRuns) return [];
  return RULES.flatMap((rule) => rule(stats, options)).sort((a, b) => b.severity - a.severity);
}

/**
 * The insights for one team's figures (from `MetricsAggregator.team` or `summarizeRecords`), sorted by
 * severity, highest first. None when the team has fewer than `minRuns` runs (default 5). Throws
 * `AnalyzerError` only for invalid options.
 */
export function analyzeTeamStats(stats: TeamStats, options?: AnalyzerOptions): PerformanceInsight[] {
  return runRules(stats, resolveAnalyzerOptions(options));
}
