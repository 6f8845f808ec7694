import { AUTOTUNE_ERROR_BRAND, formatLocation } from '@autotune/metrics';

/** What went wrong in the simulator: always bad input or misuse, never a simulated failure (that is a record). */
export type SimulatorErrorCode =
  | 'SIMULATOR_UNKNOWN_SCENARIO'
  | 'SIMULATOR_INVALID_SCENARIO'
  | 'SIMULATOR_INVALID_MODEL'
  | 'SIMULATOR_INVALID_CONFIG'
  | 'SIMULATOR_IO';

/** Where the problem sits, as far as known. */
export interface SimulatorErrorLocation {
  // `| undefined` throughout: locations are assembled from look-ups (a line for a path) that may find nothing.
  file?: string | undefined;
  /** 1-based line in the file. */
  line?: number | undefined;
  /** Dotted path of the offending field, e.g. `model.members[2].success_rate`. */
  field?: string | undefined;
}

/**
 * An error from the simulator: an unknown scenario (the message lists the known ones), a scenario or model
 * field that is missing or out of range (the message names the file, line and field and what was expected),
 * or a config the simulator cannot run.
 */
export class SimulatorError extends Error {
  override readonly name = 'SimulatorError';
  readonly [AUTOTUNE_ERROR_BRAND] = true;
  readonly code: SimulatorErrorCode;
  readonly location: SimulatorErrorLocation;

  constructor(
    code: SimulatorErrorCode,
    message: string,
    location: SimulatorErrorLocation = {},
    options?: { cause?: unknown },
  ) {
    const where = formatLocation(location);
    super(where ? `${where}: ${message}` : message, options);
    this.code = code;
    this.location = location;
  }
}
