import { OPTIMIZATION_PRIORITIES } from './contract';
import type { OptimizationSuggestion } from './contract';

/** Suggestions less sure than this are dropped before they reach a user (the original's cut-off). */
export const MIN_CONFIDENCE = 0.6;

function rank(s: OptimizationSuggestion): number {
  const i = OPTIMIZATION_PRIORITIES.indexOf(s.priority);
  return i === -1 ? OPTIMIZATION_PRIORITIES.length : i;
}

/**
 * A new array, most important first: by priority (critical, high, medium, low), then by expected
 * improvement x confidence, highest first; ties keep their order. With `minConfidence` (e.g.
 * `MIN_CONFIDENCE`), less confident suggestions are left out.
 */
export function sortSuggestions(
  suggestions: readonly OptimizationSuggestion[],
  options: { minConfidence?: number } = {},
): OptimizationSuggestion[] {
  const min = options.minConfidence;
  return suggestions
    .filter((s) => min === undefined || s.confidence >= min)
    .map((s, i) => ({ s, i }))
    .sort(
      (a, b) =>
        rank(a.s) - rank(b.s) ||
        b.s.expectedImprovement * b.s.confidence - a.s.expectedImprovement * a.s.confidence ||
        a.i - b.i,
    )
    .map(({ s }) => s);
}
