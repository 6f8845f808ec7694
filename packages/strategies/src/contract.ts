import type { PerformanceInsight } from '@autotune/analyzer';
import type { OutcomeMetric, TeamStats } from '@autotune/metrics';

/**
 * Version of the strategy contract. A loader accepts a strategy whose `apiVersion` has the same major
 * number. Minor releases only add optional members; a new required member is a new major.
 */
export const STRATEGY_API_VERSION = '1.0';

/** One member of a team, as strategies see it. */
export interface MemberConfig {
  id: string;
  role?: string;
  /** False disables the member; absent means enabled. */
  enabled?: boolean;
  /** Scales the member's share of the team's tool budget (1 = its even share). */
  toolBudgetMultiplier?: number;
  /** For a sub-team member (hierarchical teams): its formation and members. */
  formation?: string;
  members?: MemberConfig[];
  /** Any other keys the user's file holds for this member, untouched. */
  extra?: Record<string, unknown>;
}

/**
 * A team config, normalised from whatever file holds it. Reading and writing files is core's job;
 * strategies see only this shape.
 */
export interface TeamConfig {
  formation: string;
  memberCount: number;
  members?: MemberConfig[];
  toolBudget?: number;
  timeoutSeconds?: number;
  /** Any other keys of the team in the user's file, untouched. */
  extra?: Record<string, unknown>;
}

export type OptimizationType =
  | 'team_sizing'
  | 'formation_selection'
  | 'tool_budget'
  | 'timeout_tuning'
  | 'member_selection'
  | 'parallelization'
  // Custom strategies may use their own types.
  | (string & {});

export const OPTIMIZATION_PRIORITIES = ['critical', 'high', 'medium', 'low'] as const;
export type OptimizationPriority = (typeof OPTIMIZATION_PRIORITIES)[number];

/** What a change aims to improve, so the A/B test knows what to measure (`@autotune/metrics`'s `OutcomeMetric`). */
export type TargetMetric = OutcomeMetric;

/** A concrete config change, with why and how sure we are. */
export interface OptimizationSuggestion {
  type: OptimizationType;
  priority: OptimizationPriority;
  description: string;
  /** The full config the suggestion was made against. */
  currentConfig: TeamConfig;
  /** Only the fields that change, with their new values. */
  suggestedConfig: Partial<TeamConfig>;
  /** Expected improvement of `targetMetric`, percent. */
  expectedImprovement: number;
  /** 0..1 */
  confidence: number;
  /** 0..1 */
  riskLevel: number;
  targetMetric: TargetMetric;
  /** Name of the strategy that made it. */
  strategy?: string;
  metadata?: Record<string, unknown>;
}

/** What a strategy may know beyond the insights. All optional: a strategy must cope without them. */
export interface StrategyContext {
  teamId?: string;
  /** The team's summary statistics, when metrics were loaded. */
  stats?: TeamStats;
  /** A task-type hint for budget ranges: 'quick_exploration' | 'standard_development' | 'complex_features' | 'large_refactoring'. */
  taskType?: string;
  /** Free-form options from the user's autotune config, by strategy name. */
  options?: Record<string, unknown>;
}

/** The plugin contract: turn insights into config changes, and apply one. */
export interface OptimizationStrategy {
  /** Contract version the strategy was written against (`STRATEGY_API_VERSION`). */
  readonly apiVersion: string;
  readonly name: string;
  /** Suggestions for this config; an empty list when there is nothing to say. Must not mutate inputs. */
  suggest(
    insights: readonly PerformanceInsight[],
    currentConfig: TeamConfig,
    context?: StrategyContext,
  ): OptimizationSuggestion[];
  /** A new config with the suggestion applied. Must not mutate its inputs. */
  apply(config: TeamConfig, suggestion: OptimizationSuggestion): TeamConfig;
}
