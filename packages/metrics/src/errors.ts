/** Brand shared by every autotune error, so they are recognised across duplicate installs. */
export const AUTOTUNE_ERROR_BRAND: unique symbol = Symbol.for('@autotune/error') as never;

/** True for any error thrown by an @autotune package, whichever copy of it threw. */
export function isAutotuneError(u: unknown): u is Error & { code: string } {
  return typeof u === 'object' && u !== null && (u as Record<symbol, unknown>)[AUTOTUNE_ERROR_BRAND] === true;
}

/** What went wrong: unreadable input, a bad record, an unknown format, a file error, or misuse of the API. */
export type MetricsErrorCode =
  | 'METRICS_PARSE_ERROR'
  | 'METRICS_VALIDATION_ERROR'
  | 'METRICS_FORMAT_UNKNOWN'
  | 'METRICS_IO_ERROR'
  | 'METRICS_USAGE_ERROR';

/** Where in the input a problem sits: as much as is known. */
export interface SourceLocation {
  // `| undefined` throughout: locations are assembled from look-ups (a file name, a line for a path) that may
  // find nothing, in this package and in the ones that format their locations with formatLocation.
  file?: string | undefined;
  /** 1-based line, for line-oriented files. */
  line?: number | undefined;
  /** 0-based index of the record in an array or stream. */
  index?: number | undefined;
  /** Dotted path of the offending field, e.g. `members[2].duration_seconds`. */
  field?: string | undefined;
}

/** The location as the start of a message: `file, line 3, field "success"` (record index when no line). */
export function formatLocation(loc: SourceLocation): string {
  const parts: string[] = [];
  if (loc.file) parts.push(loc.file);
  if (loc.line !== undefined) parts.push(`line ${loc.line}`);
  else if (loc.index !== undefined) parts.push(`record ${loc.index}`);
  if (loc.field) parts.push(`field "${loc.field}"`);
  return parts.join(', ');
}

/** An error in metrics input or use. The message names the file, line or record and field. */
export class MetricsError extends Error {
  override readonly name = 'MetricsError';
  readonly [AUTOTUNE_ERROR_BRAND] = true;
  readonly code: MetricsErrorCode;
  readonly location: SourceLocation;

  constructor(code: MetricsErrorCode, message: string, location: SourceLocation = {}, options?: { cause?: unknown }) {
    const where = formatLocation(location);
    super(where ? `${where}: ${message}` : message, options);
    this.code = code;
    this.location = location;
  }
}
