import type { MemberStats } from '@autotune/metrics';
import type { InsightComparison, InsightEvidence } from '../insight';
import { hypergeometricLowerTail, type Interval, meanInterval, poolSamples, type SampleSummary, welchFromSummaries, wilsonInterval } from '@autotune/stats';
import { listWords, pct, type Rule, sec, severityOf, significant } from '../internal/rule-kit';

interface Finding {
  metric: 'duration' | 'tool_calls' | 'success_rate';
  severity: number;
  currentValue: number;
  baselineValue: number;
  text: string;
  interval: Interval;
  unit: string;
  comparison: InsightComparison;
  comparisonRuns: number;
}

const durationOf = (m: MemberStats): SampleSummary => ({ n: m.runs, mean: m.meanDurationSeconds, sd: m.stdDevDurationSeconds });
const toolsOf = (m: MemberStats): SampleSummary => ({ n: m.runs, mean: m.meanToolCalls, sd: m.stdDevToolCalls });

/**
 * underperforming_member: a member that is an outlier against its teammates over at least `minRuns` runs
 * of its own, in a team with at least `minMembersForOutlier` members with `minRuns` runs:
 * - mean duration or mean tool calls above `memberDurationRatio` / `memberToolCallsRatio` x its peers'
 *   (one-sided Welch t-test; severity 0.7 x min(1, ratio - 1)). Peers are the teammates with the same
 *   role when roles are recorded (a writer is not slow for taking longer than an editor), else all
 *   teammates; a member whose role nobody else has is not judged on duration or tool calls;
 * - success rate below all its teammates' by more than `memberSuccessRateGap` (one-sided Fisher exact
 *   test; severity gap / teammates' rate): every member is expected to succeed, whatever its role.
 * Teammates' runs are pooled. p-values are Bonferroni-adjusted over every test made for the team. One
 * insight per member, naming it and by how much; `details.outlierMetrics` lists the metrics.
 */
export const underperformingMember: Rule = (stats, o) => {
  const eligible = Object.values(stats.members).filter((m) => m.runs >= o.minRuns);
  if (stats.runs < o.minRuns || eligible.length < o.thresholds.minMembersForOutlier) return [];
  const peersOf = (m: MemberStats) =>
    eligible.filter((x) => x !== m && (m.role === undefined || x.role === m.role));
  const tests = eligible.reduce((n, m) => n + 1 + (peersOf(m).length > 0 ? 2 : 0), 0);
  const testSuffix = ` (Bonferroni, ${tests} tests)`;
  const t = o.thresholds;
  const out = [];
  for (const m of eligible) {
    const mates = eligible.filter((x) => x !== m);
    const peers = peersOf(m);
    const findings: Finding[] = [];

    for (const [metric, of, threshold, unit] of [
      ['duration', durationOf, t.memberDurationRatio, 's'],
      ['tool_calls', toolsOf, t.memberToolCallsRatio, 'calls'],
    ] as const) {
      if (peers.length === 0) continue;
      const own = of(m);
      const rest = poolSamples(peers.map(of));
      if (!(rest.mean > 0) || !(own.mean > threshold * rest.mean)) continue;
      const test = welchFromSummaries(own, rest, o.confidenceLevel, 'greater');
      const p = Math.min(1, test.pValue * tests);
      if (!significant(p, o.alpha)) continue;
      const ratio = own.mean / rest.mean;
      const peerWord = m.role !== undefined && peers.length < mates.length ? `the other ${m.role}s` : 'its teammates';
      const text = metric === 'duration'
        ? `takes ${ratio.toFixed(1)}x as long as ${peerWord} (${sec(own.mean)} vs ${sec(rest.mean)} mean)`
        : `makes ${ratio.toFixed(1)}x as many tool calls as ${peerWord} (${own.mean.toFixed(1)} vs ${rest.mean.toFixed(1)} per run)`;
      findings.push({
        metric, severity: 0.7 * severityOf(ratio - 1), currentValue: own.mean, baselineValue: rest.mean, text, unit,
        interval: meanInterval(own, o.confidenceLevel),
        comparison: {
          test: `Welch t-test${testSuffix}`, pValue: p, interval: test.interval,
          description: `mean ${metric === 'duration' ? 'duration (s)' : 'tool calls'} of ${m.memberId} minus ${peerWord}'`,
        },
        comparisonRuns: rest.n,
      });
    }

    const restRuns = mates.reduce((a, x) => a + x.runs, 0);
    const restSuccesses = mates.reduce((a, x) => a + x.successes, 0);
    const restRate = restSuccesses / restRuns;
    const gap = restRate - m.successRate;
    if (gap > t.memberSuccessRateGap) {
      const raw = hypergeometricLowerTail(m.successes, m.runs + restRuns, m.successes + restSuccesses, m.runs);
      const p = Math.min(1, raw * tests);
      if (significant(p, o.alpha)) {
        findings.push({
          metric: 'success_rate', severity: severityOf(gap / restRate), currentValue: m.successRate, baselineValue: restRate,
          text: `succeeds in ${pct(m.successRate)} of its runs against ${pct(restRate)} for its teammates`,
          interval: wilsonInterval(m.successes, m.runs, o.confidenceLevel), unit: 'share',
          comparison: { test: `Fisher exact test${testSuffix}`, pValue: p, description: `success rate of ${m.memberId} below its teammates'` },
          comparisonRuns: restRuns,
        });
      }
    }

    if (findings.length === 0) continue;
    const primary = findings.reduce((a, b) => (b.severity > a.severity ? b : a));
    const details: NonNullable<InsightEvidence['details']> = {
      memberId: m.memberId,
      outlierMetrics: findings.map((f) => f.metric),
      primaryMetric: primary.metric,
    };
    if (m.role !== undefined) details.role = m.role;
    for (const f of findings) {
      details[`${camel(f.metric)}Member`] = f.currentValue;
      details[`${camel(f.metric)}Teammates`] = f.baselineValue;
    }
    const fix = findings.some((f) => f.metric === 'success_rate')
      ? 'Replace or reconfigure it, or disable it if the team succeeds without it.'
      : findings.some((f) => f.metric === 'tool_calls')
        ? 'Reconfigure it (for example lower its tool budget multiplier) or replace it.'
        : 'Reconfigure it (a narrower task or a faster model) or replace it.';
    out.push({
      bottleneck: 'underperforming_member' as const,
      severity: primary.severity,
      currentValue: primary.currentValue,
      baselineValue: primary.baselineValue,
      impactMagnitude: primary.baselineValue !== 0 ? Math.abs(primary.currentValue - primary.baselineValue) / primary.baselineValue : 0,
      recommendation:
        `Member ${m.memberId}${m.role !== undefined ? ` (${m.role})` : ''} ${listWords(findings.map((f) => f.text))} ` +
        `over ${m.runs} runs. ${fix}`,
      affectedComponents: [m.memberId],
      evidence: {
        runs: m.runs,
        comparisonRuns: primary.comparisonRuns,
        interval: primary.interval,
        unit: primary.unit,
        comparison: primary.comparison,
        details,
      },
    });
  }
  return out;
};

function camel(metric: string): string {
  return metric.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}
