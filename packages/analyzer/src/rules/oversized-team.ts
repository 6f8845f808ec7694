import type { InsightComparison, InsightEvidence } from '../insight';
import { type Interval, oneSampleGreater, welchFromSummaries } from '@autotune/stats';
import { durationSample, pct, type Rule, sec, severityOf, significant } from '../internal/rule-kit';

interface Finding {
  reason: 'size' | 'per_member_time' | 'no_speedup';
  severity: number;
  currentValue: number;
  baselineValue: number;
  text: string;
  interval?: Interval;
  comparison?: InsightComparison;
}

/**
 * oversized_team, about the team's current size (that of its latest run, with `minRuns` runs at it). Any of:
 * - more than `maxTeamSize` members (severity (size - recommended) / recommended, with recommended capped at
 *   `maxTeamSize`);
 * - more than 2 members and more than `perMemberSeconds` of mean duration per member, significantly
 *   (one-sided t-test; severity min(1, (perMember - 30) / 30) as in the original);
 * - the team also ran at a smaller size, and the speed-up the extra members bought is confidently below
 *   `minMeaningfulSpeedup` (the upper bound of the Welch interval of the cut in mean duration, Bonferroni
 *   over the sizes compared, is below it). The smallest such size is suggested.
 * One insight per team; `details.reasons` lists which held.
 */
export const oversizedTeam: Rule = (stats, o) => {
  const size = stats.latestMemberCount ?? Math.round(stats.meanMemberCount);
  const group = stats.byMemberCount[String(size)];
  if (stats.runs < o.minRuns || group === undefined || group.runs < o.minRuns) return [];
  const t = o.thresholds;
  const findings: Finding[] = [];
  const sample = durationSample(group);

  if (size > t.maxTeamSize) {
    findings.push({
      reason: 'size',
      // Against the recommended size, or the maximum if a user set that lower: never a zero severity.
      severity: severityOf((size - Math.min(t.recommendedTeamSize, t.maxTeamSize)) / Math.min(t.recommendedTeamSize, t.maxTeamSize)),
      currentValue: size,
      baselineValue: t.maxTeamSize,
      text: `${size} members is more than the ${t.maxTeamSize} a team should have`,
    });
  }

  const perMemberBase = o.baselines.perMemberSeconds;
  const perMember = group.duration.mean / size;
  if (size > 2 && perMember > perMemberBase) {
    const test = oneSampleGreater(sample, perMemberBase * size, o.confidenceLevel);
    if (significant(test.pValue, o.alpha)) {
      findings.push({
        reason: 'per_member_time',
        severity: severityOf((perMember - perMemberBase) / perMemberBase),
        currentValue: perMember,
        baselineValue: perMemberBase,
        text: `each member accounts for ${sec(perMember)} of a run (baseline ${sec(perMemberBase)} per member)`,
        interval: { ...test.interval, low: test.interval.low / size, high: test.interval.high / size },
        comparison: { test: 'one-sample t-test', pValue: test.pValue, description: `mean duration per member (s) above ${perMemberBase} s` },
      });
    }
  }

  const smaller = Object.entries(stats.byMemberCount)
    .map(([k, g]) => ({ size: Number(k), g }))
    .filter((s) => s.size >= 1 && s.size < size && s.g.runs >= o.minRuns)
    .sort((a, b) => a.size - b.size);
  const level = 1 - (1 - o.confidenceLevel) / Math.max(1, smaller.length);
  for (const s of smaller) {
    // Cut in mean duration from the smaller size to the current one: positive when members helped.
    const test = welchFromSummaries(durationSample(s.g), sample, level);
    const meaningful = t.minMeaningfulSpeedup * s.g.duration.mean;
    if (test.interval.high < meaningful) {
      const cut = (s.g.duration.mean - group.duration.mean) / s.g.duration.mean;
      findings.push({
        reason: 'no_speedup',
        severity: severityOf((size - s.size) / size),
        currentValue: size,
        baselineValue: s.size,
        text:
          `going from ${s.size} to ${size} members ${cut >= 0 ? `cut mean duration by only ${pct(cut)}` : `made runs ${pct(-cut)} slower`} ` +
          `(${sec(s.g.duration.mean)} to ${sec(group.duration.mean)}; at least ${pct(t.minMeaningfulSpeedup)} expected)`,
        comparison: {
          test: smaller.length > 1 ? `Welch interval (Bonferroni, ${smaller.length} sizes)` : 'Welch interval',
          pValue: test.pValue,
          interval: test.interval,
          description: `cut in mean duration (s) from ${s.size} to ${size} members`,
        },
      });
      break;
    }
  }

  if (findings.length === 0) return [];
  const primary = findings.reduce((a, b) => (b.severity > a.severity ? b : a));
  const curve = findings.find((f) => f.reason === 'no_speedup');
  // The size the curve points to is one of the team's member-count groups.
  const curveGroup = curve && stats.byMemberCount[String(curve.baselineValue)];
  // Without a size curve: the original's min(5, 0.7 x size), but never below the guide's 3-5 range (the
  // team-sizing strategy stops there too, so the advice and the suggestion agree).
  const floor = Math.min(3, size);
  const suggested = curve ? curve.baselineValue : Math.max(floor, Math.min(t.recommendedTeamSize, Math.floor(0.7 * size)));
  const perMemberFinding = findings.find((f) => f.reason === 'per_member_time');
  const evidence: InsightEvidence = {
    runs: group.runs,
    ...(curveGroup ? { comparisonRuns: curveGroup.runs } : {}),
    // The interval is of `currentValue`: seconds per member only when that finding leads.
    ...(primary === perMemberFinding && perMemberFinding.interval ? { interval: perMemberFinding.interval, unit: 's' } : primary.reason === 'per_member_time' ? { unit: 's' } : { unit: 'members' }),
    ...((curve ?? perMemberFinding)?.comparison ? { comparison: (curve ?? perMemberFinding)!.comparison } : {}),
    details: {
      memberCount: size,
      perMemberSeconds: perMember,
      perMemberBaselineSeconds: o.baselines.perMemberSeconds,
      maxTeamSize: t.maxTeamSize,
      suggestedMemberCount: suggested,
      reasons: findings.map((f) => f.reason),
    },
  };
  return [{
    bottleneck: 'oversized_team',
    severity: primary.severity,
    currentValue: primary.currentValue,
    baselineValue: primary.baselineValue,
    impactMagnitude: primary.baselineValue > 0 ? (primary.currentValue - primary.baselineValue) / primary.baselineValue : 0,
    recommendation:
      suggested < size
        ? `Reduce team size from ${size} to ${suggested}: ${findings.map((f) => f.text).join('; ')}.`
        : `${findings.map((f) => f.text).join('; ')}, yet ${size} members is already within the recommended 3-${t.recommendedTeamSize}: look at the formation or the slowest members rather than the size.`.replace(/^./, (c) => c.toUpperCase()),
    affectedComponents: ['member_count'],
    evidence,
  }];
};
