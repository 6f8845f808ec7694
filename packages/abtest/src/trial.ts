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
 * records a failed sample, it does not crash.
 */
export interface TrialRunner<Config = unknown> {
  run(config: Config, context: TrialContext): Promise<ExecutionRecord>;
  /**
   * Optional check made once before the first trial (for example, that a command exists). If it throws,
   * the experiment fails before any trial runs.
   */
  prepare?(): Promise<void>;
}
