import type { PerformanceInsight } from '@autotune/analyzer';
import { applySuggestion } from '../apply-suggestion';
import type { OptimizationStrategy, OptimizationSuggestion, StrategyContext, TeamConfig } from '../contract';
import { defineStrategy } from '../define-strategy';
import { clamp, round } from '../internal/data';
import { evidenceConfidence, evidenceRisk, normalCdf, relativeMove } from '../internal/evidence';
import { checkFactoryOptions, resolveOptions } from '../internal/options';
import type { NumericSpec } from '../internal/options';
import { detailString, insightsOf, limitHits, makeSuggestion, runsOf } from '../internal/suggestion';

/** The guide's recommended tool budgets per task type (`StrategyContext.taskType`), inclusive. */
export const TASK_TYPE_TOOL_BUDGETS: Readonly<Record<string, readonly [min: number, max: number]>> = {
  quick_exploration: [5, 15],
  standard_development: [20, 40],
  complex_features: [40, 60],
  large_refactoring: [60, 100],
};

/** Options of `toolBudgetStrategy`. */
export interface ToolBudgetOptions {
  /** Headroom over the observed P95 of tool calls per run. Default 1.2. */
  headroom?: number;
  /** A cut smaller than this share of the budget is not worth a change. Default 0.1. */
  minCutShare?: number;
  /** Smallest budget ever suggested. Default 1. */
  minBudget?: number;
}

const NAME = 'tool_budget';
const DEFAULTS: Required<ToolBudgetOptions> = { headroom: 1.2, minCutShare: 0.1, minBudget: 1 };
const SPEC: NumericSpec<Required<ToolBudgetOptions>> = { headroom: [1, 5], minCutShare: [0, 0.9], minBudget: [1, 1e6] };
const Z95 = 1.645;

function budgetRange(context: StrategyContext | undefined): readonly [number, number] | undefined {
  return context?.taskType !== undefined ? TASK_TYPE_TOOL_BUDGETS[context.taskType] : undefined;
}

/** Cut an excessive budget to what the runs use, plus headroom, within the task type's range. */
function suggestCut(
  insight: PerformanceInsight,
  config: TeamConfig,
  context: StrategyContext | undefined,
  o: Required<ToolBudgetOptions>,
): OptimizationSuggestion | undefined {
  const stats = context?.stats;
  const current = config.toolBudget ?? stats?.toolBudget;
  const mean = stats?.meanToolCalls ?? insight.currentValue;
  if (!Number.isFinite(mean) || mean <= 0) return undefined;
  // Without the runs' spread, counts are taken as Poisson-like (sd = sqrt(mean)): a guess, so less confidence.
  const sd = stats ? stats.stdDevToolCalls : Math.sqrt(mean);
  const p95 = mean + Z95 * sd;
  const range = budgetRange(context);
  let target = Math.max(o.minBudget, Math.ceil(p95 * o.headroom));
  if (range) {
    target = Math.max(target, range[0]);
    // Inside the range where usage allows; never below the observed P95, or runs start failing on the cap.
    if (target > range[1]) target = Math.max(range[1], Math.ceil(p95));
  }
  if (current !== undefined && target > current * (1 - o.minCutShare)) return undefined;
  if (config.toolBudget !== undefined && target === config.toolBudget) return undefined;

  const cut = current !== undefined ? relativeMove(current, target) : 0;
  const gap = insight.baselineValue > 0 ? clamp((mean - insight.baselineValue) / insight.baselineValue, 0, 1) : 0.5;
  // The guide's 5-15% cost saving, placed by how far usage exceeds the baseline and how deep the cut is.
  const expected = current !== undefined ? 5 + 10 * gap * clamp(cut / 0.4, 0, 1) : 5 + 5 * gap;
  const overCap = sd > 0 ? 1 - normalCdf((target - mean) / sd) : 0;
  const runs = stats?.runs ?? runsOf(insight);
  const confidence = evidenceConfidence({ prior: stats ? 0.72 : 0.65, runs, severity: insight.severity, move: cut });
  const usage = `runs use ${round(mean, 1)} tool calls on average (P95 about ${Math.ceil(p95)})`;
  return makeSuggestion(NAME, config, {
    priority: 'medium',
    description:
      current !== undefined
        ? `Lower the tool budget from ${current} to ${target}: ${usage}; ${Math.round(cut * 100)}% lower, with ${Math.round((o.headroom - 1) * 100)}% headroom`
        : `Set a tool budget of ${target}: ${usage}, and no budget caps runaway runs`,
    suggestedConfig: { toolBudget: target },
    expectedImprovement: round(expected, 1),
    confidence,
    riskLevel: evidenceRisk({ prior: 0.3, move: cut, runs, extra: 2 * overCap }),
    targetMetric: 'cost',
    metadata: {
      direction: 'cut',
      meanToolCalls: round(mean, 2),
      p95ToolCalls: round(p95, 2),
      spread: stats ? 'observed' : 'assumed',
      ...(range ? { taskTypeRange: [...range] } : {}),
    },
  });
}

