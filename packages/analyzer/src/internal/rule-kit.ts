// Shared pieces of the rules: how a rule is called, and the few helpers every rule uses.
import type { GroupStats, TeamStats } from '@autotune/metrics';
import type { PerformanceInsight } from '../insight';
import type { ResolvedAnalyzerOptions } from '../options';
import type { SampleSummary } from '@autotune/stats';

/** A detection rule: from one team's figures to zero or more insights. Pure; never throws on data. */
export type Rule = (stats: TeamStats, options: ResolvedAnalyzerOptions) => PerformanceInsight[];

/** True when a p-value is below alpha; alpha = 1 accepts any point estimate, as the original did. */
export function significant(pValue: number, alpha: number): boolean {
  return alpha >= 1 || pValue < alpha;
}

/** Run durations of a group as a sample summary. */
export function durationSample(g: GroupStats): SampleSummary {
  return { n: g.runs, mean: g.duration.mean, sd: g.duration.stdDev };
}

/** Seconds as the guide prints them: "75.0s". */
export function sec(x: number): string {
  return `${x.toFixed(1)}s`;
}

/** A 0..1 share as a percentage: "72.5%". */
export function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

/** How far `value` exceeds `baseline`, as a share of the baseline (0.5 = 50% above). */
export function relativeExcess(value: number, baseline: number): number {
  return (value - baseline) / baseline;
}

/** Clamp to the 0..1 severity scale. */
export function severityOf(x: number): number {
  return Math.max(0, Math.min(1, x));
}

/** "a", "a and b", "a, b and c". */
export function listWords(words: readonly string[]): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}
