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
