/**
 * The brand every autotune error carries. `Symbol.for` gives the same symbol in every copy of every package,
 * so errors are recognised across duplicate installs. It is spelled out here, not imported, because stats is
 * a leaf with no @autotune dependency; `@autotune/metrics` uses the same key.
 */
const AUTOTUNE_ERROR_BRAND: unique symbol = Symbol.for('@autotune/error') as never;

/** Every reason an @autotune/stats call can fail with. */
export type StatsErrorCode =
  /** Input that no statistic can be computed from: an empty or one-value sample, NaN, a bad option. */
  'STATS_INVALID_INPUT';

/**
 * Misuse of a statistics function: a sample too small, a non-finite value, an option out of range. The
 * message names the argument (`a[3]`, `options.alpha`) and says what was expected. Results that are merely
 * uninformative (equal samples, a p-value of 1) are values, never errors.
 */
export class StatsError extends Error {
  override readonly name = 'StatsError';
  readonly [AUTOTUNE_ERROR_BRAND] = true;
  readonly code: StatsErrorCode;
  /** Which argument or option was wrong, e.g. `a[3]` or `options.alpha`. */
  readonly field?: string;

  constructor(code: StatsErrorCode, message: string, options: { field?: string; cause?: unknown } = {}) {
    super(options.field ? `${options.field}: ${message}` : message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    if (options.field !== undefined) this.field = options.field;
  }
}

/** Shorthand for the one error: an argument no statistic can be computed from. */
export function invalidInput(field: string, message: string): StatsError {
  return new StatsError('STATS_INVALID_INPUT', message, { field });
}
