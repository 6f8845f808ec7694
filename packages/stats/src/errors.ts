import { AutotuneError } from '@autotune/errors';

/** Every reason an @autotune/stats call can fail with. */
export type StatsErrorCode =
  /** Input that no statistic can be computed from: an empty or one-value sample, NaN, a bad option. */
  'STATS_INVALID_INPUT';

/**
 * Misuse of a statistics function: a sample too small, a non-finite value, an option out of range. The
 * message names the argument (`location.field`: `a[3]`, `options.alpha`) and says what was expected. Results
 * that are merely uninformative (equal samples, a p-value of 1) are values, never errors.
 */
export class StatsError extends AutotuneError<StatsErrorCode> {
  override readonly name = 'StatsError';
}

/** Shorthand for the one error: an argument no statistic can be computed from. */
export function invalidInput(field: string, message: string): StatsError {
  return new StatsError('STATS_INVALID_INPUT', message, { location: { field } });
}
