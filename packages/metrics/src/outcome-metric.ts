/**
 * The outcomes of a team run that a change can aim at and an experiment can measure: its duration, its cost,
 * and whether it succeeded. One list, here below every package that names them: `@autotune/strategies` calls a
 * suggestion's `TargetMetric`, `@autotune/abtest` an experiment's `ExperimentMetric`, both this type.
 */
export const OUTCOME_METRICS = ['duration', 'cost', 'success_rate'] as const;

/** One of {@link OUTCOME_METRICS}. */
export type OutcomeMetric = (typeof OUTCOME_METRICS)[number];

/** True when `u` names an outcome metric (for checking input read from files and stores). */
export function isOutcomeMetric(u: unknown): u is OutcomeMetric {
  return typeof u === 'string' && (OUTCOME_METRICS as readonly string[]).includes(u);
}
