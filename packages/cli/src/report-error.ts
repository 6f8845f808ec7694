import { inspect } from 'node:util';
import { isAutotuneError } from '@autotune/errors';
import { CliError } from './errors';
import { EXIT_CODES } from './exit-codes';
import type { OutputStream } from './terminal';

/**
 * Codes of @autotune errors that are not the user's input: the environment failed (disk, database, a lock
 * held by another process) or a strategy crashed. Every other autotune error code is bad input (exit 2).
 */
const ENVIRONMENT_CODES = new Set([
  'CORE_LOCKED',
  'CORE_STORE',
  'CORE_IO',
  'CORE_STRATEGY_FAILED',
  'CORE_RUNNER_OUTPUT',
  'POSTGRES_QUERY',
  'POSTGRES_QUEUE',
  'POSTGRES_SCHEMA_NEWER',
]);

/** Masks the password of any PostgreSQL URL in a message: no message autotune prints shows one. */
function maskPasswords(text: string): string {
  return text.replace(/\b(postgres(?:ql)?:\/\/[^:/?#@\s]*:)([^@\s]*)@/gi, '$1***@').replace(/([?&]password=)[^&#\s]*/gi, '$1***');
}
/** Codes that mean the user cancelled. */
const CANCEL_CODES = new Set(['ABTEST_CANCELLED']);

/** The exit code an error ends the command with. */
export function exitCodeOf(err: unknown): number {
  if (err instanceof CliError) return err.exitCode;
  if (typeof err === 'object' && err !== null) {
    const e = err as { code?: unknown; name?: unknown };
    if (e.name === 'AbortError' || (typeof e.code === 'string' && CANCEL_CODES.has(e.code))) return EXIT_CODES.INTERRUPTED;
    if (isAutotuneError(err)) return ENVIRONMENT_CODES.has(err.code) ? EXIT_CODES.UNEXPECTED : EXIT_CODES.USAGE;
    // A file named on the command line that does not exist, or cannot be read, is bad input.
    if (e.code === 'ENOENT' || e.code === 'EISDIR' || e.code === 'EACCES') return EXIT_CODES.USAGE;
  }
  return EXIT_CODES.UNEXPECTED;
}

/** The first line of an error's message; stacks and multi-line dumps are for `--verbose`. */
export function oneLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const first = message.split('\n').find((l) => l.trim() !== '') ?? message;
  return first.trim() || (err instanceof Error ? err.name : 'unknown error');
}

/** Prints an error as `autotune: <message>` (plus the stack and causes when `verbose`); returns its exit code. */
export function reportError(err: unknown, stderr: OutputStream, verbose: boolean): number {
  const code = exitCodeOf(err);
  const unexpected = code === EXIT_CODES.UNEXPECTED && !isAutotuneError(err);
  stderr.write(`autotune: ${unexpected ? 'unexpected error: ' : ''}${maskPasswords(oneLine(err))}\n`);
  if (verbose) {
    let cause: unknown = err;
    for (let depth = 0; cause !== undefined && depth < 5; depth++) {
      stderr.write(`${maskPasswords(cause instanceof Error ? (cause.stack ?? cause.message) : typeof cause === 'string' ? cause : inspect(cause))}\n`);
      cause = cause instanceof Error ? cause.cause : undefined;
      if (cause !== undefined) stderr.write('Caused by: ');
    }
  } else if (unexpected) {
    stderr.write('autotune: run again with --verbose for the stack trace\n');
  }
  return code;
}
