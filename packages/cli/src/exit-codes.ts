/**
 * Exit codes of the `autotune` command. CI pipelines gate on them, so they are part of the public contract:
 * never renumber, only add.
 */
export const EXIT_CODES = {
  /** The command did what was asked; every validation it ran passed. */
  SUCCESS: 0,
  /** Something unexpected went wrong (a bug, an I/O failure, a locked database). */
  UNEXPECTED: 1,
  /** Bad usage or bad input: unknown flag, unreadable file, unknown team, invalid config. */
  USAGE: 2,
  /** A validation ran but could not decide (not enough runs, or an improvement below the threshold). */
  INCONCLUSIVE: 3,
  /** A validation failed (a regression or a breached guardrail), or a change was rolled back. */
  FAILED: 4,
  /** Interrupted by Ctrl-C (SIGINT) before the work finished; nothing was written. */
  INTERRUPTED: 130,
  /** Stopped by SIGTERM (CI cancellation, `timeout`, a container stop) before the work finished; nothing was written. */
  TERMINATED: 143,
  /** Stopped by SIGHUP (the terminal closed) before the work finished; nothing was written. */
  HANGUP: 129,
} as const;

/** One of the values of {@link EXIT_CODES}. */
export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];

/** The exit-code table as printed at the end of `autotune --help` (and copied into docs/cli.md). */
export const EXIT_CODES_HELP = [
  'Exit codes:',
  '  0    success (every validation that ran passed)',
  '  1    unexpected error',
  '  2    bad usage or bad input (unknown flag, unreadable file, unknown team, invalid config)',
  '  3    inconclusive validation (not enough evidence either way)',
  '  4    failed validation, or a change was rolled back',
  '  129  stopped by SIGHUP (terminal closed); the workflow file is left as it was',
  '  130  interrupted (Ctrl-C); the workflow file is left as it was',
  '  143  stopped by SIGTERM (CI cancellation, timeout); the workflow file is left as it was',
].join('\n');
