import type { PerformanceInsight } from '@autotune/analyzer';
import type { OptimizationSuggestion, TeamConfig } from '../contract';
import { cloneData } from './data';

/** The insights of one kind, most severe first (ties keep their order). */
export function insightsOf(insights: readonly PerformanceInsight[], bottleneck: string): PerformanceInsight[] {
  return insights
    .map((insight, i) => ({ insight, i }))
    .filter(({ insight }) => insight.bottleneck === bottleneck)
    .sort((a, b) => b.insight.severity - a.insight.severity || a.i - b.i)
    .map(({ insight }) => insight);
}

/** A numeric detail of an insight's evidence, if the analyzer recorded one. */
export function detailNumber(insight: PerformanceInsight, key: string): number | undefined {
  const v = insight.evidence?.details?.[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

export function detailString(insight: PerformanceInsight, key: string): string | undefined {
  const v = insight.evidence?.details?.[key];
  return typeof v === 'string' ? v : undefined;
}

export function detailStrings(insight: PerformanceInsight, key: string): string[] | undefined {
  const v = insight.evidence?.details?.[key];
  return Array.isArray(v) && v.every((x) => typeof x === 'string') ? [...v] : undefined;
}

/**
 * Runs that ended on a limit, and their share, from a `limit_exhaustion` insight: the analyzer's `hits` and
 * `hitRate`, or `count` from hand-made insights.
 */
export function limitHits(insight: PerformanceInsight, fallbackRuns = 0): { hits: number; rate: number; runs: number } {
  const runs = runsOf(insight) || fallbackRuns;
  const hits = detailNumber(insight, 'hits') ?? detailNumber(insight, 'count') ?? 0;
  const given = detailNumber(insight, 'hitRate');
  const rate = given !== undefined ? given : runs > 0 ? hits / runs : Math.min(1, insight.severity / 2);
  return { hits, rate: Math.min(1, Math.max(0, rate)), runs };
}

/** Runs behind an insight (0 when the analyzer left it out). */
export function runsOf(insight: PerformanceInsight): number {
  const r = insight.evidence?.runs;
  return typeof r === 'number' && Number.isFinite(r) ? r : 0;
}

/** A suggestion of a built-in strategy: `type` and `strategy` are its name; `currentConfig` is a copy. */
export function makeSuggestion(
  name: string,
  currentConfig: TeamConfig,
  fields: Omit<OptimizationSuggestion, 'type' | 'strategy' | 'currentConfig'>,
): OptimizationSuggestion {
  return { type: name, strategy: name, currentConfig: cloneData(currentConfig), ...fields };
}
