import { AutotuneError } from '@autotune/errors';

/** What went wrong in the simulator: always bad input or misuse, never a simulated failure (that is a record). */
export type SimulatorErrorCode =
  | 'SIMULATOR_UNKNOWN_SCENARIO'
  | 'SIMULATOR_INVALID_SCENARIO'
  | 'SIMULATOR_INVALID_MODEL'
  | 'SIMULATOR_INVALID_CONFIG'
  | 'SIMULATOR_IO';

/**
 * An error from the simulator: an unknown scenario (the message lists the known ones), a scenario or model
 * field that is missing or out of range (the message names the file, line and field and what was expected),
 * or a config the simulator cannot run.
 */
export class SimulatorError extends AutotuneError<SimulatorErrorCode> {
  override readonly name = 'SimulatorError';
}
