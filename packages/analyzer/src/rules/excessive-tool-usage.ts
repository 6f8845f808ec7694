import { oneSampleGreater } from '../internal/stats';
import { relativeExcess, type Rule, severityOf, significant } from '../internal/rule-kit';

/**
 * excessive_tool_usage: mean tool calls per run above `excessiveToolFactor` x the baseline and
 * significantly above the baseline (one-sided t-test). Severity 0.6 x min(1, (mean - baseline) / baseline):
 * a cost problem weighs less than a slow or failing team. Suggests a budget of 70% of the mean.
 */
export const excessiveToolUsage: Rule = (stats, o) => {
  const base = o.baselines.toolCalls;
  const mean = stats.meanToolCalls;
  if (stats.runs < o.minRuns || !(mean > o.thresholds.excessiveToolFactor * base)) return [];
  const test = oneSampleGreater({ n: stats.runs, mean, sd: stats.stdDevToolCalls }, base, o.confidenceLevel);
  if (!significant(test.pValue, o.alpha)) return [];
  const excess = relativeExcess(mean, base);
  const suggested = Math.floor(0.7 * mean);
  const budget = stats.toolBudget;
  const budgetHits = stats.limitHits.tool_budget;
  return [{
    bottleneck: 'excessive_tool_usage',
    severity: 0.6 * severityOf(excess),
    currentValue: mean,
    baselineValue: base,
    impactMagnitude: excess,
    recommendation:
      `Average tool calls per run (${mean.toFixed(1)}) are ${(excess * 100).toFixed(1)}% above baseline (${base.toFixed(1)}). ` +
      `Lower the tool budget to ${suggested} (70% of the mean${budget !== undefined ? `, from ${budget}` : ''})` +
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
