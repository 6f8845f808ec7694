import type { GroupStats, TeamStats } from '@autotune/metrics';
import type { PerformanceInsight } from '../insight';
import type { ResolvedAnalyzerOptions } from '../options';
import { hypergeometricLowerTail, meanInterval, oneSampleGreater, welchFromSummaries } from '@autotune/stats';
import { durationSample, pct, relativeExcess, type Rule, sec, severityOf, significant } from '../internal/rule-kit';

/**
 * suboptimal_formation_<f>, about the team's current formation f (that of its latest run), in seconds.
 *
 * - When the team has run in two or more formations with `minRuns` runs each, f is suboptimal if another of
 *   them is faster by more than `formationFactor` and a Welch t-test says so (Bonferroni over the
 *   formations compared). A faster formation whose success rate is significantly lower by more than
 *   `formationSuccessTolerance` is not held up as better: speed bought with failures is no gain.
 * - Otherwise f is compared only with a per-formation baseline the user set (`baselines.formationSeconds`,
 *   seconds): mean above `formationFactor` x the baseline and a significant one-sample t-test.
 *
 * No defaults exist for formation baselines, so a team in one formation is never flagged unless the user
 * says what that formation should take; the fastest formation is never flagged. (The original compared
 * coordination overheads in milliseconds with run durations in seconds and flagged every formation.)
 */
export const suboptimalFormation: Rule = (stats, o) => {
  const current = stats.latestFormation;
  if (current === undefined || stats.runs < o.minRuns) return [];
  const group = stats.byFormation[current];
  if (group === undefined || group.runs < o.minRuns) return [];
  const others = Object.entries(stats.byFormation).filter(([f, g]) => f !== current && g.runs >= o.minRuns);
  return others.length > 0
    ? againstOtherFormations(stats, current, group, others, o)
    : againstBaseline(current, group, o);
};

function againstOtherFormations(
  stats: TeamStats,
  current: string,
  group: GroupStats,
  others: [string, GroupStats][],
  o: ResolvedAnalyzerOptions,
): PerformanceInsight[] {
  const comparisons = others.length;
  const cur = durationSample(group);
  const candidates = others
    .filter(([, g]) => group.duration.mean > o.thresholds.formationFactor * g.duration.mean)
    .map(([f, g]) => {
      const test = welchFromSummaries(cur, durationSample(g), o.confidenceLevel);
      return { formation: f, g, test, pAdjusted: Math.min(1, test.pValue * comparisons) };
    })
    .filter((c) => significant(c.pAdjusted, o.alpha))
    .filter((c) => !lessReliable(c.g, group, o))
    .sort((a, b) => a.g.duration.mean - b.g.duration.mean);
  const best = candidates[0];
  if (best === undefined) return [];
  const mean = group.duration.mean;
  const bestMean = best.g.duration.mean;
  const excess = relativeExcess(mean, bestMean);
  const testName = comparisons > 1 ? `Welch t-test (Bonferroni, ${comparisons} comparisons)` : 'Welch t-test';
  return [{
    bottleneck: `suboptimal_formation_${current}`,
    severity: severityOf(excess),
    currentValue: mean,
    baselineValue: bestMean,
    impactMagnitude: excess,
    recommendation:
      `Switch formation from ${current} to ${best.formation}: on this team's own runs ${best.formation} averaged ` +
      `${sec(bestMean)} against ${sec(mean)} for ${current} (${(excess * 100).toFixed(1)}% slower; ` +
      `success ${pct(best.g.successRate)} vs ${pct(group.successRate)}).`,
    affectedComponents: ['formation'],
    evidence: {
      runs: group.runs,
      comparisonRuns: best.g.runs,
      interval: meanInterval(cur, o.confidenceLevel),
      unit: 's',
      comparison: {
        test: testName,
        pValue: best.pAdjusted,
        interval: best.test.interval,
        description: `mean duration difference (s), ${current} minus ${best.formation}`,
      },
      details: {
        formation: current,
        betterFormation: best.formation,
        betterFormationMeanSeconds: bestMean,
        successRate: group.successRate,
        betterFormationSuccessRate: best.g.successRate,
        teamRuns: stats.runs,
        source: 'same-team runs',
      },
    },
  }];
}

/** True when `faster` succeeds materially and significantly less often than `current` (one-sided Fisher). */
function lessReliable(faster: GroupStats, current: GroupStats, o: ResolvedAnalyzerOptions): boolean {
  if (!(current.successRate - faster.successRate > o.thresholds.formationSuccessTolerance)) return false;
  const p = hypergeometricLowerTail(faster.successes, faster.runs + current.runs, faster.successes + current.successes, faster.runs);
  return significant(p, o.alpha);
}

function againstBaseline(current: string, group: GroupStats, o: ResolvedAnalyzerOptions): PerformanceInsight[] {
  const base = o.baselines.formationSeconds[current];
  const mean = group.duration.mean;
  if (base === undefined || !(mean > o.thresholds.formationFactor * base)) return [];
  const test = oneSampleGreater(durationSample(group), base, o.confidenceLevel);
  if (!significant(test.pValue, o.alpha)) return [];
  const excess = relativeExcess(mean, base);
  return [{
    bottleneck: `suboptimal_formation_${current}`,
    severity: severityOf(excess),
    currentValue: mean,
    baselineValue: base,
    impactMagnitude: excess,
    recommendation:
      `Formation ${current} averages ${sec(mean)} on this team against your ${sec(base)} baseline for it ` +
      `(${(excess * 100).toFixed(1)}% slower). Consider switching formation (parallel for independent tasks, ` +
      'pipeline for staged refinement) and compare the two on real runs.',
    affectedComponents: ['formation'],
    evidence: {
      runs: group.runs,
      interval: test.interval,
      unit: 's',
      comparison: {
        test: 'one-sample t-test',
        pValue: test.pValue,
        description: `mean duration (s) above the ${base} s baseline for ${current}`,
      },
      details: { formation: current, source: 'formation baseline' },
    },
  }];
}
