/**
 * Upper bounds of the count flags. A count is work (trials, records, memory), so one typed with a few zeros
 * too many must be refused at once, not discovered as an out-of-memory crash an hour later.
 */
export const COUNT_LIMITS = {
  /** Runs per arm of an A/B test: 2 trials each, every one a real run of the team. */
  runsPerArm: 10_000,
  /** Simulated runs written by `autotune simulate` (all held in memory before writing). */
  simulatedRuns: 1_000_000,
  /** Seeds: a 32-bit unsigned integer, what the seeded generators take. */
  seed: 2 ** 32 - 1,
  /** History indexes of `rollback --index`. */
  historyIndex: 1_000_000,
} as const;

/**
 * The longest duration a flag or setting may give: timers in Node fire at once beyond 2^31 - 1 ms (about
 * 24.8 days), so a longer `--interval` would spin instead of waiting.
 */
export const MAX_DURATION_MS = 2 ** 31 - 1;
