import { AutotuneError, isAutotuneError, type AutotuneErrorOptions } from '@autotune/errors';

/** Every reason a core operation can fail with, as a string you can switch on. */
export type CoreErrorCode =
  /** A workflow file is not valid YAML or JSON. */
  | 'CORE_WORKFLOW_PARSE'
  /** A workflow file parses but does not hold a usable team config. */
  | 'CORE_WORKFLOW_INVALID'
  /** The team id is not in the file or store; the message lists the known ids. */
  | 'CORE_UNKNOWN_TEAM'
  /** Another process holds the team's lock. */
  | 'CORE_LOCKED'
  /** A runner's command does not exist or is not executable. */
  | 'CORE_RUNNER_NOT_FOUND'
  /** A runner's command printed a record that is not a valid execution record. */
  | 'CORE_RUNNER_OUTPUT'
  /** A strategy threw while suggesting or applying. */
  | 'CORE_STRATEGY_FAILED'
  /** The database failed or holds data this version cannot read. */
  | 'CORE_STORE'
  /** Reading or writing a file failed. */
  | 'CORE_IO'
  /** A team config (object or option) is malformed. */
  | 'CORE_CONFIG_INVALID'
  /** A rollback cannot be done (no such entry, nothing to restore). */
  | 'CORE_ROLLBACK'
  /** An API was called the wrong way. */
  | 'CORE_USAGE';

/** Where the problem is (file, line, field), the facts behind it and what caused it; every member optional. */
export interface CoreErrorOptions extends AutotuneErrorOptions {
  /** Thrown by a trial runner: end the experiment instead of recording a failed sample (see @autotune/abtest `TrialRunner`). */
  stopsExperiment?: boolean;
}

/**
 * An error thrown by @autotune/core for misuse and bad input. The message names the file, line and field
 * when they are known, and says what was expected.
 */
export class CoreError extends AutotuneError<CoreErrorCode> {
  override readonly name = 'CoreError';
  /** True when a trial runner's error must end the experiment rather than fail one trial. */
  readonly stopsExperiment: boolean;

  constructor(code: CoreErrorCode, message: string, options: CoreErrorOptions = {}) {
    const { stopsExperiment, ...base } = options;
    super(code, message, base);
    this.stopsExperiment = stopsExperiment === true;
  }
}

/** True when `u` is a {@link CoreError} (optionally with the given code), whichever copy of the package threw it. */
export function isCoreError(u: unknown, code?: CoreErrorCode): u is CoreError {
  return isAutotuneError(u, code === undefined ? { name: 'CoreError' } : { name: 'CoreError', code });
}
