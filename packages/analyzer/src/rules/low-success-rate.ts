import { binomialLowerTail, wilsonInterval } from '@autotune/stats';
import { pct, type Rule, severityOf, significant } from '../internal/rule-kit';

/**
 * low_success_rate: success rate below `lowSuccessFactor` x the baseline rate, and significantly below the
 * baseline (exact binomial test). Severity (baseline - rate) / baseline. Failures are split into errors
 * and limit hits, and the member that failed most is named.
 */
export const lowSuccessRate: Rule = (stats, o) => {
  const base = o.baselines.successRate;
  const rate = stats.successRate;
  if (stats.runs < o.minRuns || !(rate < o.thresholds.lowSuccessFactor * base)) return [];
  const pValue = binomialLowerTail(stats.successes, stats.runs, base);
  if (!significant(pValue, o.alpha)) return [];
  const failures = stats.runs - stats.successes;
  const limitHits = stats.limitHits.timeout + stats.limitHits.tool_budget + stats.limitHits.max_turns;
  const errors = Math.max(0, failures - limitHits);
  const worst = Object.values(stats.members)
    .map((m) => ({ id: m.memberId, failures: m.runs - m.successes }))
    .filter((m) => m.failures > 0)
    .sort((a, b) => b.failures - a.failures || a.id.localeCompare(b.id))[0];
  const shortfall = (base - rate) / base;
  return [{
    bottleneck: 'low_success_rate',
    severity: severityOf(shortfall),
    currentValue: rate,
    baselineValue: base,
    impactMagnitude: shortfall,
    recommendation:
      `Success rate (${pct(rate)}) is ${(shortfall * 100).toFixed(1)}% below the ${pct(base)} baseline: ` +
      `${failures} of ${stats.runs} runs failed (${errors} on errors, ${limitHits} on a limit). ` +
      `Review the failing runs' errors${worst ? `, starting with member ${worst.id} (${worst.failures} failed runs)` : ''}` +
      (limitHits > errors ? '; most failures hit a limit, so adjust the limits first.' : '.'),
    affectedComponents: worst ? [worst.id] : [],
    evidence: {
      runs: stats.runs,
      interval: wilsonInterval(stats.successes, stats.runs, o.confidenceLevel),
      unit: 'share',
      comparison: { test: 'binomial test', pValue, description: `success rate below the ${pct(base)} baseline` },
      details: { failures, failedOnErrors: errors, failedOnLimits: limitHits },
    },
  }];
};
