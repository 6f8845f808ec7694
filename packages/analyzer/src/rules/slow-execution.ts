import { oneSampleGreater } from '@autotune/stats';
import { durationSample, relativeExcess, type Rule, sec, severityOf, significant } from '../internal/rule-kit';

/**
 * slow_execution: mean duration above `slowExecutionFactor` x the duration baseline, and significantly
 * above the baseline (one-sided one-sample t-test). Severity min(1, (mean - baseline) / baseline).
 */
export const slowExecution: Rule = (stats, o) => {
  const base = o.baselines.durationSeconds;
  const mean = stats.duration.mean;
  if (stats.runs < o.minRuns || !(mean > o.thresholds.slowExecutionFactor * base)) return [];
  const test = oneSampleGreater(durationSample(stats), base, o.confidenceLevel);
  if (!significant(test.pValue, o.alpha)) return [];
  const excess = relativeExcess(mean, base);
  return [{
    bottleneck: 'slow_execution',
    severity: severityOf(excess),
    currentValue: mean,
    baselineValue: base,
    impactMagnitude: excess,
    recommendation:
      `Average execution time (${sec(mean)}) is ${(excess * 100).toFixed(1)}% above baseline (${sec(base)}). ` +
      'Consider optimizing formation or reducing team size.',
    affectedComponents: ['formation', 'member_count'],
    evidence: {
      runs: stats.runs,
      interval: test.interval,
      unit: 's',
      comparison: { test: 'one-sample t-test', pValue: test.pValue, description: `mean duration (s) above the ${base} s baseline` },
    },
  }];
};
