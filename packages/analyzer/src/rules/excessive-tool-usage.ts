import { oneSampleGreater } from '@autotune/stats';
import { relativeExcess, type Rule, severityOf, significant } from '../internal/rule-kit';

/**
 * excessive_tool_usage: mean tool calls per run above `excessiveToolFactor` x the baseline and
 * significantly above the baseline (one-sided t-test). Severity 0.6 x min(1, (mean - baseline) / baseline):
 * a cost problem weighs less than a slow or failing team. Suggests the budget the tool-budget strategy would
 * set: the P95 of calls per run (normal approximation) plus 20% headroom, so runs do not start failing on the cap.
 */
export const excessiveToolUsage: Rule = (stats, o) => {
  const base = o.baselines.toolCalls;
  const mean = stats.meanToolCalls;
  if (stats.runs < o.minRuns || !(mean > o.thresholds.excessiveToolFactor * base)) return [];
  const test = oneSampleGreater({ n: stats.runs, mean, sd: stats.stdDevToolCalls }, base, o.confidenceLevel);
  if (!significant(test.pValue, o.alpha)) return [];
  const excess = relativeExcess(mean, base);
  const p95Calls = mean + 1.6448536269514722 * stats.stdDevToolCalls;
  const suggested = Math.max(1, Math.ceil(1.2 * p95Calls));
  const budget = stats.toolBudget;
  const budgetHits = stats.limitHits.tool_budget;
  const advice =
    budget !== undefined && budget <= suggested
      ? `The budget (${budget}) is already close to what runs use (P95 about ${Math.ceil(p95Calls)}); reduce the calls members make rather than the budget`
      : `Lower the tool budget to ${suggested} (P95 of calls per run, about ${Math.ceil(p95Calls)}, plus 20% headroom${budget !== undefined ? `; now ${budget}` : ''})`;
  return [{
    bottleneck: 'excessive_tool_usage',
    severity: 0.6 * severityOf(excess),
    currentValue: mean,
    baselineValue: base,
    impactMagnitude: excess,
    recommendation:
      `Average tool calls per run (${mean.toFixed(1)}) are ${(excess * 100).toFixed(1)}% above baseline (${base.toFixed(1)}). ` +
      advice +
      (budgetHits > 0 ? `; note that ${budgetHits} run(s) already ended on the tool budget.` : '.'),
    affectedComponents: ['tool_budget'],
    evidence: {
      runs: stats.runs,
      interval: test.interval,
      unit: 'calls',
      comparison: { test: 'one-sample t-test', pValue: test.pValue, description: `mean tool calls above the baseline of ${base}` },
      details: {
        suggestedToolBudget: suggested,
        runsEndedOnToolBudget: budgetHits,
        ...(budget !== undefined ? { toolBudget: budget } : {}),
      },
    },
  }];
};
