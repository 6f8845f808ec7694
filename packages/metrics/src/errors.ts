import { AutotuneError } from '@autotune/errors';

/** What went wrong: unreadable input, a bad record, an unknown format, a file error, or misuse of the API. */
export type MetricsErrorCode =
  /** The input is not valid JSON, JSON Lines or OTLP. */
  | 'METRICS_PARSE'
  /** A record parses but a field is missing, of the wrong type or out of range. */
  | 'METRICS_VALIDATION'
  /** The input's format cannot be told, or is not one autotune reads. */
  | 'METRICS_FORMAT_UNKNOWN'
  /** Reading or writing a file failed. */
  | 'METRICS_IO'
  /** An API was called the wrong way. */
  | 'METRICS_USAGE';

/**
 * An error in metrics input or use. The message names the file, line or record and field (`location`), as
 * every autotune error does (see `@autotune/errors`).
 */
export class MetricsError extends AutotuneError<MetricsErrorCode> {
  override readonly name = 'MetricsError';
}
