import { AutotuneError, type ErrorLocation } from '@autotune/errors';
import { EXIT_CODES, type ExitCode } from './exit-codes';

/** Why the command line refused to go on. */
export type CliErrorCode =
  /** A flag is missing, unknown, malformed or combined with one it excludes. */
  | 'CLI_USAGE'
  /** An input file or value is wrong: what and where is in the message. */
  | 'CLI_INPUT'
  /** `autotune.config.*` is unreadable or holds a wrong field. */
  | 'CLI_CONFIG'
  /** A strategy package named in the config is missing or incompatible. */
  | 'CLI_PLUGIN'
  /** Ctrl-C (or SIGTERM, SIGHUP) arrived before the work finished. */
  | 'CLI_INTERRUPTED';

/** Signals that stop a command cleanly, as Ctrl-C does. */
export type InterruptSignal = 'SIGINT' | 'SIGTERM' | 'SIGHUP';

/** The conventional exit code of a process stopped by `signal`: 128 + its number (130, 143, 129). */
export function signalExitCode(signal: InterruptSignal): ExitCode {
  return signal === 'SIGTERM' ? EXIT_CODES.TERMINATED : signal === 'SIGHUP' ? EXIT_CODES.HANGUP : EXIT_CODES.INTERRUPTED;
}

/**
 * An error the CLI raises itself. Its message is one line a user can act on, naming the flag or file itself;
 * `location` says the same for programs (printed under `--json`).
 */
export class CliError extends AutotuneError<CliErrorCode> {
  override readonly name = 'CliError';
  /** For `CLI_INTERRUPTED`: the signal that stopped the work (default SIGINT). */
  readonly signal?: InterruptSignal;

  constructor(code: CliErrorCode, message: string, options: { cause?: unknown; signal?: InterruptSignal; location?: ErrorLocation; details?: Record<string, unknown> } = {}) {
    const { signal, ...base } = options;
    super(code, message, { ...base, messageNamesLocation: true });
    if (signal) this.signal = signal;
  }

  /** The process exit code this error ends the command with. */
  get exitCode(): ExitCode {
    return this.code === 'CLI_INTERRUPTED' ? signalExitCode(this.signal ?? 'SIGINT') : EXIT_CODES.USAGE;
  }
}
