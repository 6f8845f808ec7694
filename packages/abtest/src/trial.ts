import type { ExecutionRecord } from '@autotune/metrics';

/** What a runner is told about the trial it runs. */
export interface TrialContext {
  teamId: string;
  /** Which arm the trial belongs to. */
  arm: 'baseline' | 'candidate';
  /** 0-based index of the trial in the experiment. */
  trial: number;
  /** Cancelled when the experiment is cancelled or the trial times out. */
  signal: AbortSignal;
  /** Seed for runners that draw random numbers (simulators); derived from the experiment seed. */
  seed: number;
}

/**
 * Runs a team once under a config and returns its execution record. A runner may throw: the experiment
 * records a failed sample, it does not crash. The exception is an error whose `stopsExperiment` property is
 * `true` (see {@link stopsExperiment}): the runner itself is broken (its output breaks the protocol), so more
 * trials would only repeat the problem and failed samples would count against a config that did nothing
 * wrong; the experiment then rejects with that error.
 */
export interface TrialRunner<Config = unknown> {
  run(config: Config, context: TrialContext): Promise<ExecutionRecord>;
  /**
   * Optional check made once before the first trial (for example, that a command exists). If it throws,
   * the experiment fails before any trial runs.
   */
  prepare?(): Promise<void>;
}

/** True for a runner error that must end the experiment instead of becoming a failed sample (see {@link TrialRunner}). */
export function stopsExperiment(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { stopsExperiment?: unknown }).stopsExperiment === true;
}
