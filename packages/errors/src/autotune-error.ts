/**
 * The brand every autotune error carries. `Symbol.for` gives the same symbol in every copy of this package, so
 * an error is recognised even when a program loads two copies of autotune (a plugin that brings its own).
 */
export const AUTOTUNE_ERROR_BRAND: unique symbol = Symbol.for('@autotune/error') as never;

/** Where a problem sits, as far as it is known; every member optional. */
export interface ErrorLocation {
  /** The file read, as the user named it. */
  file?: string | undefined;
  /** 1-based line in the file. */
  line?: number | undefined;
  /** 1-based column in the line. */
  column?: number | undefined;
  /** 0-based index of the record in an array or stream, when there is no line. */
  index?: number | undefined;
  /** Path of the offending field or argument, e.g. `members[2].duration_seconds` or `options.alpha`. */
  field?: string | undefined;
  /** The command-line flag at fault, e.g. `--runs-per-arm` (the CLI's errors). */
  flag?: string | undefined;
}

/** What every autotune error constructor takes besides its code and message. */
export interface AutotuneErrorOptions {
  /** Where the problem is; printed at the start of the message. */
  location?: ErrorLocation;
  /** Machine-readable facts behind the message (the lock holder, the known team ids, ...). */
  details?: Record<string, unknown>;
  /** The error this one explains. */
  cause?: unknown;
  /**
   * The message already says where the problem is (the CLI writes whole sentences naming the flag or file):
   * keep `location` for programs, but do not put it in front of the message again.
   */
  messageNamesLocation?: boolean;
}

/**
 * The location as the start of a message: `workflow.yaml, line 3, column 5, field "success"` (the record index
 * when there is no line). Empty when nothing is known.
 */
export function formatLocation(loc: ErrorLocation): string {
  const parts: string[] = [];
  if (loc.file) parts.push(loc.file);
  if (loc.line !== undefined) parts.push(loc.column !== undefined ? `line ${loc.line}, column ${loc.column}` : `line ${loc.line}`);
  else if (loc.index !== undefined) parts.push(`record ${loc.index}`);
  if (loc.field) parts.push(`field "${loc.field}"`);
  return parts.join(', ');
}

/**
 * The base of every error an @autotune package throws, for misuse and bad input (expected outcomes, such as an
 * experiment too small to decide, are values). Each package subclasses it with its own `name` and a union of
 * codes spelled `<PACKAGE>_<WHAT>` (`METRICS_PARSE`, `CORE_LOCKED`), and every subclass takes the same
 * arguments: `(code, message, { location, details, cause })`. The message starts with the location when one
 * is known, so it names the file, line and field a user must fix.
 */
export class AutotuneError<Code extends string = string> extends Error {
  readonly [AUTOTUNE_ERROR_BRAND] = true;
  /** Why it failed, as a string to switch on. */
  readonly code: Code;
  /** Where the problem is (empty when unknown). */
  readonly location: ErrorLocation;
  /** Machine-readable facts behind the message (empty when there are none). */
  readonly details: Record<string, unknown>;

  constructor(code: Code, message: string, options: AutotuneErrorOptions = {}) {
    const location = options.location ?? {};
    const where = options.messageNamesLocation === true ? '' : formatLocation(location);
    super(where ? `${where}: ${message}` : message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.location = location;
    this.details = options.details ?? {};
  }
}

/** The shape of any autotune error, whichever copy of which package threw it. */
export interface AutotuneErrorLike extends Error {
  readonly code: string;
  readonly location: ErrorLocation;
  readonly details: Record<string, unknown>;
}

/**
 * True for an error thrown by any @autotune package, whichever copy of it threw (the brand, not `instanceof`).
 * With `name`, only errors of that class (`'CoreError'`); with `code`, only that code.
 */
export function isAutotuneError(u: unknown, filter: { name?: string; code?: string } = {}): u is AutotuneErrorLike {
  if (typeof u !== 'object' || u === null || (u as Record<symbol, unknown>)[AUTOTUNE_ERROR_BRAND] !== true) return false;
  const e = u as { name?: unknown; code?: unknown };
  return (filter.name === undefined || e.name === filter.name) && (filter.code === undefined || e.code === filter.code);
}
