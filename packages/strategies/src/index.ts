export { STRATEGY_API_VERSION, OPTIMIZATION_PRIORITIES } from './contract';
export type {
  MemberConfig,
  TeamConfig,
  OptimizationType,
  OptimizationPriority,
  TargetMetric,
  OptimizationSuggestion,
  StrategyContext,
  OptimizationStrategy,
} from './contract';
export { StrategyError } from './errors';
export type { StrategyErrorCode } from './errors';
export { defineStrategy, isCompatibleStrategy, assertCompatibleStrategy } from './define-strategy';
export type { StrategyDefinition } from './define-strategy';
export { applySuggestion } from './apply-suggestion';
export { changedKeys } from './changed-keys';
export type { ChangedKey } from './changed-keys';
export { sortSuggestions, MIN_CONFIDENCE } from './sort-suggestions';
export { teamSizingStrategy } from './builtin/team-sizing';
export type { TeamSizingOptions } from './builtin/team-sizing';
export { formationSelectionStrategy } from './builtin/formation-selection';
export type { FormationSelectionOptions } from './builtin/formation-selection';
export { FORMATION_TRAITS } from './builtin/formation-traits';
export { toolBudgetStrategy, TASK_TYPE_TOOL_BUDGETS } from './builtin/tool-budget';
export type { ToolBudgetOptions } from './builtin/tool-budget';
export { timeoutTuningStrategy } from './builtin/timeout-tuning';
export type { TimeoutTuningOptions } from './builtin/timeout-tuning';
export { memberSelectionStrategy } from './builtin/member-selection';
export type { MemberSelectionOptions } from './builtin/member-selection';
export { parallelizationStrategy } from './builtin/parallelization';
export type { ParallelizationOptions } from './builtin/parallelization';
export { builtinStrategies } from './builtin-strategies';
export { parseTeamObject, teamToUser } from './team-config-user';
export type { TeamDialect } from './team-config-user';
export { ConfigIssue, formatFieldPath, describeValue } from './field-path';
export type { FieldPath } from './field-path';
// Re-exported so a strategy package can be written against this package alone (its one peer dependency).
export type { PerformanceInsight, BottleneckType, InsightEvidence, InsightComparison } from '@autotune/analyzer';
export type { TeamStats, GroupStats, MemberStats, DistributionStats } from '@autotune/metrics';
