import type { Verdict, VerdictSummary } from './verdict-types';

/** The part of a verdict a history entry keeps; see {@link VerdictSummary}. */
export function summarizeVerdict(v: Verdict): VerdictSummary {
  return {
    status: v.status,
    metric: v.metric,
    improvementPercentage: v.improvementPercentage,
    threshold: v.threshold,
    alpha: v.alpha,
    decidedBy: v.decidedBy,
    regressionPValue: v.regressionPValue,
    reason: v.reason,
    reasonCodes: [...v.reasonCodes],
    explanation: v.explanation,
  };
}
