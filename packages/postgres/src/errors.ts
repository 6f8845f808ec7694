import { AutotuneError, isAutotuneError } from '@autotune/errors';

/** Every reason an @autotune/postgres operation can fail with, as a string you can switch on. */
export type PostgresErrorCode =
  /** The database holds a schema newer than this build knows; upgrade autotune. */
  | 'POSTGRES_SCHEMA_NEWER'
  /** A query failed (connection refused, permission denied, ...); the message says which operation. */
  | 'POSTGRES_QUERY'
  /** The trial queue failed: a job could not be sent, fetched or read back. */
  | 'POSTGRES_QUEUE'
  /** A connection string or option is malformed. */
  | 'POSTGRES_INVALID_INPUT'
  /** An API was called the wrong way (e.g. on a closed store). */
  | 'POSTGRES_USAGE';

/**
 * An error thrown by @autotune/postgres. Messages never hold a password: connection strings are masked
 * before they go into a message (see {@link maskConnectionString}).
 */
export class PostgresError extends AutotuneError<PostgresErrorCode> {
  override readonly name = 'PostgresError';
}

/** True when `u` is a {@link PostgresError} (optionally with the given code), whichever copy of the package threw it. */
export function isPostgresError(u: unknown, code?: PostgresErrorCode): u is PostgresError {
  return isAutotuneError(u, code === undefined ? { name: 'PostgresError' } : { name: 'PostgresError', code });
}
