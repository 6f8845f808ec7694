// Only the public API of @autotune/strategies, its one peer dependency: this is what a third party writes.
import { StrategyError, applySuggestion, defineStrategy } from '@autotune/strategies';
import type { OptimizationStrategy, OptimizationSuggestion, StrategyContext, TeamConfig } from '@autotune/strategies';

/** The strategy's name, the suggestion `type`, and the key of its options in `StrategyContext.options`. */
export const COST_CAP_STRATEGY_NAME = 'cost_cap';

/** Options of `costCapStrategy`; `context.options.cost_cap` overrides them per run. */
export interface CostCapOptions {
  /** Highest acceptable mean cost of one run, USD. Without it the strategy has nothing to say. */
  maxCostPerRunUsd?: number;
  /** Runs with a recorded cost needed before the mean is trusted. Default 5. */
  minRuns?: number;
}

function checkOptions(where: string, u: unknown): CostCapOptions {
  if (u === undefined) return {};
  if (typeof u !== 'object' || u === null) {
    throw new StrategyError('STRATEGY_INVALID_OPTIONS', `${where} for strategy "${COST_CAP_STRATEGY_NAME}" must be an object`);
  }
  const o = u as Record<string, unknown>;
  const checked: CostCapOptions = {};
  for (const key of ['maxCostPerRunUsd', 'minRuns'] as const) {
    const v = o[key];
    if (v === undefined) continue;
    if (!(typeof v === 'number' && Number.isFinite(v) && v > 0)) {
      throw new StrategyError(
        'STRATEGY_INVALID_OPTIONS',
        `${where} for strategy "${COST_CAP_STRATEGY_NAME}": option "${key}" must be a positive number, got ${JSON.stringify(v)}`,
      );
    }
    checked[key] = v;
  }
  return checked;
}

function suggestCap(config: TeamConfig, context: StrategyContext | undefined, o: CostCapOptions): OptimizationSuggestion | undefined {
  const stats = context?.stats;
  const cap = o.maxCostPerRunUsd;
  if (cap === undefined || !stats || stats.meanCostUsd === undefined || stats.runs < (o.minRuns ?? 5)) return undefined;
  const budget = config.toolBudget ?? stats.toolBudget;
  if (budget === undefined || stats.meanToolCalls <= 0 || stats.meanCostUsd <= cap) return undefined;
  // Assumes cost grows with tool calls: the calls the cap affords at the observed cost per call.
  const costPerCall = stats.meanCostUsd / stats.meanToolCalls;
  const target = Math.max(1, Math.min(budget - 1, Math.floor(cap / costPerCall)));
  if (target >= budget) return undefined;
  const over = (stats.meanCostUsd - cap) / stats.meanCostUsd;
  const cut = (budget - target) / budget;
  return {
    type: COST_CAP_STRATEGY_NAME,
    priority: stats.meanCostUsd > 1.5 * cap ? 'high' : 'medium',
    description:
      `Lower the tool budget from ${budget} to ${target}: runs cost $${stats.meanCostUsd.toFixed(2)} on average ` +
      `against a cap of $${cap.toFixed(2)} (about $${costPerCall.toFixed(3)} per tool call)`,
    currentConfig: config,
    suggestedConfig: { toolBudget: target },
    expectedImprovement: Math.round(over * 1000) / 10,
    // More runs, surer mean; a deeper cut is likelier to starve runs of the calls they need.
    confidence: Math.round((0.6 + 0.3 * (stats.runs / (stats.runs + 20))) * 100) / 100,
    riskLevel: Math.round(Math.min(0.9, 0.25 + 0.5 * cut) * 100) / 100,
    targetMetric: 'cost',
    metadata: { meanCostUsd: stats.meanCostUsd, capUsd: cap, costPerCallUsd: costPerCall },
  };
}

/**
 * Keeps the mean cost of a run under a cap by lowering the tool budget to what the cap affords at the
 * team's observed cost per tool call. It says nothing without a cap, without recorded costs, or while runs
 * already run out of tool budget (a lower budget would make them fail more).
 */
export function costCapStrategy(options: CostCapOptions = {}): OptimizationStrategy {
  const fromFactory = checkOptions('options', options);
  return defineStrategy({
    name: COST_CAP_STRATEGY_NAME,
    suggest(insights, currentConfig, context) {
      const o = { ...fromFactory, ...checkOptions(`context.options.${COST_CAP_STRATEGY_NAME}`, context?.options?.[COST_CAP_STRATEGY_NAME]) };
      const starved = insights.some((i) => i.bottleneck === 'limit_exhaustion' && i.evidence.details?.limit === 'tool_budget');
      if (starved) return [];
      const s = suggestCap(currentConfig, context, o);
      return s ? [s] : [];
    },
    apply: applySuggestion,
  });
}
