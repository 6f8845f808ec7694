import { AutotuneError, type AutotuneErrorOptions } from '@autotune/errors';
import type { ExperimentResult } from './experiment-types';

/** Every reason an @autotune/abtest call can fail with, as a string you can switch on. */
export type AbtestErrorCode =
  /** Input that no statistic can be computed from: an empty or one-value sample, NaN, a bad option. */
  | 'ABTEST_INVALID_INPUT'
  /** The experiment's `signal` aborted; `partialResult` holds the samples finished before that. */
  | 'ABTEST_CANCELLED'
  /** The runner's `prepare()` threw, so no trial ran. */
  | 'ABTEST_PREPARE_FAILED';

/** Options of an {@link AbtestError} beyond code and message. */
export interface AbtestErrorOptions extends AutotuneErrorOptions {
  /** For `ABTEST_CANCELLED`: what had finished when the experiment was cancelled. */
  partialResult?: PartialExperimentResult;
}

/** The samples of a cancelled experiment. `cancelled` is always true here. */
export type PartialExperimentResult = Omit<ExperimentResult, 'cancelled'> & { cancelled: true };

/**
 * An error thrown by @autotune/abtest for misuse, bad input and cancellation. Expected outcomes (a trial that
 * crashed, an experiment too small to decide) are values, not errors. The message names the argument and says
 * what was expected.
 */
export class AbtestError extends AutotuneError<AbtestErrorCode> {
  override readonly name = 'AbtestError';
  /** For `ABTEST_CANCELLED`: the samples finished before the experiment was cancelled. */
  readonly partialResult?: PartialExperimentResult;

  constructor(code: AbtestErrorCode, message: string, options: AbtestErrorOptions = {}) {
    const { partialResult, ...base } = options;
    super(code, message, base);
    if (partialResult) this.partialResult = partialResult;
  }
}

/** Shorthand for the most common error: an argument no statistic can be computed from. */
export function invalidInput(field: string, message: string): AbtestError {
  return new AbtestError('ABTEST_INVALID_INPUT', message, { location: { field } });
}
