import type { ExecutionRecord } from '@autotune/metrics';

/** Which configuration a trial ran. */
export type Arm = 'baseline' | 'candidate';

/**
 * One trial of an experiment. A trial whose runner threw or hung still yields a sample: its record has
 * `success: false`, `error` set, and `durationSeconds` = the time until the failure or the timeout.
 */
export interface TrialSample {
  arm: Arm;
  /** 0-based index of the trial in the experiment's schedule (both arms share the numbering). */
  trial: number;
  record: ExecutionRecord;
  /** Set when the runner threw or returned something that is not a record. */
  error?: string;
  /** True when the trial was cut off at `timeoutMs`. */
  timedOut?: boolean;
}
