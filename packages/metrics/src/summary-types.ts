import type { LimitHit } from './record';

/** Exact order statistics of a set of durations (seconds). */
export interface DistributionStats {
  count: number;
  mean: number;
  /** Sample standard deviation (n - 1); 0 for a single value. */
  stdDev: number;
  min: number;
  max: number;
  median: number;
  p95: number;
  p99: number;
}

/** Figures for any group of runs: a team, or the team's runs in one formation, size or config. */
export interface GroupStats {
  runs: number;
  successes: number;
  successRate: number;
  duration: DistributionStats;
  /** Every duration of the group, sorted ascending: kept as numbers, never as objects. */
  durationsSeconds: Float64Array;
  meanToolCalls: number;
  /** Sample standard deviation of tool calls per run. */
  stdDevToolCalls: number;
  meanMemberCount: number;
  /** Means over the runs that reported the figure; undefined when none did. */
  meanInputTokens?: number;
  meanOutputTokens?: number;
  meanCostUsd?: number;
  totalCostUsd?: number;
  limitHits: Record<LimitHit, number>;
  /** Largest tool budget / timeout in force among the runs, when recorded. */
  toolBudget?: number;
  timeoutSeconds?: number;
}

/** One member's figures across a team's runs. */
export interface MemberStats {
  memberId: string;
  /** The role named in the team's most recent run (by start time) that names one for this member. */
  role?: string;
  runs: number;
  successes: number;
  successRate: number;
  meanDurationSeconds: number;
  stdDevDurationSeconds: number;
  meanToolCalls: number;
  stdDevToolCalls: number;
  meanCostUsd?: number;
  /**
   * Runs in which this member failed (`runs - successes`). Optional only so that hand-built figures stay
   * valid; the aggregator always sets it.
   */
  failures?: number;
  /**
   * Of `failures`, the runs in which the team run failed too. When nearly all of a member's failures
   * coincide with team failures, the team likely needs its part; failures the team survived show it can do
   * without. The aggregator always sets it.
   */
  failuresWithTeamFailure?: number;
  /** Union of the recorded `waitedFor` ids; undefined when no run recorded dependencies for this member. */
  waitedFor?: string[];
  /**
   * For each other member, in how many of the runs both took part in did this member start only after
   * the other had ended (timing evidence of a dependency, used when `waitedFor` is missing).
   */
  startedAfterEndOf: Record<string, number>;
  /** Runs in which this member and the named other member both had start and end times. */
  timedRunsWith: Record<string, number>;
}

/** Everything the analyzer needs about one team, computed in one streaming pass. */
export interface TeamStats extends GroupStats {
  teamId: string;
  byFormation: Record<string, GroupStats>;
  /** Keyed by member count as a decimal string. */
  byMemberCount: Record<string, GroupStats>;
  byFingerprint: Record<string, GroupStats>;
  members: Record<string, MemberStats>;
  /** Formation of the most recent run (by start time), if any run recorded one. */
  latestFormation?: string;
  latestMemberCount?: number;
  latestFingerprint?: string;
  firstStartTimeMs: number;
  lastStartTimeMs: number;
}

/** The result of summarising a set of runs. */
export interface MetricsSummary {
  teams: Map<string, TeamStats>;
  totalRecords: number;
}
