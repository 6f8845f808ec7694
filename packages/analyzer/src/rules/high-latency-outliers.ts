import { binomialUpperTail, countAbove, quantileInterval } from '@autotune/stats';
import { relativeExcess, type Rule, sec, severityOf, significant } from '../internal/rule-kit';

/**
 * high_latency_outliers: P95 above `latencyOutlierFactor` x the P95 baseline, and more runs slower than the
 * baseline than a true P95 at the baseline would allow (exact binomial test: at most 5% of runs may exceed
 * it). Severity min(1, (p95 - baseline) / baseline). The recommendation is the guide's timeout rule: P95
 * plus 20%.
 */
export const highLatencyOutliers: Rule = (stats, o) => {
  const base = o.baselines.p95Seconds;
  const p95 = stats.duration.p95;
  if (stats.runs < o.minRuns || !(p95 > o.thresholds.latencyOutlierFactor * base)) return [];
  const slower = countAbove(stats.durationsSeconds, base);
  const pValue = binomialUpperTail(slower, stats.runs, 0.05);
  if (!significant(pValue, o.alpha)) return [];
  const excess = relativeExcess(p95, base);
  const suggested = Math.ceil(1.2 * p95);
  const current = stats.timeoutSeconds;
  const interval = quantileInterval(stats.durationsSeconds, 0.95, o.confidenceLevel);
  return [{
    bottleneck: 'high_latency_outliers',
    severity: severityOf(excess),
    currentValue: p95,
    baselineValue: base,
    impactMagnitude: excess,
    recommendation:
      `P95 latency (${sec(p95)}) is ${(excess * 100).toFixed(1)}% above the ${sec(base)} baseline. ` +
      `Set the timeout to P95 plus 20% (${suggested}s${current !== undefined ? `, now ${current}s` : ''}).`,
    affectedComponents: ['timeout_seconds'],
    evidence: {
      runs: stats.runs,
      ...(interval ? { interval } : {}),
      unit: 's',
      comparison: {
        test: 'binomial test',
        pValue,
        description: `runs slower than the ${base} s P95 baseline: ${slower} of ${stats.runs} (at most 5% expected)`,
      },
      details: {
        runsAboveBaseline: slower,
        suggestedTimeoutSeconds: suggested,
        ...(current !== undefined ? { timeoutSeconds: current } : {}),
      },
    },
  }];
};
