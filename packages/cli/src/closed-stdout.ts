// `autotune --help | head -1`: once `head` has its line it closes the pipe, and the next write to stdout
// fails with EPIPE. Unhandled, Node prints a stack trace and exits 1, as if autotune had crashed. The reader
// is gone and wants nothing more, so the command ends there, quietly, like other Unix tools.

/** The part of `process` this needs; passed in so the behaviour is testable in-process. */
export interface ProcessLike {
  stdout: NodeJS.WriteStream | { on(event: 'error', listener: (err: NodeJS.ErrnoException) => void): unknown };
  exitCode?: number | string | undefined;
  exit(code?: number): never;
}

/**
 * Ends the process quietly when stdout's reader has gone (EPIPE), keeping the exit code the command had
 * already decided (0 if none). Any other stdout error is rethrown, so it is still reported.
 */
export function endQuietlyOnClosedStdout(proc: ProcessLike): void {
  proc.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') {
      const code = typeof proc.exitCode === 'number' ? proc.exitCode : 0;
      proc.exit(code);
    }
    throw err;
  });
}