/** Raise a budget that runs exhaust: they stop on the cap, so their real need is above it. */
function suggestRaise(
  insight: PerformanceInsight,
  config: TeamConfig,
  context: StrategyContext | undefined,
): OptimizationSuggestion | undefined {
  const current = config.toolBudget ?? context?.stats?.toolBudget;
  if (current === undefined) return undefined;
  const { hits: count, rate, runs } = limitHits(insight, context?.stats?.runs);
  let target = Math.ceil(current * clamp(1.25 + rate, 1.25, 2));
  const range = budgetRange(context);
  if (range && current < range[1]) target = Math.min(target, range[1]);
  if (target <= current) return undefined;
  const move = relativeMove(current, target);
  return makeSuggestion(NAME, config, {
    priority: rate >= 0.25 ? 'critical' : 'high',
    description:
      `Raise the tool budget from ${current} to ${target}: ${count || 'some'} of ${runs || 'the'} runs ` +
      `(${Math.round(rate * 100)}%) stopped because they ran out of tool calls`,
    suggestedConfig: { toolBudget: target },
    // Not every run that hit the cap would succeed with more room: count on about half.
    expectedImprovement: round(clamp(rate * 100 * 0.5, 1, 50), 1),
    confidence: evidenceConfidence({ prior: 0.72, runs, severity: insight.severity, move }),
    riskLevel: evidenceRisk({ prior: 0.3, move, runs }),
    targetMetric: 'success_rate',
    metadata: { direction: 'raise', exhaustedRuns: count, exhaustionRate: round(rate, 3), ...(range ? { taskTypeRange: [...range] } : {}) },
  });
}

/**
 * Tool budget: on `excessive_tool_usage`, cut the budget to the observed P95 of tool calls x 1.2, within the
 * guide's range for `context.taskType` (never below the observed P95); on `limit_exhaustion` of
 * `tool_budget`, raise it (by 25% plus the share of runs that ran out, up to the range's top). When runs
 * exhaust the budget, it is never cut. Cuts aim at cost; raises at success rate.
 */
export function toolBudgetStrategy(options?: ToolBudgetOptions): OptimizationStrategy {
  const factory = checkFactoryOptions(NAME, options, SPEC);
  return defineStrategy({
    name: NAME,
    suggest(insights, currentConfig, context) {
      const o = resolveOptions(NAME, DEFAULTS, factory, context, SPEC);
      const exhausted = insightsOf(insights, 'limit_exhaustion').find((i) => detailString(i, 'limit') === 'tool_budget');
      if (exhausted) {
        const s = suggestRaise(exhausted, currentConfig, context);
        return s ? [s] : [];
      }
      const excessive = insightsOf(insights, 'excessive_tool_usage')[0];
      const s = excessive && suggestCut(excessive, currentConfig, context, o);
      return s ? [s] : [];
    },
    apply: applySuggestion,
  });
}
